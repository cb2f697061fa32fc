/* The API's connection table (conns.h): request deadlines and eviction of slow connections.
 *
 * Design: a fixed array of API_CONNECTION_LIMIT entries, one per open connection, found from
 * the connection through its libmicrohttpd socket context. Each entry holds the socket, the
 * client's address, the phase of the request (waiting for headers, for the body, or being
 * handled) and the monotonic time at which the connection began waiting for that request. One
 * lock guards the array; it is held for a scan of at most API_CONNECTION_LIMIT entries, never
 * across a call that blocks. A thread wakes every API_CONNS_SWEEP_MS and closes the
 * connections past their deadline; eviction happens in the accept notification itself
 * (libmicrohttpd's listening thread): it tallies the waiting connections by client address in
 * a scratch hash table (open addressing, twice the array's size, so never full) and picks the
 * oldest of the address with the most.
 *
 * Invariants: an entry is in use exactly between the STARTED and CLOSED notifications of its
 * connection; a cut entry is never cut again; cut_pending counts the entries cut and not yet
 * closed, so open - cut_pending are the connections still alive. */
#include "conns.h"

#include <pthread.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "assert.h"
#include "deadline.h"
#include "log.h"

/* A summary of the cuts is logged at most this often (a flood must not flood the log). */
#define CONNS_LOG_INTERVAL_MS 60000u

typedef enum conn_phase {
    PHASE_FREE = 0, /* the entry is not in use */
    PHASE_HEADERS,  /* waiting for the request's headers */
    PHASE_BODY,     /* headers received, waiting for the rest of the request */
    PHASE_HANDLING, /* the handler runs or its answer is being sent: no deadline */
} conn_phase;

/* A client's address without its port; an IPv4-mapped IPv6 address as the IPv4 one. */
typedef struct conn_addr {
    uint8_t bytes[16];
    uint8_t size; /* 4 or 16; 0 for another family (all such count as one address) */
} conn_addr;

typedef struct conn_slot {
    conn_phase phase;
    bool cut;                  /* shut down by the table; waiting for CLOSED */
    MHD_socket fd;             /* libmicrohttpd's; only shut down, never closed here */
    conn_addr addr;
    uint64_t waiting_since_ms; /* monotonic: accept, or the end of the previous answer */
} conn_slot;

/* The waiting connections of one address, in one eviction's tally. */
typedef struct addr_tally {
    conn_slot *oldest; /* NULL: a free entry; else also the entry's key (oldest->addr) */
    uint32_t waiting;
} addr_tally;

#define TALLY_SIZE (2u * API_CONNECTION_LIMIT)
_Static_assert((TALLY_SIZE & (TALLY_SIZE - 1u)) == 0u, "the tally's size is a power of two");

struct api_conns {
    pthread_mutex_t lock;
    pthread_cond_t wake;       /* signalled by api_conns_stop */
    pthread_t sweeper;
    bool stopping;             /* under lock */
    uint32_t open;             /* entries in use; under lock */
    uint32_t cut_pending;      /* entries cut and not yet closed; under lock */
    atomic_uint_fast64_t cuts[API_CUT_REASON_COUNT];
    atomic_uint_fast64_t refused[API_REFUSAL_COUNT];
    uint64_t cuts_logged[API_CUT_REASON_COUNT];    /* the sweeper's own */
    uint64_t refused_logged[API_REFUSAL_COUNT];    /* the sweeper's own */
    uint64_t logged_at_ms;                      /* the sweeper's own; 0: never */
    conn_slot slots[API_CONNECTION_LIMIT];
    addr_tally tally[TALLY_SIZE]; /* eviction's scratch; under lock */
};

static uint64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void lock(api_conns *c) {
    int rc = pthread_mutex_lock(&c->lock);
    PETROD_ASSERT(rc == 0);
}

static void unlock(api_conns *c) {
    int rc = pthread_mutex_unlock(&c->lock);
    PETROD_ASSERT(rc == 0);
}

/* The entry of conn, or NULL when it has none (the table was full). */
static conn_slot *slot_of(struct MHD_Connection *conn) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci != NULL ? ci->socket_context : NULL;
}

/* Close s's connection (under lock): its thread sees the end of its input and ends it. */
static void cut(api_conns *c, conn_slot *s, api_conn_cut reason) {
    PETROD_ASSERT_HELD(&c->lock);
    PETROD_ASSERT(s->phase != PHASE_FREE);
    PETROD_ASSERT(!s->cut);
    s->cut = true;
    c->cut_pending++;
    (void)shutdown(s->fd, SHUT_RDWR); /* ENOTCONN: the peer is gone already; fine */
    atomic_fetch_add(&c->cuts[reason], 1u);
}

