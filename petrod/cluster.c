/* petrod cluster-init: the keys, genesis, data directories and cluster files of a local
 * N-validator cluster (docs/operations.md, "Cluster").
 *
 *   petrod cluster-init --validators N --dir DIR [--api-base-port P] [--etcd-base-port E]
 *
 * DIR/node1 is a devnet (devnet_ensure) whose ledger is then marked a cluster validator's
 * (meta "role"); node2..N get byte copies of its genesis.bin and ledger, so every validator
 * starts from the same state. DIR/wallets holds the demo wallets.
 * Validator i gets DIR/node<i>/validator.key and DIR/node<i>/cluster.conf; its API is
 * http://127.0.0.1:(P+i-1) and its etcd member serves clients on 127.0.0.1:(E+i). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest.h"
#include "devnet.h"
#include "log.h"
#include "ordering.h"
#include "store_lmdb.h"

/* snprintf for paths; paths are checked to be short enough up front (cluster_init_main). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void pathf(char *out, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

static int copy_file(const char *from, const char *to) {
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0 || write(out, buf, (size_t)n) != n) {
            rc = -1;
            break;
        }
    }
    if (fsync(out) != 0) rc = -1;
    close(in);
    if (close(out) != 0) rc = -1;
    return rc;
}

static int copy_dir_files(const char *from, const char *to, const char *const *names,
                          size_t count) {
    if (mkdir(to, 0700) != 0 && errno != EEXIST) return -1;
    for (size_t i = 0; i < count; i++) {
        char a[PATH_MAX], b[PATH_MAX];
        pathf(a, sizeof a, "%s/%s", from, names[i]);
        pathf(b, sizeof b, "%s/%s", to, names[i]);
        if (copy_file(a, b) != 0) {
            fprintf(stderr, "petrod: cannot copy %s to %s: %s\n", a, b, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static unsigned long arg_ul(const char *flag, const char *v, unsigned long min, unsigned long max) {
    char *end = NULL;
    unsigned long x = v != NULL ? strtoul(v, &end, 10) : 0;
    if (v == NULL || end == v || *end != '\0' || x < min || x > max) {
        fprintf(stderr, "petrod: cluster-init: %s needs a number in %lu..%lu\n", flag, min, max);
        exit(2);
    }
    return x;
}

int cluster_init_main(int argc, char **argv) {
    unsigned long count = 3, api_base = 8431, etcd_base = 23790;
    const char *dir = NULL;
    /* Every flag takes a value, so the loop steps over flag and value. */
    for (int i = 2; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--validators") == 0) {
            count = arg_ul(argv[i], v, 1, ORDERING_VALIDATOR_COUNT_MAX);
        } else if (strcmp(argv[i], "--dir") == 0 && v != NULL) {
            dir = v;
        } else if (strcmp(argv[i], "--api-base-port") == 0) {
            api_base = arg_ul(argv[i], v, 1, 65000);
        } else if (strcmp(argv[i], "--etcd-base-port") == 0) {
            etcd_base = arg_ul(argv[i], v, 1, 65000);
        } else {
            fprintf(stderr, "petrod: cluster-init: unknown or incomplete flag '%s' (usage: petrod "
                            "cluster-init --validators N --dir DIR [--api-base-port P] "
                            "[--etcd-base-port E])\n", argv[i]);
            return 2;
        }
    }
    if (dir == NULL) {
        fputs("petrod: cluster-init: --dir DIR is required\n", stderr);
        return 2;
    }
    if (petro_crypto_init() != PETRO_OK) return 1;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "petrod: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char absdir[PATH_MAX];
    if (realpath(dir, absdir) == NULL || strlen(absdir) > PATH_MAX - 256) {
        fprintf(stderr, "petrod: cannot use %s\n", dir);
        return 1;
    }
    char path[PATH_MAX], node1[PATH_MAX];
    pathf(path, sizeof path, "%s/cluster.done", absdir);
    if (access(path, F_OK) == 0) {
        printf("cluster in %s already initialised\n", absdir);
        return 0;
    }
    pathf(node1, sizeof node1, "%s/node1", absdir);
    bool created;
    petro_result r = devnet_ensure(node1, (size_t)1 << 30, false, &created);
    /* Before the copies: every node directory is a cluster validator's, which petrod devnet
     * and petrod run without --cluster refuse (it would fork away from its cluster). */
    if (r == PETRO_OK) r = datadir_set_role(node1, (size_t)1 << 30, STORE_ROLE_CLUSTER);
    if (r != PETRO_OK) {
        fprintf(stderr, "petrod: cannot create %s: %s\n", node1, petro_result_str(r));
        return 1;
    }
    static const char *const ledger[] = {"data.mdb", "state.mdb"};
    static const char *const genesis[] = {"genesis.bin"};
    char from[PATH_MAX], to[PATH_MAX];
    pathf(from, sizeof from, "%s/wallets", node1);
    pathf(to, sizeof to, "%s/wallets", absdir);
    DIR *d = opendir(from);
    if (d == NULL) return 1;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        const char *name = de->d_name;
        rc = copy_dir_files(from, to, &name, 1);
    }
    closedir(d);
    if (rc != 0) return 1;
    petro_pubkey pks[ORDERING_VALIDATOR_COUNT_MAX];
    for (unsigned long i = 1; i <= count; i++) {
        char nd[PATH_MAX];
        pathf(nd, sizeof nd, "%s/node%lu", absdir, i);
        if (i > 1) {
            pathf(from, sizeof from, "%s/ledger", node1);
            pathf(to, sizeof to, "%s/ledger", nd);
            if (copy_dir_files(node1, nd, genesis, 1) != 0 ||
                copy_dir_files(from, to, ledger, 2) != 0) {
                return 1;
            }
        }
        pathf(path, sizeof path, "%s/validator.key", nd);
        if (access(path, F_OK) == 0) unlink(path);
        if (attest_key_create(path, &pks[i - 1]) != PETRO_OK) return 1;
    }
    char endpoints[1024];
    for (unsigned long i = 1; i <= count; i++) {
        /* This node's own member first; the others are used when it is unreachable. */
        size_t len = 0;
        endpoints[0] = '\0';
        for (unsigned long k = 0; k < count; k++) {
            unsigned long m = (i - 1 + k) % count + 1;
            len += (size_t)snprintf(endpoints + len, sizeof endpoints - len,
                                    "%shttp://127.0.0.1:%lu", k > 0 ? "," : "", etcd_base + m);
        }
        pathf(path, sizeof path, "%s/node%lu/cluster.conf", absdir, i);
        FILE *f = fopen(path, "w");
        if (f == NULL) return 1;
        fprintf(f, "# petrod cluster file (docs/operations.md, \"Cluster\")\n");
        fprintf(f, "self = v%lu\nkey_file = %s/node%lu/validator.key\n", i, absdir, i);
        fprintf(f, "etcd = %s\nprefix = /petro/cluster/\n", endpoints);
        fprintf(f, "lease_ttl_s = 1\netcd_timeout_ms = 1000\nblock_bytes_max = 262144\n");
        fprintf(f, "retain_blocks = 1000\n");
        for (unsigned long k = 1; k <= count; k++) {
            char hex[65];
            petro_hex_encode(hex, pks[k - 1].bytes, 32);
            fprintf(f, "validator = v%lu %s http://127.0.0.1:%lu\n", k, hex, api_base + k - 1);
        }
        if (fclose(f) != 0) return 1;
    }
    pathf(path, sizeof path, "%s/cluster.done", absdir);
    FILE *f = fopen(path, "w");
    if (f == NULL || fclose(f) != 0) return 1;
    printf("initialised a %lu-validator cluster in %s\n", count, absdir);
    return 0;
}

petro_result cluster_network_id(const char *data_dir, petro_hash *out) {
    char path[PATH_MAX + 16];
    pathf(path, sizeof path, "%s/genesis.bin", data_dir);
    uint8_t *bytes = malloc(PETRO_GENESIS_SIZE_MAX);
    petro_genesis *g = malloc(sizeof *g);
    petro_result r = PETRO_ERR_NOMEM;
    FILE *f = bytes != NULL && g != NULL ? fopen(path, "rb") : NULL;
    if (f != NULL) {
        size_t n = fread(bytes, 1, PETRO_GENESIS_SIZE_MAX, f);
        fclose(f);
        r = petro_genesis_decode(g, bytes, n);
        if (r == PETRO_OK) r = petro_genesis_network_id(out, g);
    } else if (bytes != NULL && g != NULL) {
        r = PETRO_ERR_IO;
    }
    free(bytes);
    free(g);
    return r;
}
