/* petrod: the node daemon.
 *
 *   petrod devnet --data DIR [options]   create a devnet in DIR on first start, then run it
 *   petrod run    --data DIR [options]   run an existing data directory
 *
 * Startup: parse flags (any unknown flag or bad value: one line on stderr, exit 2), ensure
 * the data directory, open the node, start the HTTP API, print the banner ending in "ready".
 * SIGINT/SIGTERM are blocked in every thread and taken with sigwait here, so shutdown runs
 * on the main thread in a fixed order: node_stop (waiters return), api_stop (connections
 * end), node_close (producer finishes its block, LMDB closes). Exit 0 after a clean
 * shutdown, 1 on a runtime failure, 2 on a usage error, 3 when the data directory cannot be
 * used as it is (datadir_inspect, and before it a ledger/data.mdb that is truncated, empty or
 * unreadable, store_lmdb_check_file: one line on stderr saying why and what to do). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "api/listen.h"
#include "checkpoint.h"
#include "devnet.h"
#include "log.h"
#include "mempool.h"
#include "node.h"
#include "ordering.h"
#include "sigpool.h"
#include "store_lmdb.h"
#include "verify.h"

#define PETROD_VERSION "0.1.0"
#define PETROD_EXIT_DATADIR 3
#define HOST_SIZE_MAX 64

typedef struct options {
    bool is_devnet;
    char host[HOST_SIZE_MAX];
    uint16_t port;
    node_config cfg;
    char cluster_file[PATH_MAX]; /* --cluster: run as a validator of an etcd cluster */
    char web_root[PATH_MAX];     /* --web: the explorer's pages, served at /; "" = none */
#ifdef PETROD_TEST_FAULTS
    api_faults api_faults; /* petrod-test only: read_test_faults */
    bool fault_diverge;
    const char *fault_checkpoint_fail_file;
#endif
} options;

static void usage(FILE *out) {
    fprintf(out,
            "usage: petrod devnet --data DIR [options]   create DIR with a devnet genesis on "
            "first start, then run it\n"
            "       petrod run --data DIR [options]      run an existing data directory\n"
            "       petrod verify --data DIR             replay every stored block from genesis "
            "and compare with the stored state\n"
            "options:\n"
            "  --http HOST:PORT          listen address, an IP literal (default 127.0.0.1:8420;"
            " IPv6 as [::1]:8420; port 0 picks one)\n"
            "  --block-interval-ms N     cut a block every N ms while transactions wait "
            "(default 200)\n"
            "  --block-max-txs N         transactions per block, 1..%u (default 8000)\n"
            "  --block-max-ops N         operations per block (default 8000; a larger "
            "transaction gets a block of its own)\n"
            "  --mempool-max N           pending transactions, 1..%u (default 100000)\n"
            "  --sig-threads N           signature workers, 0..%u (default: number of cores)\n"
            "  --map-size-mb N           LMDB map size in MiB (default 8192)\n"
            "  --check-invariants        full invariant scan after every block; abort on a "
            "violation\n"
            "  --log-level LEVEL         debug, info, warn or error (default info)\n"
            "  --cluster FILE            run as a validator of an etcd-ordered cluster "
            "(docs/operations.md)\n"
            "  --web DIR                 serve the explorer's pages from DIR (the repository's "
            "web/) at / (default: no pages)\n"
            "  --checkpoint-interval N   blocks between proof-of-reserves checkpoints, 1..%u "
            "(default %u)\n"
            "  --validator-wallet FILE   wallet whose key signs blocks and checkpoints "
            "(default DIR/validator.json)\n"
            "  --scrub-interval-s N      read and check every stored value every N seconds "
            "(default 3600; 0 = only at start-up)\n"
            "                            passphrase of an encrypted one: environment variable "
            "PETRO_VALIDATOR_PASSPHRASE\n"
            "                            with --cluster it is ignored: the cluster file's key_file "
            "signs them\n"
            "       petrod cluster-init --validators N --dir DIR   set up a local cluster\n",
            (unsigned)PETRO_BLOCK_TX_COUNT_MAX, (unsigned)MEMPOOL_TX_COUNT_MAX,
            (unsigned)SIGPOOL_THREAD_COUNT_MAX, (unsigned)CHECKPOINT_INTERVAL_MAX,
            (unsigned)CHECKPOINT_INTERVAL_DEFAULT);
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static _Noreturn void usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("petrod: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (see petrod --help)\n", stderr);
    va_end(ap);
    exit(2);
}

