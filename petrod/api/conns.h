/* The API's connection table: deadlines for receiving a request, and room for new clients.
 *
 * libmicrohttpd's connection timeout only measures inactivity, so a client sending one byte a
 * second keeps its connection, and its thread, for ever; 512 of them held every connection
 * (issue #16 item 3). This table bounds how long a connection may take to deliver a request,
 * whatever it sends:
 *
 * - a connection is "waiting" from its accept, and again from the moment its previous answer
 *   was sent (keep-alive); it must deliver the request's headers within
 *   API_HEADERS_DEADLINE_S and the whole request, body included, within
 *   API_REQUEST_DEADLINE_S of that moment; a sweeping thread closes it otherwise;
 * - while a handler runs and its answer is sent there is no deadline here (long polls and
 *   event streams are bounded by their handlers, a client that stops reading an answer by
 *   the inactivity timeout of server.c);
 * - room: when a new connection makes more than API_CONNECTION_LIMIT - API_CONNECTION_HEADROOM
 *   open, one connection still waiting for its request is closed at once ("evicted"): of the
 *   client address with the most such connections, the one that has waited longest. Slow
 *   clients so never fill the limit, and a flood from one address evicts only its own
 *   connections: a client elsewhere that sends its request promptly gets a connection and an
 *   answer while any number of slow ones come and go;
 * - reaping: an evicted connection is gone only once its thread has ended. While
 *   API_CONNECTION_REAP_LAG_MAX evicted ones are still closing, a new connection from the
 *   address that would lose one is refused at accept instead (api_conns_accept: no thread is
 *   made for it), so a flood reconnecting faster than connections close cannot push the
 *   others into libmicrohttpd's limit.
 *
 * "Closed" is shutdown(2) of the socket: the connection's thread wakes on the end of its input
 * and libmicrohttpd closes it; the client gets no answer. The socket stays libmicrohttpd's:
 * it is touched only under the table's lock while the connection is in the table, and
 * libmicrohttpd removes it (MHD_CONNECTION_NOTIFY_CLOSED) before it closes the descriptor.
 *
 * Threads: every function is safe to call from any thread. */
#ifndef PETROD_API_CONNS_H
#define PETROD_API_CONNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "petro/result.h"

/* Connections open at once (libmicrohttpd refuses more: MHD_OPTION_CONNECTION_LIMIT). */
#define API_CONNECTION_LIMIT 512u
/* Past LIMIT - HEADROOM live connections every new one evicts one (see above). The headroom
 * absorbs the connections accepted before the evicted ones are gone. */
#define API_CONNECTION_HEADROOM 128u
/* Evicted connections still closing past which the evicting address is refused at accept. */
#define API_CONNECTION_REAP_LAG_MAX (API_CONNECTION_HEADROOM / 2u)
/* Deadlines from the moment a connection starts waiting for a request (see above). */
#define API_HEADERS_DEADLINE_S 10u
#define API_REQUEST_DEADLINE_S 30u
/* How often the deadlines are checked: a connection is closed at most this late. */
#define API_CONNS_SWEEP_MS 250u

_Static_assert(API_CONNECTION_HEADROOM > 0u && API_CONNECTION_HEADROOM < API_CONNECTION_LIMIT,
               "eviction starts below the limit");
_Static_assert(API_HEADERS_DEADLINE_S < API_REQUEST_DEADLINE_S,
               "the headers are part of the request");

/** Why a connection was refused at accept (counted for /metrics). */
typedef enum api_conn_refusal {
    API_REFUSED_LIMIT, /* by libmicrohttpd: API_CONNECTION_LIMIT open (api_conns_note_refused) */
    API_REFUSED_FLOOD, /* by api_conns_accept: its address floods while evictions lag */
    API_REFUSAL_COUNT
} api_conn_refusal;

/** Why the table closed a connection (counted for /metrics). */
typedef enum api_conn_cut {
    API_CUT_HEADERS_DEADLINE, /* headers not complete API_HEADERS_DEADLINE_S after waiting began */
    API_CUT_REQUEST_DEADLINE, /* body not complete API_REQUEST_DEADLINE_S after waiting began */
    API_CUT_EVICTED,          /* to make room for a new connection (see above) */
    API_CUT_REASON_COUNT
} api_conn_cut;

/** The table of one daemon. Opaque. */
typedef struct api_conns api_conns;

/** Allocate the table (API_CONNECTION_LIMIT entries) and start its sweeping thread.
 *  Returns: PETRO_OK; PETRO_ERR_NOMEM (memory, or the thread or its lock cannot be made).
 *  Out:     *out, NULL on failure. */
petro_result api_conns_start(api_conns **out);

/** Stop the sweeping thread and free the table. Call after MHD_stop_daemon (which reports the
 *  close of every connection still open). api_conns_stop(NULL) is a no-op. */
void api_conns_stop(api_conns *c);

/** MHD_AcceptPolicyCallback, with cls the table: MHD_NO (refuse) when
 *  API_CONNECTION_REAP_LAG_MAX evicted connections are still closing and addr is the address
 *  the next eviction would take a connection from; else MHD_YES. */
enum MHD_Result api_conns_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);

/** MHD_OPTION_NOTIFY_CONNECTION callback, with cls the table: enters a connection into the
 *  table on MHD_CONNECTION_NOTIFY_STARTED (evicting one if room is short) and removes it on
 *  MHD_CONNECTION_NOTIFY_CLOSED. */
void api_conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);

/** conn's request headers are complete (the first call of the access handler). */
void api_conns_headers_done(api_conns *c, struct MHD_Connection *conn);

/** conn's request is complete and its handler is about to run: no deadline until its answer is
 *  sent. Returns false if the table has already closed conn (answer nothing). */
bool api_conns_request_done(api_conns *c, struct MHD_Connection *conn);

/** conn's answer is sent or its request ended (MHD_OPTION_NOTIFY_COMPLETED): it waits for the
 *  next request from now. */
void api_conns_answered(api_conns *c, struct MHD_Connection *conn);

/** The name of reason as /metrics labels it: "headers_deadline", "request_deadline",
 *  "evicted". */
const char *api_conn_cut_name(api_conn_cut reason);

/** Connections closed for reason since api_conns_start. */
uint64_t api_conns_cut_count(const api_conns *c, api_conn_cut reason);

/** Count one connection libmicrohttpd refused at API_CONNECTION_LIMIT (server.c learns it
 *  from libmicrohttpd's log line), for the warning line and /metrics. */
void api_conns_note_refused(api_conns *c);

/** The name of reason as /metrics labels it: "limit", "flood". */
const char *api_conn_refusal_name(api_conn_refusal reason);

/** Connections refused for reason since api_conns_start. */
uint64_t api_conns_refused_count(const api_conns *c, api_conn_refusal reason);

#endif
