/* petrod verify --data DIR [--map-size-mb N]
 *
 * An independent check of a data directory, used by the crash tests and by operators after an
 * incident. From genesis.bin it builds block 0 in an empty in-memory store, then replays every
 * stored block 1..tip with petro_ledger_apply_block (which re-checks signatures, roots and the
 * state hash of each header), and finally compares the replayed state with the LMDB state,
 * record by record (a digest over every key and value, in key order), and runs the full
 * invariant scan on the LMDB state. Reads only: one LMDB read transaction, so it may run
 * beside a live node (it checks the snapshot it sees).
 *
 * First, the start-up check petrod run makes (datadir_inspect, DATADIR_USE_VERIFY: a devnet's
 * or a cluster validator's directory): an old, newer, foreign, incomplete or damaged data
 * directory, or a ledger/data.mdb shorter than its LMDB metadata says (truncated, empty), is
 * refused with the reason petrod prints at start-up, before anything is opened or mapped.
 *
 * Output and exit status: one line "verified: height H, N blocks replayed, state hash X, K
 * state records identical, invariants hold" on stdout and 0; "petrod verify: <what>" on stderr
 * and 1 when verification fails (a mismatch, or a failure to read); 2 on a usage error; 3 when
 * the data directory cannot be used as it is ("petrod verify: <reason>", the reason petrod
 * run prints). It never changes the directory: LMDB is opened read-only (a reader slot in an
 * existing ledger/lock.mdb is all it writes; it creates none). */
#include "verify.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devnet.h"
#include "log.h"
#include "ordering.h"
#include "store_lmdb.h"

#define VERIFY_MAP_SIZE_DEFAULT ((size_t)8 << 30)
#define VERIFY_EXIT_DATADIR 3 /* as petrod's exit status for a refused data directory */

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int verify_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("petrod verify: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

/* Digest of a whole store: BLAKE2b over (u32 key size, key, u32 value size, value) in key
 * order, and the record count. */
typedef struct state_digest {
    petro_hasher h;
    uint64_t count;
} state_digest;

static void put_u32(petro_hasher *h, size_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    petro_hasher_update(h, b, sizeof b);
}

static int digest_cb(void *cb_ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                     size_t value_size) {
    state_digest *d = cb_ctx;
    put_u32(&d->h, key_size);
    petro_hasher_update(&d->h, key, key_size);
    put_u32(&d->h, value_size);
    petro_hasher_update(&d->h, value, value_size);
    d->count++;
    return 0;
}

static petro_result digest_store(const petro_store *s, petro_hash *out, uint64_t *count) {
    state_digest d;
    petro_hasher_init(&d.h);
    d.count = 0;
    petro_result r = s->iter(s->ctx, NULL, 0, digest_cb, &d);
    petro_hasher_final(&d.h, out);
    *count = d.count;
    return r;
}

static petro_result read_genesis(const char *dir, petro_genesis *g) {
    char path[PATH_MAX + 32];
    int len = snprintf(path, sizeof path, "%s/genesis.bin", dir);
    if (len < 0 || (size_t)len >= sizeof path) return PETRO_ERR_IO;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        verify_fail("cannot open %s: %s", path, strerror(errno));
        return PETRO_ERR_IO;
    }
    uint8_t *bytes = malloc(PETRO_GENESIS_SIZE_MAX + 1);
    if (bytes == NULL) {
        fclose(f);
        return PETRO_ERR_NOMEM;
    }
    size_t size = fread(bytes, 1, PETRO_GENESIS_SIZE_MAX + 1, f);
    fclose(f);
    petro_result r = size > PETRO_GENESIS_SIZE_MAX ? PETRO_ERR_CORRUPT
                                                   : petro_genesis_decode(g, bytes, size);
    free(bytes);
    if (r != PETRO_OK) verify_fail("%s does not decode: %s", path, petro_result_str(r));
    return r;
}