static uint64_t parse_u64(const char *flag, const char *text, uint64_t min, uint64_t max) {
    if (text[0] < '0' || text[0] > '9') usage_error("%s: '%s' is not a number", flag, text);
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0') {
        usage_error("%s: '%s' is not a number", flag, text);
    }
    if (v < min || v > max) {
        usage_error("%s: %s is out of range %" PRIu64 "..%" PRIu64, flag, text, min, max);
    }
    return (uint64_t)v;
}

#ifdef PETROD_TEST_FAULTS
/* petrod-test only (petrod/api/faults.h; the shipped petrod has no fault switch): the test
 * fault switches, read once here from the environment, which a test sets per process.
 *   PETRO_TEST_FAULT_REFUSE_BATCH=FILE  POST /v1/transactions/batch: 503 while FILE exists
 *   PETRO_TEST_FAULT_SERVE_FORK=H       GET /v1/blocks: a forged chain from height H on
 *   PETRO_TEST_FAULT_DIVERGE=1          a cluster validator attests a wrong state hash
 *   PETRO_TEST_FAULT_CHECKPOINT_FAIL=FILE  every checkpoint fails while FILE exists */
static void read_test_faults(options *o) {
    o->api_faults.refuse_batch_file = getenv("PETRO_TEST_FAULT_REFUSE_BATCH");
    const char *fork = getenv("PETRO_TEST_FAULT_SERVE_FORK");
    if (fork != NULL) {
        o->api_faults.serve_fork_from =
            parse_u64("PETRO_TEST_FAULT_SERVE_FORK", fork, 1, UINT64_MAX);
    }
    o->fault_diverge = getenv("PETRO_TEST_FAULT_DIVERGE") != NULL;
    o->fault_checkpoint_fail_file = getenv("PETRO_TEST_FAULT_CHECKPOINT_FAIL");
}
#endif

/* HOST:PORT with HOST an IPv4 literal or a bracketed IPv6 literal. */
static void parse_http(options *o, const char *text) {
    const char *colon;
    const char *host = text;
    size_t host_len;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':') usage_error("--http: '%s' is not [IPV6]:PORT", text);
        host = text + 1;
        host_len = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL) usage_error("--http: '%s' is not HOST:PORT", text);
        host_len = (size_t)(colon - text);
    }
    if (host_len == 0 || host_len >= sizeof o->host) usage_error("--http: bad host in '%s'", text);
    memcpy(o->host, host, host_len);
    o->host[host_len] = '\0';
    unsigned char addr[16];
    if (inet_pton(AF_INET, o->host, addr) != 1 && inet_pton(AF_INET6, o->host, addr) != 1) {
        usage_error("--http: host '%s' is not an IP address literal", o->host);
    }
    o->port = (uint16_t)parse_u64("--http port", colon + 1, 0, 65535);
}