/* ------------------------------------------------------------ eviction */

static conn_addr addr_of(const struct sockaddr *sa) {
    conn_addr a;
    memset(&a, 0, sizeof a);
    if (sa != NULL && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        memcpy(a.bytes, &in->sin_addr, 4);
        a.size = 4;
    } else if (sa != NULL && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        bool mapped = IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr);
        memcpy(a.bytes, mapped ? &in6->sin6_addr.s6_addr[12] : in6->sin6_addr.s6_addr,
               mapped ? 4u : 16u);
        a.size = mapped ? 4u : 16u;
    }
    return a;
}

static bool addr_equal(const conn_addr *a, const conn_addr *b) {
    return a->size == b->size && memcmp(a->bytes, b->bytes, a->size) == 0;
}

/* FNV-1a of the address. */
static uint32_t addr_hash(const conn_addr *a) {
    uint32_t h = 2166136261u ^ a->size;
    for (size_t i = 0; i < a->size; i++) {
        h = (h ^ a->bytes[i]) * 16777619u;
    }
    return h;
}

/* The tally entry of address a: its own, or the free one where it goes. The tally never
 * holds more than API_CONNECTION_LIMIT addresses, so a free entry is always found. */
static addr_tally *tally_find(addr_tally *t, const conn_addr *a) {
    uint32_t i = addr_hash(a) & (TALLY_SIZE - 1u);
    while (t[i].oldest != NULL && !addr_equal(&t[i].oldest->addr, a)) {
        i = (i + 1u) & (TALLY_SIZE - 1u);
    }
    return &t[i];
}

static bool evictable(const conn_slot *s, const conn_slot *except) {
    return s != except && !s->cut && (s->phase == PHASE_HEADERS || s->phase == PHASE_BODY);
}

/* The connection to evict (under lock): of the client address with the most connections
 * waiting for a request, the one that has waited longest; between addresses with as many,
 * the one whose oldest has waited longest. NULL if no connection but except is waiting. A
 * flood from one address so never evicts another client's connection; from many addresses
 * (or through one proxy) the longest-waiting connection goes first. */
static conn_slot *eviction_victim(api_conns *c, const conn_slot *except) {
    PETROD_ASSERT_HELD(&c->lock);
    memset(c->tally, 0, sizeof c->tally);
    for (size_t i = 0; i < API_CONNECTION_LIMIT; i++) {
        conn_slot *s = &c->slots[i];
        if (!evictable(s, except)) {
            continue;
        }
        addr_tally *e = tally_find(c->tally, &s->addr);
        if (e->oldest == NULL || s->waiting_since_ms < e->oldest->waiting_since_ms) {
            e->oldest = s;
        }
        e->waiting++;
    }
    const addr_tally *best = NULL;
    for (size_t i = 0; i < TALLY_SIZE; i++) {
        const addr_tally *e = &c->tally[i];
        if (e->oldest != NULL &&
            (best == NULL || e->waiting > best->waiting ||
             (e->waiting == best->waiting &&
              e->oldest->waiting_since_ms < best->oldest->waiting_since_ms))) {
            best = e;
        }
    }
    return best != NULL ? best->oldest : NULL;
}

enum MHD_Result api_conns_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen) {
    api_conns *c = cls;
    PETROD_ASSERT(c != NULL);
    (void)addrlen; /* addr's family says how much of it to read */
    conn_addr a = addr_of(addr);
    lock(c);
    bool refuse = false;
    if (c->cut_pending >= API_CONNECTION_REAP_LAG_MAX) {
        const conn_slot *victim = eviction_victim(c, NULL);
        refuse = victim != NULL && addr_equal(&victim->addr, &a);
    }
    unlock(c);
    if (refuse) {
        atomic_fetch_add(&c->refused[API_REFUSED_FLOOD], 1u);
    }
    return refuse ? MHD_NO : MHD_YES;
}

static conn_slot *free_slot(api_conns *c) {
    for (size_t i = 0; i < API_CONNECTION_LIMIT; i++) {
        if (c->slots[i].phase == PHASE_FREE) {
            return &c->slots[i];
        }
    }
    return NULL;
}