typedef struct verify_ctx {
    petro_genesis *g;
    ordering_config *cluster; /* DIR/cluster.conf of a cluster validator, or NULL */
    petro_pubkey proposer;    /* alone: the ledger's proposer key */
    store_lmdb *lmdb;
    store_txn t;
    petro_store mem_store;
    petro_store_mem *mem;
    petro_ledger *l;
} verify_ctx;

/* At the stored state's tip: the replayed state must be the stored one, record by record.
 * Called with the replay at the tip's height (height 0 first: genesis). Logs the failure. */
static petro_result compare_at_tip(verify_ctx *v, const petro_ledger_tip *tip, petro_hash *d_mem,
                                   petro_hash *d_lmdb, uint64_t *n_mem, uint64_t *n_lmdb) {
    petro_ledger_tip replayed;
    petro_result r = petro_ledger_tip_get(&v->mem_store, &replayed);
    if (r != PETRO_OK) {
        verify_fail("replayed state has no tip");
        return PETRO_ERR_CORRUPT;
    }
    if (replayed.height != tip->height) return PETRO_OK; /* not there yet */
    if (!petro_hash_equal(&replayed.state_hash, &tip->state_hash) ||
        !petro_hash_equal(&replayed.block_hash, &tip->block_hash)) {
        verify_fail("replayed tip differs from the stored tip at height %" PRIu64, tip->height);
        return PETRO_ERR_CORRUPT;
    }
    r = digest_store(&v->mem_store, d_mem, n_mem);
    if (r == PETRO_OK) r = digest_store(&v->t.store, d_lmdb, n_lmdb);
    if (r != PETRO_OK) {
        verify_fail("cannot scan the state: %s", petro_result_str(r));
        return r;
    }
    if (*n_mem != *n_lmdb || !petro_hash_equal(d_mem, d_lmdb)) {
        verify_fail("stored state (%" PRIu64 " records) differs from the replayed state "
                    "(%" PRIu64 " records)", *n_lmdb, *n_mem);
        return PETRO_ERR_CORRUPT;
    }
    return PETRO_OK;
}