static void parse_args(options *o, int argc, char **argv) {
    memset(o, 0, sizeof *o);
    node_config_default(&o->cfg);
    memcpy(o->host, "127.0.0.1", sizeof "127.0.0.1");
    o->port = 8420;
    if (argc < 2) usage_error("missing command: devnet or run");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        exit(0);
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("petrod %s\n", PETROD_VERSION);
        exit(0);
    }
    if (strcmp(argv[1], "cluster-init") == 0) exit(cluster_init_main(argc, argv));
    if (strcmp(argv[1], "devnet") == 0) {
        o->is_devnet = true;
    } else if (strcmp(argv[1], "run") != 0) {
        usage_error("unknown command '%s' (expected devnet or run)", argv[1]);
    }
    bool has_data = false;
    for (int i = 2; i < argc; i++) {
        char flag[64];
        const char *arg = argv[i];
        const char *value = NULL;
        const char *eq = strchr(arg, '=');
        size_t flag_len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
        if (flag_len >= sizeof flag) usage_error("unknown flag '%s'", arg);
        memcpy(flag, arg, flag_len);
        flag[flag_len] = '\0';
        if (eq != NULL) value = eq + 1;

        if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strcmp(flag, "--check-invariants") == 0) {
            if (value != NULL) usage_error("--check-invariants takes no value");
            o->cfg.check_invariants = true;
            continue;
        }
        static const char *const with_value[] = {"--data",        "--http",
                                                 "--block-interval-ms", "--block-max-txs",
                                                 "--block-max-ops",
                                                 "--mempool-max", "--sig-threads",
                                                 "--map-size-mb", "--log-level",
                                                 "--cluster", "--checkpoint-interval",
                                                 "--validator-wallet", "--web",
                                                 "--scrub-interval-s"};
        bool is_known = false;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++) {
            if (strcmp(flag, with_value[k]) == 0) is_known = true;
        }
        if (!is_known) usage_error("unknown flag '%s'", arg);
        if (value == NULL) {
            if (i + 1 >= argc) usage_error("%s needs a value", flag);
            value = argv[++i];
        }
        if (strcmp(flag, "--data") == 0) {
            size_t len = strlen(value);
            if (len == 0 || len >= sizeof o->cfg.data_dir - 32) usage_error("--data: bad path");
            memcpy(o->cfg.data_dir, value, len + 1);
            /* Trailing slashes would make the sibling temp dir land inside DIR. */
            while (len > 1 && o->cfg.data_dir[len - 1] == '/') o->cfg.data_dir[--len] = '\0';
            has_data = true;
        } else if (strcmp(flag, "--http") == 0) {
            parse_http(o, value);
        } else if (strcmp(flag, "--block-interval-ms") == 0) {
            o->cfg.block_interval_ms = (uint32_t)parse_u64(flag, value, 1, 3600000);
        } else if (strcmp(flag, "--block-max-txs") == 0) {
            o->cfg.block_tx_count_max =
                (uint32_t)parse_u64(flag, value, 1, PETRO_BLOCK_TX_COUNT_MAX);
        } else if (strcmp(flag, "--block-max-ops") == 0) {
            o->cfg.block_op_count_max = (uint32_t)parse_u64(flag, value, 1, UINT32_MAX);
        } else if (strcmp(flag, "--mempool-max") == 0) {
            o->cfg.mempool_tx_count_max = (uint32_t)parse_u64(flag, value, 1, MEMPOOL_TX_COUNT_MAX);
        } else if (strcmp(flag, "--sig-threads") == 0) {
            o->cfg.sig_thread_count = (uint32_t)parse_u64(flag, value, 0, SIGPOOL_THREAD_COUNT_MAX);
        } else if (strcmp(flag, "--map-size-mb") == 0) {
            uint64_t mb = parse_u64(flag, value, 1, (uint64_t)1 << 24);
            if (mb > SIZE_MAX >> 20) usage_error("--map-size-mb: too large for this machine");
            o->cfg.map_size = (size_t)mb << 20;
        } else if (strcmp(flag, "--cluster") == 0) {
            if (strlen(value) == 0 || strlen(value) >= sizeof o->cluster_file) {
                usage_error("--cluster: bad path");
            }
            memcpy(o->cluster_file, value, strlen(value) + 1);
        } else if (strcmp(flag, "--web") == 0) {
            if (strlen(value) == 0 || strlen(value) >= sizeof o->web_root) {
                usage_error("--web: bad path");
            }
            memcpy(o->web_root, value, strlen(value) + 1);
        } else if (strcmp(flag, "--checkpoint-interval") == 0) {
            o->cfg.checkpoint_interval =
                (uint32_t)parse_u64(flag, value, 1, CHECKPOINT_INTERVAL_MAX);
        } else if (strcmp(flag, "--scrub-interval-s") == 0) {
            o->cfg.scrub_interval_s =
                (uint32_t)parse_u64(flag, value, 0, NODE_SCRUB_INTERVAL_S_MAX);
        } else if (strcmp(flag, "--validator-wallet") == 0) {
            size_t len = strlen(value);
            if (len == 0 || len >= sizeof o->cfg.validator_wallet) {
                usage_error("--validator-wallet: bad path");
            }
            memcpy(o->cfg.validator_wallet, value, len + 1);
        } else if (strcmp(flag, "--log-level") == 0) {
            if (strcmp(value, "debug") == 0) log_set_level(LOG_LEVEL_DEBUG);
            else if (strcmp(value, "info") == 0) log_set_level(LOG_LEVEL_INFO);
            else if (strcmp(value, "warn") == 0) log_set_level(LOG_LEVEL_WARN);
            else if (strcmp(value, "error") == 0) log_set_level(LOG_LEVEL_ERROR);
            else usage_error("--log-level: '%s' is not debug, info, warn or error", value);
        }
    }
    if (!has_data) usage_error("--data DIR is required");
    /* Not a flag: argv is visible to every user of the machine (ps), the environment only to
     * the same user and root. Same convention as the CLI's PETRO_PASSPHRASE. */
    o->cfg.validator_passphrase = getenv("PETRO_VALIDATOR_PASSPHRASE");