static void conn_started(api_conns *c, struct MHD_Connection *conn, void **socket_context) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *ai =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    *socket_context = NULL;
    if (ci == NULL) {
        return; /* cannot happen in libmicrohttpd 0.9.75: the socket is known at STARTED */
    }
    lock(c);
    conn_slot *s = free_slot(c);
    if (s == NULL) {
        /* More connections than libmicrohttpd's limit, which is the table's size: refuse it
         * rather than keep a connection no deadline covers. */
        unlock(c);
        (void)shutdown(ci->connect_fd, SHUT_RDWR);
        return;
    }
    *s = (conn_slot){.phase = PHASE_HEADERS, .fd = ci->connect_fd,
                     .addr = addr_of(ai != NULL ? ai->client_addr : NULL),
                     .waiting_since_ms = mono_ms()};
    c->open++;
    PETROD_ASSERT(c->open <= API_CONNECTION_LIMIT);
    if (c->open - c->cut_pending > API_CONNECTION_LIMIT - API_CONNECTION_HEADROOM) {
        conn_slot *victim = eviction_victim(c, s);
        if (victim != NULL) {
            cut(c, victim, API_CUT_EVICTED);
        }
    }
    unlock(c);
    *socket_context = s;
}

static void conn_closed(api_conns *c, void **socket_context) {
    conn_slot *s = *socket_context;
    if (s == NULL) {
        return;
    }
    lock(c);
    PETROD_ASSERT(s->phase != PHASE_FREE);
    PETROD_ASSERT(c->open > 0);
    if (s->cut) {
        PETROD_ASSERT(c->cut_pending > 0);
        c->cut_pending--;
    }
    c->open--;
    *s = (conn_slot){.phase = PHASE_FREE, .fd = MHD_INVALID_SOCKET};
    unlock(c);
    *socket_context = NULL;
}

void api_conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                      enum MHD_ConnectionNotificationCode code) {
    api_conns *c = cls;
    PETROD_ASSERT(c != NULL);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_started(c, conn, socket_context);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        conn_closed(c, socket_context);
    }
}

/* ------------------------------------------------------------ request phases */

void api_conns_headers_done(api_conns *c, struct MHD_Connection *conn) {
    conn_slot *s = slot_of(conn);
    if (s == NULL) {
        return;
    }
    lock(c);
    if (!s->cut && s->phase == PHASE_HEADERS) {
        s->phase = PHASE_BODY;
    }
    unlock(c);
}

bool api_conns_request_done(api_conns *c, struct MHD_Connection *conn) {
    conn_slot *s = slot_of(conn);
    if (s == NULL) {
        return true;
    }
    lock(c);
    bool alive = !s->cut;
    if (alive) {
        s->phase = PHASE_HANDLING;
    }
    unlock(c);
    return alive;
}

void api_conns_answered(api_conns *c, struct MHD_Connection *conn) {
    conn_slot *s = slot_of(conn);
    if (s == NULL) {
        return;
    }
    lock(c);
    if (!s->cut) {
        s->phase = PHASE_HEADERS;
        s->waiting_since_ms = mono_ms();
    }
    unlock(c);
}

const char *api_conn_cut_name(api_conn_cut reason) {
    static const char *const NAMES[API_CUT_REASON_COUNT] = {
        [API_CUT_HEADERS_DEADLINE] = "headers_deadline",
        [API_CUT_REQUEST_DEADLINE] = "request_deadline",
        [API_CUT_EVICTED] = "evicted",
    };
    PETROD_ASSERT(reason < API_CUT_REASON_COUNT);
    return NAMES[reason];
}

uint64_t api_conns_cut_count(const api_conns *c, api_conn_cut reason) {
    PETROD_ASSERT(reason < API_CUT_REASON_COUNT);
    return atomic_load(&c->cuts[reason]);
}

void api_conns_note_refused(api_conns *c) {
    atomic_fetch_add(&c->refused[API_REFUSED_LIMIT], 1u);
}

const char *api_conn_refusal_name(api_conn_refusal reason) {
    static const char *const NAMES[API_REFUSAL_COUNT] = {
        [API_REFUSED_LIMIT] = "limit",
        [API_REFUSED_FLOOD] = "flood",
    };
    PETROD_ASSERT(reason < API_REFUSAL_COUNT);
    return NAMES[reason];
}

uint64_t api_conns_refused_count(const api_conns *c, api_conn_refusal reason) {
    PETROD_ASSERT(reason < API_REFUSAL_COUNT);
    return atomic_load(&c->refused[reason]);
}

/* ------------------------------------------------------------ the sweeper */

/* Cut every live entry past its deadline (under lock). */
static void sweep(api_conns *c, uint64_t now_ms) {
    PETROD_ASSERT_HELD(&c->lock);
    for (size_t i = 0; i < API_CONNECTION_LIMIT; i++) {
        conn_slot *s = &c->slots[i];
        if (s->cut || (s->phase != PHASE_HEADERS && s->phase != PHASE_BODY)) {
            continue;
        }
        bool headers = s->phase == PHASE_HEADERS;
        uint64_t limit_ms = 1000u * (headers ? API_HEADERS_DEADLINE_S : API_REQUEST_DEADLINE_S);
        if (now_ms - s->waiting_since_ms >= limit_ms) {
            cut(c, s, headers ? API_CUT_HEADERS_DEADLINE : API_CUT_REQUEST_DEADLINE);
        }
    }
}