static int run(verify_ctx *v, const char *dir, size_t map_size) {
    petro_result r = read_genesis(dir, v->g);
    if (r != PETRO_OK) return 1;
    char ledger_dir[PATH_MAX + 32];
    int len = snprintf(ledger_dir, sizeof ledger_dir, "%s/ledger", dir);
    if (len < 0 || (size_t)len >= sizeof ledger_dir) return verify_fail("path too long");
    r = store_lmdb_open_readonly(&v->lmdb, ledger_dir, map_size);
    if (r != PETRO_OK) return verify_fail("cannot open %s: %s", ledger_dir, petro_result_str(r));
    r = store_txn_begin(v->lmdb, false, &v->t);
    if (r != PETRO_OK) return verify_fail("cannot read the ledger: %s", petro_result_str(r));

    petro_ledger_tip tip;
    r = petro_ledger_tip_get(&v->t.store, &tip);
    if (r != PETRO_OK) return verify_fail("no tip in the stored state: %s", petro_result_str(r));
    petro_hash network_id;
    r = petro_genesis_network_id(&network_id, v->g);
    if (r != PETRO_OK || !petro_hash_equal(&network_id, &tip.network_id)) {
        return verify_fail("the stored state belongs to another network than genesis.bin");
    }

    /* Block 0 from genesis.bin must be the stored block 0. */
    r = petro_store_mem_create(&v->mem, &v->mem_store);
    if (r == PETRO_OK) r = petro_ledger_create(&v->l, &v->mem_store);
    if (r != PETRO_OK) return verify_fail("out of memory");
    petro_block_header b0;
    r = petro_ledger_genesis(v->l, &b0, v->g);
    if (r == PETRO_OK) r = petro_ledger_commit(v->l);
    if (r != PETRO_OK) return verify_fail("genesis does not apply: %s", petro_result_str(r));
    const uint8_t *block;
    size_t block_size;
    r = store_get_block(&v->t, 0, &block, &block_size);
    if (r != PETRO_OK) return verify_fail("block 0 is not stored: %s", petro_result_str(r));
    uint8_t enc0[PETRO_BLOCK_HEADER_SIZE];
    petro_block_header_encode(enc0, &b0);
    if (block_size != PETRO_BLOCK_HEADER_SIZE || memcmp(block, enc0, sizeof enc0) != 0) {
        return verify_fail("stored block 0 differs from the block 0 of genesis.bin");
    }

    /* Who may sign blocks: alone, the ledger's proposer key; in a cluster, its validators. */
    r = store_get_meta_exact(&v->t, "proposer", v->proposer.bytes, sizeof v->proposer.bytes);
    if (r != PETRO_OK) return verify_fail("the ledger names no proposer: %s", petro_result_str(r));
    char conf[PATH_MAX + 32];
    len = snprintf(conf, sizeof conf, "%s/cluster.conf", dir);
    if (len < 0 || (size_t)len >= sizeof conf) return verify_fail("path too long");
    FILE *cf = fopen(conf, "r");
    if (cf != NULL) {
        fclose(cf);
        v->cluster = calloc(1, sizeof *v->cluster);
        if (v->cluster == NULL) return verify_fail("out of memory");
        if (ordering_config_load(v->cluster, conf) != PETRO_OK) {
            return verify_fail("%s does not load", conf);
        }
    }

    /* Replay 1..the block log's tip; apply_block checks height, prev hash, time, the
     * proposer's signature, every transaction's signatures, the roots and the state hash of
     * each header. On the way, at the stored state's tip (state.mdb, which lags the block log
     * by the blocks its writer had not written yet, never leads it), compare the states. */
    petro_hash d_mem, d_lmdb;
    uint64_t n_mem = 0, n_lmdb = 0;
    r = compare_at_tip(v, &tip, &d_mem, &d_lmdb, &n_mem, &n_lmdb);
    if (r != PETRO_OK) return 1;
    uint64_t h = 1;
    for (;; h++) {
        r = store_get_block(&v->t, h, &block, &block_size);
        if (r == PETRO_ERR_NOT_FOUND && h > tip.height) break;
        if (r != PETRO_OK) {
            return verify_fail("block %" PRIu64 " of %" PRIu64 " is not stored: %s", h,
                               tip.height, petro_result_str(r));
        }
        petro_block_header hdr;
        if (block_size < PETRO_BLOCK_HEADER_SIZE ||
            petro_block_header_decode(&hdr, block, PETRO_BLOCK_HEADER_SIZE) != PETRO_OK) {
            return verify_fail("block %" PRIu64 " has no valid header", h);
        }
        bool is_allowed = false;
        if (v->cluster == NULL) {
            is_allowed = petro_pubkey_equal(&hdr.proposer, &v->proposer);
        } else {
            for (size_t i = 0; i < v->cluster->validator_count; i++) {
                if (petro_pubkey_equal(&hdr.proposer, &v->cluster->validators[i].pubkey)) {
                    is_allowed = true;
                }
            }
        }
        if (!is_allowed) {
            return verify_fail("block %" PRIu64 " names a proposer that is not %s", h,
                               v->cluster == NULL ? "this ledger's validator key"
                                                  : "a validator of cluster.conf");
        }
        r = petro_ledger_apply_block(v->l, block, block_size);
        if (r == PETRO_OK) r = petro_ledger_commit(v->l);
        if (r != PETRO_OK) {
            return verify_fail("block %" PRIu64 " does not replay: %s (%s)", h,
                               petro_result_name(r), petro_result_str(r));
        }
        if (h == tip.height) {
            r = compare_at_tip(v, &tip, &d_mem, &d_lmdb, &n_mem, &n_lmdb);
            if (r != PETRO_OK) return 1;
        }
    }
    uint64_t log_tip = h - 1, last = 0;
    r = store_last_block_height(&v->t, &last);
    if (r != PETRO_OK || last != log_tip) {
        return verify_fail("a block above the tip (%" PRIu64 ") is stored, after a gap",
                           log_tip);
    }
    petro_ledger_tip replayed;
    r = petro_ledger_tip_get(&v->mem_store, &replayed);
    if (r != PETRO_OK || replayed.height != log_tip) {
        return verify_fail("replayed state has no tip at %" PRIu64, log_tip);
    }
    char msg[256];
    r = petro_ledger_check_invariants(&v->t.store, msg, sizeof msg);
    if (r != PETRO_OK) return verify_fail("invariant violated in the stored state: %s", msg);

    char hex[2 * sizeof replayed.state_hash.bytes + 1];
    petro_hex_encode(hex, replayed.state_hash.bytes, sizeof replayed.state_hash.bytes);
    char behind[96] = "";
    if (log_tip > tip.height) {
        snprintf(behind, sizeof behind, " (state.mdb at height %" PRIu64 ": the next start "
                 "applies %" PRIu64 " block%s)", tip.height, log_tip - tip.height,
                 log_tip - tip.height == 1 ? "" : "s");
    }
    printf("verified: height %" PRIu64 ", %" PRIu64 " block%s replayed, state hash %s, %" PRIu64
           " state records identical%s, every block signed by %s, invariants hold\n",
           log_tip, log_tip, log_tip == 1 ? "" : "s", hex, n_lmdb, behind,
           v->cluster == NULL ? "this ledger's validator" : "a validator of cluster.conf");
    return 0;
}