#ifdef PETROD_TEST_FAULTS
    read_test_faults(o);
#endif
}

/* One line on stderr: "petrod: <what><arg>: <reason>"; returns the exit status 1. */
static int fail(const char *what, const char *arg, petro_result r) {
    fprintf(stderr, "petrod: %s%s: %s\n", what, arg, petro_result_str(r));
    return 1;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) return verify_main(argc, argv);
    options o;
    parse_args(&o, argc, argv);

    /* Before any thread exists: every thread inherits this mask, so only sigwait below
     * receives SIGINT/SIGTERM. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &stop_signals, NULL) != 0) {
        fputs("petrod: cannot block signals\n", stderr);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    petro_result r = petro_crypto_init();
    if (r != PETRO_OK) return fail("cannot initialise libsodium", "", r);

    /* First of all: a busy --http address is one line, and nothing on disk is touched. */
    char listen_why[256];
    if (!api_listen_check(o.host, o.port, listen_why, sizeof listen_why)) {
        fprintf(stderr, "petrod: %s\n", listen_why);
        return 1;
    }

    /* Before anything is created or opened: an old, foreign, incomplete or damaged data
     * directory, or one of the other role, is refused by name and left as it is. */
    datadir_use use = o.is_devnet                ? DATADIR_USE_DEVNET
                      : o.cluster_file[0] != '\0' ? DATADIR_USE_CLUSTER
                                                  : DATADIR_USE_RUN;
    char why[3 * PATH_MAX + 512];
    if (store_lmdb_ledger_refused(o.cfg.data_dir, why, sizeof why)) {
        fprintf(stderr, "petrod: %s\n", why);
        return PETROD_EXIT_DATADIR;
    }
    datadir_status ds = datadir_inspect(o.cfg.data_dir, use, why, sizeof why);
    if (ds == DATADIR_UNUSABLE || (ds == DATADIR_MISSING && !o.is_devnet)) {
        fprintf(stderr, "petrod: %s\n", why);
        return PETROD_EXIT_DATADIR;
    }
    if (o.is_devnet) {
        bool created = false;
        r = devnet_ensure(o.cfg.data_dir, o.cfg.map_size, true, &created);
        if (r != PETRO_OK) return fail("cannot set up a devnet in ", o.cfg.data_dir, r);
        log_info("%s devnet in %s", created ? "created a new" : "resuming the", o.cfg.data_dir);
    }
    char resolved[PATH_MAX];
    if (realpath(o.cfg.data_dir, resolved) != NULL && strlen(resolved) < sizeof o.cfg.data_dir) {
        memcpy(o.cfg.data_dir, resolved, strlen(resolved) + 1);
    }

    ordering *ord = NULL;
    if (o.cluster_file[0] != '\0') {
        ordering_config ocfg;
        r = ordering_config_load(&ocfg, o.cluster_file);
        if (r != PETRO_OK) return fail("cannot use the cluster file ", o.cluster_file, r);
#ifdef PETROD_TEST_FAULTS
        ocfg.fault_diverge = o.fault_diverge;
#endif
        petro_hash network_id;
        r = cluster_network_id(o.cfg.data_dir, &network_id);
        if (r == PETRO_OK) r = ordering_open(&ord, &ocfg, &network_id);
        if (r != PETRO_OK) {
            return fail("cannot start the cluster ordering from ", o.cluster_file, r);
        }
        o.cfg.ordering = ord;
        o.cfg.block_bytes_max = ocfg.block_bytes_max;
        _Static_assert(sizeof o.cfg.cluster_key_file == sizeof ocfg.key_file, "key_file size");
        memcpy(o.cfg.cluster_key_file, ocfg.key_file, sizeof ocfg.key_file);
    }

    node *n = NULL;
    r = node_open(&n, &o.cfg);
    if (r != PETRO_OK) {
        ordering_close(ord);
        (void)fail("cannot open the node in ", o.cfg.data_dir, r);
        /* Damaged storage is a refusal of the data directory, like a truncated file. */
        return r == PETRO_ERR_CORRUPT ? PETROD_EXIT_DATADIR : 1;
    }

    r = api_auth_init(o.cfg.data_dir);
    if (r != PETRO_OK) {
        node_close(n);
        return fail("cannot set up the admin token in ", o.cfg.data_dir, r);
    }
    api *a = NULL;
    api_config acfg = {.host = o.host, .port = o.port,
                       .web_root = o.web_root[0] != '\0' ? o.web_root : NULL};
