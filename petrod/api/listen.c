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
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void whyf(char *out, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    /* A line cut by a small buffer still says what it can; mark the cut. */
    if (n >= 0 && (size_t)n >= cap && cap > 4) memcpy(out + cap - 4, "...", 4);
}

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

/* Bind and listen on a socket of ai's family at ai's address with port; 0 or the errno. */
static int try_listen(const struct addrinfo *ai, uint16_t port) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    if (ai->ai_family == AF_INET) {
        ((struct sockaddr_in *)&ss)->sin_port = htons(port);
    } else {
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    int on = 1;
    int err = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) err = errno;
    if (err == 0 && ai->ai_family == AF_INET6 &&
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) {
        err = errno;
    }
    if (err == 0 && bind(fd, (struct sockaddr *)&ss, ai->ai_addrlen) != 0) err = errno;
    if (err == 0 && listen(fd, 1) != 0) err = errno;
    (void)close(fd); /* no connection was accepted: nothing to lose */
    return err;
}

bool api_listen_check(const char *host, uint16_t port, char *why, size_t why_cap) {
    why[0] = '\0';
    bool is_v6 = strchr(host, ':') != NULL;
    char addr[128];
    whyf(addr, sizeof addr, "%s%s%s:%u", is_v6 ? "[" : "", host, is_v6 ? "]" : "",
         (unsigned)port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL) {
        whyf(why, why_cap, "cannot listen on %s: the host does not resolve (choose --http "
                           "HOST:PORT with an IP address of this machine)",
             addr);
        return false;
    }
    int err = EAFNOSUPPORT;
    if ((res->ai_family == AF_INET || res->ai_family == AF_INET6) &&
        res->ai_addrlen <= sizeof(struct sockaddr_storage)) {
        err = try_listen(res, port);
    }
    freeaddrinfo(res);
    if (err != 0) {
        whyf(why, why_cap, "cannot listen on %s: %s (%s)", addr, listen_reason(err),
             listen_hint(err));
        return false;
    }
    return true;
}