int verify_main(int argc, char **argv) {
    const char *dir = NULL;
    size_t map_size = VERIFY_MAP_SIZE_DEFAULT;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strncmp(argv[i], "--data=", 7) == 0) {
            dir = argv[i] + 7;
        } else if (strcmp(argv[i], "--map-size-mb") == 0 && i + 1 < argc) {
            char *end = NULL;
            errno = 0;
            unsigned long long mb = strtoull(argv[++i], &end, 10);
            if (errno != 0 || end == argv[i] || *end != '\0' || mb == 0 || mb > (1ull << 24)) {
                fprintf(stderr, "petrod verify: --map-size-mb: '%s' is not 1..16777216\n",
                        argv[i]);
                return 2;
            }
            map_size = (size_t)mb << 20;
        } else {
            fprintf(stderr, "petrod verify: unknown argument '%s' (usage: petrod verify --data "
                            "DIR [--map-size-mb N])\n", argv[i]);
            return 2;
        }
    }
    if (dir == NULL || dir[0] == '\0') {
        fputs("petrod verify: --data DIR is required\n", stderr);
        return 2;
    }
    if (petro_crypto_init() != PETRO_OK) return verify_fail("cannot initialise libsodium");
    char why[3 * PATH_MAX + 512];
    if (store_lmdb_ledger_refused(dir, why, sizeof why) ||
        datadir_inspect(dir, DATADIR_USE_VERIFY, why, sizeof why) != DATADIR_OK) {
        fprintf(stderr, "petrod verify: %s\n", why);
        return VERIFY_EXIT_DATADIR;
    }
    verify_ctx v;
    memset(&v, 0, sizeof v);
    v.g = malloc(sizeof *v.g);
    if (v.g == NULL) return verify_fail("out of memory");
    int rc = run(&v, dir, map_size);
    store_txn_abort(&v.t);
    store_lmdb_close(v.lmdb);
    if (v.l != NULL) {
        petro_ledger_abort(v.l);
        petro_ledger_destroy(v.l);
    }
    petro_store_mem_destroy(v.mem);
    free(v.cluster);
    free(v.g);
    return rc;
}