#ifdef PETROD_TEST_FAULTS
    acfg.faults = o.api_faults;
#endif
    r = api_start(&a, n, &acfg);
    if (r != PETRO_OK) {
        if (!api_listen_check(o.host, o.port, listen_why, sizeof listen_why)) {
            fprintf(stderr, "petrod: %s\n", listen_why); /* taken since the check above */
        } else {
            fprintf(stderr, "petrod: cannot serve HTTP on %s port %u: %s\n", o.host,
                    (unsigned)o.port, petro_result_str(r));
        }
        api_auth_clear();
        node_close(n);
        ordering_close(ord);
        return 1;
    }
    char url[HOST_SIZE_MAX + 32];
    bool is_v6 = strchr(o.host, ':') != NULL;
    snprintf(url, sizeof url, "http://%s%s%s:%u", is_v6 ? "[" : "", o.host, is_v6 ? "]" : "",
             (unsigned)api_port(a));
    log_info("serving %s", url);
#ifdef PETROD_TEST_FAULTS
    if (o.fault_checkpoint_fail_file != NULL) {
        checkpoint_fault_fail_while(node_checkpoints(n), o.fault_checkpoint_fail_file);
    }
#endif
    checkpoint_start(node_checkpoints(n), n, &o.cfg); /* proof-of-reserves checkpoint */
    /* The key is loaded: wipe the passphrase from the environment block, which the same user
     * and root can read in /proc/PID/environ for the life of the process. */
    if (o.cfg.validator_passphrase != NULL) {
        sodium_memzero((char *)o.cfg.validator_passphrase, strlen(o.cfg.validator_passphrase));
        o.cfg.validator_passphrase = NULL;
    }
    devnet_print_banner(n, o.cfg.data_dir, url);

    int sig = 0;
    /* sigwait fails only on an invalid set; shut down cleanly then too. */
    int rc = sigwait(&stop_signals, &sig);
    if (rc != 0) log_error("sigwait: %s", strerror(rc));
    log_info("received %s; shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    node_stop(n);
    api_stop(a);
    api_auth_clear();
    node_close(n); /* also stops the checkpoint worker, which reads through the node */
    ordering_close(ord);
    log_info("stopped");
    return 0;
}
