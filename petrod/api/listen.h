/* The start-up check of the HTTP listen address (listen.c).
 *
 * petrod checks --http before it creates or changes anything on disk: a busy port then ends
 * start-up with one line that says so, instead of a devnet made for nothing and a low-level
 * error from api_start after it. */
#ifndef PETROD_API_LISTEN_H
#define PETROD_API_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "petro/petro.h"

/** Whether host:port can be listened on now, tried as api_start listens: the first address
 *  host resolves to, SO_REUSEADDR, IPV6_V6ONLY for an IPv6 address; a socket is bound, put
 *  in the listening state and closed again. Creates nothing on disk. A later api_start can
 *  still lose the port to another process; this makes the common case (another petrod, a
 *  second make run) one clear line.
 *  Returns: true if it can; false otherwise.
 *  Out:     why: on false one line without a newline and without the "petrod: " prefix, e.g.
 *           "cannot listen on 127.0.0.1:8420: address already in use (another petrod? stop
 *           it or choose --http HOST:PORT)"; "" on true.
 *  In:      host: an IP literal ("127.0.0.1", "::1") or a name; port: 0 picks a free one. */
bool api_listen_check(const char *host, uint16_t port, char *why, size_t why_cap);

/** host:port as the socket address petrod listens on (api_start and api_listen_check): the
 *  first address host resolves to, IPv4 or IPv6. PETRO_OK, or PETRO_ERR_BAD_REQUEST when it
 *  resolves to none. */
petro_result api_listen_resolve(struct sockaddr_storage *ss, socklen_t *ss_size,
                                const char *host, uint16_t port);

#endif
