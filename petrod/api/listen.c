/* The start-up check of the HTTP listen address (listen.h).
 *
 * It does what libmicrohttpd does when api_start opens the daemon (socket, SO_REUSEADDR,
 * IPV6_V6ONLY for IPv6, bind, listen) on a socket of its own, closes it, and turns the errno
 * of the step that failed into a line a user can act on. It touches no file, so petrod can run
 * it first, before the data directory is inspected, created or opened. */
#include "listen.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

/* What to do about errno err of bind or listen, after the reason. */
static const char *listen_hint(int err) {
    switch (err) {
    case EADDRINUSE:
        return "another petrod? stop it or choose --http HOST:PORT";
    case EADDRNOTAVAIL:
        return "no interface of this machine has that address: choose --http with one it has, "
               "e.g. 127.0.0.1:PORT";
    case EACCES:
        return "ports below 1024 need privileges: choose --http HOST:PORT with a higher port";
    default:
        return "choose --http HOST:PORT";
    }
}

/* The reason for errno err, in the words of the common cases. */
static const char *listen_reason(int err) {
    switch (err) {
    case EADDRINUSE:
        return "address already in use";
    case EADDRNOTAVAIL:
        return "address not available";
    case EACCES:
        return "permission denied";
    default:
        return strerror(err);
    }
}

petro_result api_listen_resolve(struct sockaddr_storage *ss, socklen_t *ss_size,
                                const char *host, uint16_t port) {
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL) {
        return PETRO_ERR_BAD_REQUEST;
    }
    petro_result rc = PETRO_ERR_BAD_REQUEST;
    if ((res->ai_family == AF_INET || res->ai_family == AF_INET6) &&
        res->ai_addrlen <= sizeof *ss) {
        memset(ss, 0, sizeof *ss);
        memcpy(ss, res->ai_addr, res->ai_addrlen);
        *ss_size = res->ai_addrlen;
        if (res->ai_family == AF_INET) {
            ((struct sockaddr_in *)ss)->sin_port = htons(port);
        } else {
            ((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
        }
        rc = PETRO_OK;
    }
    freeaddrinfo(res);
    return rc;
}

/* Bind and listen on a socket at ss; 0 or the errno. */
static int try_listen(const struct sockaddr_storage *ss, socklen_t ss_size) {
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    int on = 1;
    int err = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) err = errno;
    if (err == 0 && ss->ss_family == AF_INET6 &&
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) {
        err = errno;
    }
    if (err == 0 && bind(fd, (const struct sockaddr *)ss, ss_size) != 0) err = errno;
    if (err == 0 && listen(fd, 1) != 0) err = errno;
    (void)close(fd); /* no connection was accepted: nothing to lose */
    return err;
}

bool api_listen_check(const char *host, uint16_t port, char *why, size_t why_cap) {
    why[0] = '\0';
    bool is_v6 = strchr(host, ':') != NULL;
    char addr[128];
    fmt_line(addr, sizeof addr, "%s%s%s:%u", is_v6 ? "[" : "", host,
                    is_v6 ? "]" : "", (unsigned)port);
    struct sockaddr_storage ss;
    socklen_t ss_size = 0;
    if (api_listen_resolve(&ss, &ss_size, host, port) != PETRO_OK) {
        fmt_line(why, why_cap, "cannot listen on %s: the host does not resolve (choose "
                                      "--http HOST:PORT with an IP address of this machine)",
                        addr);
        return false;
    }
    int err = try_listen(&ss, ss_size);
    if (err != 0) {
        fmt_line(why, why_cap, "cannot listen on %s: %s (%s)", addr,
                        listen_reason(err), listen_hint(err));
        return false;
    }
    return true;
}