/* One warning line for the cuts since the last one, at most every CONNS_LOG_INTERVAL_MS. */
static void report(api_conns *c, uint64_t now_ms) {
    if (c->logged_at_ms != 0 && now_ms - c->logged_at_ms < CONNS_LOG_INTERVAL_MS) {
        return;
    }
    uint64_t d[API_CUT_REASON_COUNT];
    uint64_t total = 0;
    for (size_t r = 0; r < API_CUT_REASON_COUNT; r++) {
        uint64_t now = atomic_load(&c->cuts[r]);
        d[r] = now - c->cuts_logged[r];
        c->cuts_logged[r] = now;
        total += d[r];
    }
    uint64_t rd[API_REFUSAL_COUNT];
    for (size_t r = 0; r < API_REFUSAL_COUNT; r++) {
        uint64_t now = atomic_load(&c->refused[r]);
        rd[r] = now - c->refused_logged[r];
        c->refused_logged[r] = now;
        total += rd[r];
    }
    if (total == 0) {
        return;
    }
    c->logged_at_ms = now_ms;
    log_warn("api: slow clients or an attack: closed %llu connections without headers after "
             "%u s, %llu without the whole request after %u s, evicted %llu near the limit of "
             "%u connections, refused %llu from the flooding address and %llu at the limit; "
             "next report in %u s at the earliest",
             (unsigned long long)d[API_CUT_HEADERS_DEADLINE], API_HEADERS_DEADLINE_S,
             (unsigned long long)d[API_CUT_REQUEST_DEADLINE], API_REQUEST_DEADLINE_S,
             (unsigned long long)d[API_CUT_EVICTED], API_CONNECTION_LIMIT,
             (unsigned long long)rd[API_REFUSED_FLOOD], (unsigned long long)rd[API_REFUSED_LIMIT],
             CONNS_LOG_INTERVAL_MS / 1000u);
}


static void *sweeper_main(void *arg) {
    api_conns *c = arg;
    for (;;) {
        lock(c);
        if (!c->stopping) {
            sweep(c, mono_ms());
            struct timespec until = deadline_after_ms(API_CONNS_SWEEP_MS);
            (void)pthread_cond_timedwait(&c->wake, &c->lock, &until); /* ETIMEDOUT: sweep */
        }
        bool stopping = c->stopping;
        unlock(c);
        if (stopping) {
            return NULL;
        }
        report(c, mono_ms());
    }
}

/* ------------------------------------------------------------ lifecycle */

static bool init_sync(api_conns *c) {
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) {
        return false;
    }
    bool ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
              pthread_cond_init(&c->wake, &attr) == 0;
    pthread_condattr_destroy(&attr);
    if (ok && pthread_mutex_init(&c->lock, NULL) != 0) {
        pthread_cond_destroy(&c->wake);
        ok = false;
    }
    return ok;
}

petro_result api_conns_start(api_conns **out) {
    *out = NULL;
    api_conns *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return PETRO_ERR_NOMEM;
    }
    for (size_t i = 0; i < API_CONNECTION_LIMIT; i++) {
        c->slots[i] = (conn_slot){.phase = PHASE_FREE, .fd = MHD_INVALID_SOCKET};
    }
    for (size_t r = 0; r < API_CUT_REASON_COUNT; r++) {
        atomic_init(&c->cuts[r], 0u);
    }
    for (size_t r = 0; r < API_REFUSAL_COUNT; r++) {
        atomic_init(&c->refused[r], 0u);
    }
    if (!init_sync(c)) {
        free(c);
        return PETRO_ERR_NOMEM;
    }
    if (pthread_create(&c->sweeper, NULL, sweeper_main, c) != 0) {
        pthread_cond_destroy(&c->wake);
        pthread_mutex_destroy(&c->lock);
        free(c);
        return PETRO_ERR_NOMEM;
    }
    *out = c;
    return PETRO_OK;
}

void api_conns_stop(api_conns *c) {
    if (c == NULL) {
        return;
    }
    lock(c);
    c->stopping = true;
    int rc = pthread_cond_signal(&c->wake);
    unlock(c);
    PETROD_ASSERT(rc == 0);
    rc = pthread_join(c->sweeper, NULL);
    PETROD_ASSERT(rc == 0);
    PETROD_DEBUG_ASSERT(c->open == 0); /* MHD_stop_daemon reported every close */
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    free(c);
}
