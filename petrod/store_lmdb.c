/* LMDB storage: see store_lmdb.h for the layout and the durability promise.
 *
 * Every LMDB call goes through store_lmdb_result, the one place where LMDB codes become
 * petro_result codes and get logged. Values read from the map are borrowed: they are copied
 * (petro_store get) or handed out with a lifetime bound to the transaction (blocks). */
#include "store_lmdb.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "assert.h"
#include "deadline.h"
#include "layers.h"
#include "log.h"

/* Maximum concurrent read transactions: API connection threads, the admission snapshot,
 * the producer's invariant check. LMDB's default of 126 is too small for a busy API. */
#define STORE_READERS_MAX 1024u
#define STORE_DBS_MAX 12u

struct store_lmdb {
    MDB_env *env;       /* the block log: blocks, results, indexes, meta (data.mdb) */
    MDB_env *state_env; /* the state and its digest (state.mdb), written by the writer thread */
    bool is_read_only;
    bool is_map_full_logged; /* the producer's: a full map is logged once per episode */
    bool is_state_map_full_logged; /* the state writer's, the same for state.mdb */
    _Atomic uint64_t damaged_total; /* values that failed their check (store_lmdb_damaged) */
    MDB_dbi dbi_state;     /* in state_env */
    MDB_dbi dbi_smeta;     /* in state_env: "state_digest" */
    MDB_dbi dbi_txindex;   /* in state_env */
    MDB_dbi dbi_acct_last; /* in state_env */
    MDB_dbi dbi_blocks;
    MDB_dbi dbi_results;
    MDB_dbi dbi_acct_links;
    MDB_dbi dbi_meta;

    /* The state writer ("the state writer" below). lock guards the fields up to writer. */
    pthread_mutex_t lock;
    pthread_cond_t cond;      /* a layer published, a batch written, stopping */
    layer *list[STORE_LAYERS_MAX]; /* published layers not yet written, oldest first */
    size_t list_count;
    size_t list_bytes;
    uint64_t written_seq;     /* every layer up to it is in state_env */
    uint64_t batches_written;
    bool is_stopping;
    _Atomic bool is_writer_failing; /* written under lock; admission reads it without */
    bool is_committing; /* the producer: between the block log's commit and publication */
    petro_result writer_error; /* of its last failed batch */
    bool has_writer;
    bool has_sync;
    pthread_t writer;

    /* The write transaction's side (one at a time: the producer). */
    layer *pending;                   /* the open write txn's state writes */
    layer_index index;                /* every published layer not yet reaped */
    layer *indexed[STORE_LAYERS_MAX]; /* the layers in index, oldest first */
    size_t indexed_count;
};

/* ------------------------------------------------------------ value checks
 *
 * Every value of every database is stored as value || u64 LE check, where
 *   check = SipHash-2-4 under CHECK_KEY of (u8 database tag || u16 LE key size || key ||
 *           SipHash-2-4 under CHECK_KEY of the value)
 * so that a flipped bit, a value moved to another key or another database, or a value cut
 * short is caught when it is read, before it is served or applied. LMDB keeps no checksums of
 * its own. The key is public: this finds damage (disk, copies, a stray write), not an attacker
 * who can write the file; the signed state commitment is what an attacker cannot forge. */
static const uint8_t CHECK_KEY[crypto_shorthash_KEYBYTES] = "petro-store-v5!";

/* A u64 stored little-endian (a check, the state digest). */
static uint64_t le64_get(const uint8_t *p) {
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--) x = (x << 8) | p[i];
    return x;
}
#define CHECK_SIZE 8u

typedef enum {
    DB_STATE = 1,
    DB_BLOCKS = 2,
    DB_RESULTS = 3,
    DB_TXINDEX = 4,
    /* 5 was txrecent (ledger formats 4 to 7) */
    DB_ACCT_LAST = 6,
    DB_ACCT_LINKS = 7,
    DB_META = 8,
} db_tag;

static const char *db_name(db_tag tag) {
    static const char *const names[] = {"?", "state", "blocks", "results", "txindex",
                                        "?", "acct_last", "acct_links", "meta"};
    return (unsigned)tag < sizeof names / sizeof names[0] ? names[tag] : "?";
}

static void value_check(uint8_t out[CHECK_SIZE], db_tag tag, const MDB_val *k,
                        const uint8_t *value, size_t value_size) {
    PETROD_ASSERT(k->mv_size <= 511); /* LMDB's default key size limit */
    uint8_t inner[crypto_shorthash_BYTES];
    crypto_shorthash(inner, value, value_size, CHECK_KEY);
    uint8_t buf[1 + 2 + 511 + crypto_shorthash_BYTES];
    size_t n = 0;
    buf[n++] = (uint8_t)tag;
    buf[n++] = (uint8_t)k->mv_size;
    buf[n++] = (uint8_t)(k->mv_size >> 8);
    if (k->mv_size > 0) memcpy(buf + n, k->mv_data, k->mv_size);
    n += k->mv_size;
    memcpy(buf + n, inner, sizeof inner);
    n += sizeof inner;
    crypto_shorthash(out, buf, n, CHECK_KEY);
}

static void log_damage(db_tag tag, const MDB_val *k, const char *what) {
    char hex[2 * 64 + 1];
    size_t shown = k->mv_size < 64 ? k->mv_size : 64;
    petro_hex_encode(hex, k->mv_data, shown);
    log_error("store: DAMAGED value in database %s, key %s%s: %s; this node will not serve or "
              "apply it (docs/operations.md, \"Damaged storage\")",
              db_name(tag), hex, shown < k->mv_size ? "..." : "", what);
}

/* Check a value read from the map and strip its check: NULL, or what is wrong. */
static const char *value_verify(db_tag tag, const MDB_val *k, MDB_val *v) {
    if (v->mv_size < CHECK_SIZE) return "shorter than its check";
    size_t n = v->mv_size - CHECK_SIZE;
    uint8_t want[CHECK_SIZE];
    value_check(want, tag, k, v->mv_data, n);
    if (sodium_memcmp(want, (const uint8_t *)v->mv_data + n, CHECK_SIZE) != 0) {
        return "its check does not match";
    }
    v->mv_size = n;
    return NULL;
}

/* value_verify, logging and counting a failure: true when the value is good. */
static bool value_ok(store_lmdb *s, db_tag tag, const MDB_val *k, MDB_val *v) {
    const char *why = value_verify(tag, k, v);
    if (why == NULL) return true;
    if (s != NULL) s->damaged_total++;
    log_damage(tag, k, why);
    return false;
}

/* mdb_get, then value_ok: MDB_SUCCESS (v stripped), MDB_NOTFOUND, an LMDB error, or
 * STORE_DAMAGED. */
#define STORE_DAMAGED (-1)
static int get_checked(store_lmdb *s, MDB_txn *txn, MDB_dbi dbi, db_tag tag, MDB_val *k,
                       MDB_val *v) {
    int rc = mdb_get(txn, dbi, k, v);
    if (rc != MDB_SUCCESS) return rc;
    return value_ok(s, tag, k, v) ? MDB_SUCCESS : STORE_DAMAGED;
}

/* mdb_put of value || check, written in place (MDB_RESERVE: no copy of a large block).
 * *check_out (may be NULL) receives the check as a u64. */
static int put_checked_out(MDB_txn *txn, MDB_dbi dbi, db_tag tag, MDB_val *k, const void *value,
                           size_t value_size, uint64_t *check_out) {
    MDB_val v = {value_size + CHECK_SIZE, NULL};
    int rc = mdb_put(txn, dbi, k, &v, MDB_RESERVE);
    if (rc != MDB_SUCCESS) return rc;
    if (value_size > 0) memcpy(v.mv_data, value, value_size);
    uint8_t *check = (uint8_t *)v.mv_data + value_size;
    value_check(check, tag, k, value, value_size);
    if (check_out != NULL) *check_out = le64_get(check);
    return MDB_SUCCESS;
}

static int put_checked(MDB_txn *txn, MDB_dbi dbi, db_tag tag, MDB_val *k, const void *value,
                       size_t value_size) {
    return put_checked_out(txn, dbi, tag, k, value, value_size, NULL);
}

/* ------------------------------------------------------------ state digest
 *
 * A value's check proves the value belongs to its key, not that it is the newest value of
 * that key: a lost or misdirected write (an old page version, still in the file, copied over
 * the live one) passes every check. So meta "state_digest" holds the sum (mod 2^64) of the
 * checks of every record of the state database, kept up to date by each write transaction
 * (minus the old record's check, plus the new one's: the old one is read anyway, its page is
 * hot) in the same commit. The scrub adds the checks up again and compares: a rolled-back,
 * lost or extra record does not add up. */

/* The check stored in the last 8 bytes of a raw value (0 if it has none: the scrub finds it). */
static uint64_t stored_check(const MDB_val *v) {
    if (v->mv_size < CHECK_SIZE) return 0;
    return le64_get((const uint8_t *)v->mv_data + v->mv_size - CHECK_SIZE);
}

static const char DIGEST_NAME[] = "state_digest";

/* Meta "state_digest" into *out: MDB_SUCCESS, MDB_NOTFOUND, an LMDB error, or STORE_DAMAGED
 * (its check fails, or it is not 8 bytes). s (may be NULL) counts a failed check. */
static int digest_read(store_lmdb *s, MDB_txn *txn, MDB_dbi meta, uint64_t *out) {
    MDB_val k = {sizeof DIGEST_NAME - 1, (void *)DIGEST_NAME}, v;
    *out = 0;
    int rc = get_checked(s, txn, meta, DB_META, &k, &v);
    if (rc != MDB_SUCCESS) return rc;
    if (v.mv_size != 8) {
        log_error("meta state_digest has %zu bytes, not 8", v.mv_size);
        return STORE_DAMAGED;
    }
    *out = le64_get(v.mv_data);
    return MDB_SUCCESS;
}

/* An LMDB result, or PETRO_ERR_CORRUPT for STORE_DAMAGED. */
static petro_result checked_result(int rc, const char *what) {
    return rc == STORE_DAMAGED ? PETRO_ERR_CORRUPT : store_lmdb_result(rc, what);
}

uint64_t store_lmdb_damaged(const store_lmdb *s) { return s->damaged_total; }

static uint64_t env_used_bytes(MDB_env *env) {
    MDB_envinfo info;
    MDB_stat st;
    if (env == NULL || mdb_env_info(env, &info) != MDB_SUCCESS ||
        mdb_env_stat(env, &st) != MDB_SUCCESS) {
        return 0;
    }
    return ((uint64_t)info.me_last_pgno + 1u) * st.ms_psize;
}

uint64_t store_lmdb_used_bytes(store_lmdb *s) {
    return env_used_bytes(s->env) + env_used_bytes(s->state_env);
}

static uint64_t be_get_u64(const uint8_t in[8]);

petro_result store_lmdb_scrub(store_lmdb *s, uint64_t *records, uint64_t *damaged) {
    *records = 0;
    *damaged = 0;
    MDB_txn *txn = NULL, *state_txn = NULL;
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (rc != MDB_SUCCESS) return store_lmdb_result(rc, "begin (scrub)");
    rc = mdb_txn_begin(s->state_env, NULL, MDB_RDONLY, &state_txn);
    if (rc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return store_lmdb_result(rc, "begin (scrub state)");
    }
    const struct {
        MDB_txn *txn;
        MDB_dbi dbi;
        db_tag tag;
    } dbs[] = {{state_txn, s->dbi_state, DB_STATE},
               {state_txn, s->dbi_smeta, DB_META},
               {state_txn, s->dbi_txindex, DB_TXINDEX},
               {state_txn, s->dbi_acct_last, DB_ACCT_LAST},
               {txn, s->dbi_blocks, DB_BLOCKS},
               {txn, s->dbi_results, DB_RESULTS},
               {txn, s->dbi_acct_links, DB_ACCT_LINKS},
               {txn, s->dbi_meta, DB_META}};
    petro_result r = PETRO_OK;
    uint64_t digest = 0; /* the sum of the state records' checks ("state digest") */
    uint8_t prev[511];
    petro_hash prev_block; /* the hash of the block before, to check each block's link */
    uint64_t prev_height = 0;
    bool has_prev_block = false;
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0] && r != PETRO_ERR_IO; i++) {
        MDB_cursor *cur = NULL;
        rc = mdb_cursor_open(dbs[i].txn, dbs[i].dbi, &cur);
        if (rc != MDB_SUCCESS) {
            r = store_lmdb_result(rc, "cursor open (scrub)");
            break;
        }
        MDB_val k, v, prev_k = {0, prev};
        bool has_prev = false;
        /* Bounded by the number of values in the database. */
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            (*records)++;
            const char *why = NULL;
            /* The tree, not only the values: keys in strictly ascending order, and each one
             * found again by a lookup from the root (a damaged branch page routes lookups
             * away from records a scan still reaches). */
            MDB_val found;
            if (has_prev && mdb_cmp(dbs[i].txn, dbs[i].dbi, &prev_k, &k) >= 0) {
                why = "keys out of order (a damaged page)";
            } else if (mdb_get(dbs[i].txn, dbs[i].dbi, &k, &found) != MDB_SUCCESS ||
                       found.mv_data != v.mv_data) {
                why = "not found by a lookup from the root (a damaged branch page)";
            }
            if (dbs[i].tag == DB_STATE) digest += stored_check(&v);
            if (why == NULL) why = value_verify(dbs[i].tag, &k, &v);
            if (why == NULL && dbs[i].tag == DB_BLOCKS) {
                /* The chain: each block at its key's height, linked to the one before (a
                 * block rewritten below the tip no longer links to the next one). */
                petro_block_header hdr;
                if (k.mv_size != 8 || v.mv_size < PETRO_BLOCK_HEADER_SIZE ||
                    petro_block_header_decode(&hdr, v.mv_data, PETRO_BLOCK_HEADER_SIZE) !=
                        PETRO_OK ||
                    hdr.height != be_get_u64(k.mv_data)) {
                    why = "not a block of its height";
                } else if (has_prev_block && hdr.height == prev_height + 1 &&
                           !petro_hash_equal(&hdr.prev_hash, &prev_block)) {
                    why = "does not link to the block before it";
                } else {
                    petro_block_hash(&prev_block, &hdr);
                    prev_height = hdr.height;
                    has_prev_block = true;
                }
            }
            if (why != NULL) {
                if (++*damaged <= 10) log_damage(dbs[i].tag, &k, why); /* the first few */
                r = PETRO_ERR_CORRUPT;
            }
            if (k.mv_size <= sizeof prev) {
                memcpy(prev, k.mv_data, k.mv_size);
                prev_k.mv_size = k.mv_size;
                has_prev = true;
            }
        }
        if (rc != MDB_NOTFOUND) r = store_lmdb_result(rc, "cursor next (scrub)");
        mdb_cursor_close(cur);
    }
    if (r == PETRO_OK) {
        uint64_t want = 0;
        rc = digest_read(NULL, state_txn, s->dbi_smeta, &want);
        if (rc != MDB_SUCCESS || want != digest) {
            (*damaged)++;
            log_error("store: DAMAGED state: its records do not add up to the state digest the "
                      "last commit wrote (%s); a record was rolled back, lost or added behind "
                      "the node's back (docs/operations.md, \"Damaged storage\")",
                      rc == MDB_NOTFOUND ? "no digest stored" : "they differ");
            r = PETRO_ERR_CORRUPT;
        }
    }
    mdb_txn_abort(state_txn);
    mdb_txn_abort(txn);
    s->damaged_total += *damaged;
    return r;
}

petro_result store_lmdb_result(int rc, const char *what) {
    switch (rc) {
    case MDB_SUCCESS: return PETRO_OK;
    case MDB_NOTFOUND: return PETRO_ERR_NOT_FOUND;
    case MDB_MAP_FULL:
        log_error("lmdb %s: %s (raise the map size)", what, mdb_strerror(rc));
        return PETRO_ERR_STORE_FULL;
    default:
        log_error("lmdb %s: %s (%d)", what, mdb_strerror(rc), rc);
        return PETRO_ERR_IO;
    }
}

/* For writes: like store_lmdb_result, but a full map is logged once until a write
 * transaction commits again (the producer retries a full map at every interval). */
static petro_result write_result_flag(bool *is_logged, int rc, const char *what) {
    if (rc == MDB_MAP_FULL && *is_logged) return PETRO_ERR_STORE_FULL;
    if (rc == MDB_MAP_FULL) *is_logged = true;
    return store_lmdb_result(rc, what);
}

static petro_result store_write_result(store_lmdb *s, int rc, const char *what) {
    return write_result_flag(&s->is_map_full_logged, rc, what);
}

static void be_u64(uint8_t out[8], uint64_t v) {
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)(v & 0xFFu);
        v >>= 8;
    }
}
static void be_u32(uint8_t out[4], uint32_t v) {
    for (int i = 3; i >= 0; i--) {
        out[i] = (uint8_t)(v & 0xFFu);
        v >>= 8;
    }
}
static void put_le_u32(uint8_t out[4], uint32_t v) {
    for (int i = 0; i < 4; i++) out[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get_le_u32(const uint8_t in[4]) {
    return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
}
static uint64_t be_get_u64(const uint8_t in[8]) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | in[i];
    return v;
}
static uint32_t be_get_u32(const uint8_t in[4]) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = (v << 8) | in[i];
    return v;
}

/* ------------------------------------------------------------ file check */

/* LMDB's meta page on disk (the MDB_page and MDB_meta comments of lmdb 0.9's mdb.c, in a
 * 64-bit build, where pgno_t, txnid_t and size_t have 64 bits), in native byte order: a
 * 16-byte page header (page number, pad, u16 flags at 10, ...), then MDB_meta: u32 magic,
 * u32 data version, map address, map size, two 48-byte MDB_db records (the first one's
 * leading u32 holds the page size), the last used page number and the txnid. Pages 0 and 1
 * are the two meta pages; a commit writes the older one. */
#define LMDB_PAGE_FLAGS_AT 10u
#define LMDB_P_META 0x08u
#define LMDB_META_MAGIC_AT 16u
#define LMDB_META_VERSION_AT 20u
#define LMDB_META_PAGE_SIZE_AT 40u
#define LMDB_META_LAST_PAGE_AT 136u
#define LMDB_META_TXNID_AT 144u
#define LMDB_META_END 152u
#define LMDB_MAGIC 0xBEEFC0DEu
#define LMDB_DATA_VERSION 1u
#define LMDB_PAGE_SIZE_MIN 512u
#define LMDB_PAGE_SIZE_MAX 65536u
_Static_assert(sizeof(size_t) == 8 && sizeof(void *) == 8,
               "the LMDB meta offsets above are those of a 64-bit build");

#define STORE_FILE_REMEDY "restore it from a backup or a peer (docs/operations.md)"

typedef struct lmdb_meta {
    bool is_valid; /* a meta page of this LMDB data version with a page size LMDB can have */
    uint32_t page_size;
    uint64_t last_page;
    uint64_t txnid;
} lmdb_meta;

static void meta_parse(const uint8_t page[LMDB_META_END], lmdb_meta *m) {
    uint16_t flags;
    uint32_t magic, version;
    memcpy(&flags, page + LMDB_PAGE_FLAGS_AT, sizeof flags);
    memcpy(&magic, page + LMDB_META_MAGIC_AT, sizeof magic);
    memcpy(&version, page + LMDB_META_VERSION_AT, sizeof version);
    memcpy(&m->page_size, page + LMDB_META_PAGE_SIZE_AT, sizeof m->page_size);
    memcpy(&m->last_page, page + LMDB_META_LAST_PAGE_AT, sizeof m->last_page);
    memcpy(&m->txnid, page + LMDB_META_TXNID_AT, sizeof m->txnid);
    bool is_page_size = m->page_size >= LMDB_PAGE_SIZE_MIN &&
                        m->page_size <= LMDB_PAGE_SIZE_MAX &&
                        (m->page_size & (m->page_size - 1u)) == 0;
    m->is_valid = (flags & LMDB_P_META) != 0 && magic == LMDB_MAGIC &&
                  version == LMDB_DATA_VERSION && is_page_size;
}

/* Reads size bytes at off, fewer only at the end of the file. -1 (errno) on failure. */
static ssize_t read_at(int fd, uint8_t *buf, size_t size, off_t off) {
    size_t done = 0;
    /* Bounded by size: every round reads at least one byte or ends. */
    while (done < size) {
        ssize_t n = pread(fd, buf + done, size - done, off + (off_t)done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

/* v with thousands separators ("1,234,944"). */
static const char *grouped(char out[32], uint64_t v) {
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
    PETROD_ASSERT(n > 0 && (size_t)n < sizeof digits);
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    return out;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static store_file_status file_why(store_file_status st, char *why, size_t cap, const char *fmt,
                                  ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    if (n < 0) why[0] = '\0'; /* cut at cap otherwise: a long path still names the file */
    return st;
}

/* The newest valid meta page of the open file (the first one's page size places the second),
 * or a status other than STORE_FILE_OK with why set. */
static store_file_status newest_meta(int fd, const char *path, uint64_t size, lmdb_meta *m,
                                     char *why, size_t cap) {
    uint8_t page[LMDB_META_END];
    char a[32], b[32];
    ssize_t got = read_at(fd, page, sizeof page, 0);
    if (got < 0) {
        return file_why(STORE_FILE_UNREADABLE, why, cap, "cannot read %s: %s", path,
                        strerror(errno));
    }
    if ((size_t)got < sizeof page) {
        return file_why(STORE_FILE_TRUNCATED, why, cap,
                        "%s is truncated: %s bytes, shorter than LMDB's first meta page; "
                        STORE_FILE_REMEDY, path, grouped(a, size));
    }
    meta_parse(page, m);
    if (!m->is_valid) return STORE_FILE_FOREIGN;
    if (size < 2u * (uint64_t)m->page_size) {
        return file_why(STORE_FILE_TRUNCATED, why, cap,
                        "%s is truncated: %s bytes, shorter than LMDB's two meta pages (%s "
                        "bytes of %" PRIu32 "-byte pages); " STORE_FILE_REMEDY,
                        path, grouped(a, size), grouped(b, 2u * (uint64_t)m->page_size),
                        m->page_size);
    }
    got = read_at(fd, page, sizeof page, (off_t)m->page_size);
    if (got != (ssize_t)sizeof page) {
        return file_why(STORE_FILE_UNREADABLE, why, cap, "cannot read %s: %s", path,
                        got < 0 ? strerror(errno) : "short read");
    }
    lmdb_meta m1;
    meta_parse(page, &m1);
    /* As LMDB picks its meta page: the one with the higher txnid, the first on a tie. */
    if (m1.is_valid && m1.page_size == m->page_size && m1.txnid > m->txnid) *m = m1;
    return STORE_FILE_OK;
}

static store_file_status check_open_file(int fd, const char *path, char *why, size_t cap) {
    struct stat st;
    char a[32], b[32];
    if (fstat(fd, &st) != 0) {
        return file_why(STORE_FILE_UNREADABLE, why, cap, "cannot stat %s: %s", path,
                        strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return file_why(STORE_FILE_UNREADABLE, why, cap,
                        "%s is not a regular file; " STORE_FILE_REMEDY, path);
    }
    uint64_t size = (uint64_t)st.st_size;
    if (size == 0) {
        return file_why(STORE_FILE_TRUNCATED, why, cap,
                        "%s is empty (0 bytes, not even LMDB's two meta pages); "
                        STORE_FILE_REMEDY, path);
    }
    lmdb_meta m;
    store_file_status status = newest_meta(fd, path, size, &m, why, cap);
    if (status != STORE_FILE_OK) return status;
    /* The size again, after the meta pages: a node running beside (petrod verify may) writes
     * a commit's pages before its meta page and never shrinks the file, so a size taken now
     * covers every meta page read before. */
    if (fstat(fd, &st) != 0) {
        return file_why(STORE_FILE_UNREADABLE, why, cap, "cannot stat %s: %s", path,
                        strerror(errno));
    }
    size = (uint64_t)st.st_size;
    if (m.last_page >= UINT64_MAX / m.page_size) {
        return file_why(STORE_FILE_TRUNCATED, why, cap,
                        "%s is damaged: its metadata names page %" PRIu64 ", past any file; "
                        STORE_FILE_REMEDY, path, m.last_page);
    }
    uint64_t need = (m.last_page + 1u) * m.page_size;
    if (size < need) {
        return file_why(STORE_FILE_TRUNCATED, why, cap,
                        "%s is truncated: %s bytes, but its metadata says the ledger needs %s "
                        "(last page %" PRIu64 " of %" PRIu32 " bytes); " STORE_FILE_REMEDY,
                        path, grouped(a, size), grouped(b, need), m.last_page, m.page_size);
    }
    return STORE_FILE_OK;
}

store_file_status store_lmdb_check_file(const char *dir, char *why, size_t why_cap) {
    PETROD_ASSERT(dir != NULL);
    PETROD_ASSERT(why != NULL && why_cap > 0);
    why[0] = '\0';
    char path[PATH_MAX + 16];
    int n = snprintf(path, sizeof path, "%s/data.mdb", dir);
    if (n < 0 || (size_t)n >= sizeof path) {
        return file_why(STORE_FILE_UNREADABLE, why, why_cap, "cannot read %s/data.mdb: the "
                        "path is too long", dir);
    }
    return store_lmdb_check_path(path, why, why_cap);
}

store_file_status store_lmdb_check_path(const char *path, char *why, size_t why_cap) {
    PETROD_ASSERT(path != NULL);
    PETROD_ASSERT(why != NULL && why_cap > 0);
    why[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return STORE_FILE_MISSING;
        return file_why(STORE_FILE_UNREADABLE, why, why_cap, "cannot open %s: %s: check its "
                        "permissions", path, strerror(errno));
    }
    store_file_status status = check_open_file(fd, path, why, why_cap);
    /* Read-only descriptor: nothing to flush, so a failing close changes nothing read. */
    (void)close(fd);
    return status;
}

/* ------------------------------------------------------------ environment */

typedef struct db_spec {
    const char *name;
    MDB_dbi *dbi;
} db_spec;

static petro_result open_dbis(MDB_env *env, bool create, const db_spec *dbs, size_t count) {
    MDB_txn *txn = NULL;
    int rc = mdb_txn_begin(env, NULL, create ? 0 : MDB_RDONLY, &txn);
    if (rc != MDB_SUCCESS) return store_lmdb_result(rc, "begin (open databases)");
    unsigned flags = create ? MDB_CREATE : 0;
    for (size_t i = 0; i < count; i++) {
        rc = mdb_dbi_open(txn, dbs[i].name, flags, dbs[i].dbi);
        if (rc != MDB_SUCCESS) {
            mdb_txn_abort(txn);
            if (rc == MDB_NOTFOUND) {
                log_error("lmdb: database '%s' is missing: not a petro ledger", dbs[i].name);
                return PETRO_ERR_CORRUPT;
            }
            return store_lmdb_result(rc, "open database");
        }
    }
    /* A read-only txn that opened handles must commit for them to stay valid. */
    rc = mdb_txn_commit(txn);
    if (rc != MDB_SUCCESS) return store_lmdb_result(rc, "commit (open databases)");
    return PETRO_OK;
}

static petro_result store_open_dbis(store_lmdb *s, bool create) {
    const db_spec log_dbs[] = {{"blocks", &s->dbi_blocks},
                               {"results", &s->dbi_results},
                               {"acct_links", &s->dbi_acct_links},
                               {"meta", &s->dbi_meta}};
    const db_spec state_dbs[] = {{"state", &s->dbi_state},
                                 {"meta", &s->dbi_smeta},
                                 {"txindex", &s->dbi_txindex},
                                 {"acct_last", &s->dbi_acct_last}};
    petro_result r = open_dbis(s->env, create, log_dbs, sizeof log_dbs / sizeof log_dbs[0]);
    if (r != PETRO_OK) return r;
    return open_dbis(s->state_env, create, state_dbs, sizeof state_dbs / sizeof state_dbs[0]);
}

static bool file_exists(const char *dir, const char *name) {
    char path[PATH_MAX + 32];
    struct stat st;
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    return n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0;
}

static petro_result open_env(store_lmdb **out, const char *dir, size_t map_size, bool create,
                             bool is_read_only);

petro_result store_lmdb_open(store_lmdb **out, const char *dir, size_t map_size, bool create) {
    return open_env(out, dir, map_size, create, false);
}

petro_result store_lmdb_open_readonly(store_lmdb **out, const char *dir, size_t map_size) {
    return open_env(out, dir, map_size, false, true);
}

/* LMDB's own consistency assertions fire on a damaged tree (a child page number pointing
 * at a leaf, a branch page with one key...), and LMDB then calls abort(): a signal, no
 * cause. This runs first and exits with the data-directory status and one line instead. The
 * process stops either way: going on over a damaged tree could serve anything. */
static void on_lmdb_assert(MDB_env *env, const char *msg) {
    (void)env;
    fprintf(stderr, "petrod: the ledger's LMDB tree is DAMAGED (lmdb: %s); stopping: restore it "
                    "from a backup or a peer (docs/operations.md, \"Damaged storage\")\n",
            msg);
    fflush(stderr);
    _exit(3);
}

/* Create and open one environment: path is a directory (the block log) or, with
 * MDB_NOSUBDIR in extra_flags, a file (state.mdb). */
static petro_result env_open_one(MDB_env **out, const char *path, size_t map_size,
                                 unsigned extra_flags, bool is_read_only, bool has_lock) {
    MDB_env *env = NULL;
    int rc = mdb_env_create(&env);
    if (rc != MDB_SUCCESS) return store_lmdb_result(rc, "env create");
    (void)mdb_env_set_assert(env, on_lmdb_assert); /* EINVAL in an NDEBUG liblmdb: none */
    if ((rc = mdb_env_set_maxdbs(env, STORE_DBS_MAX)) != MDB_SUCCESS ||
        (rc = mdb_env_set_maxreaders(env, STORE_READERS_MAX)) != MDB_SUCCESS ||
        (rc = mdb_env_set_mapsize(env, map_size)) != MDB_SUCCESS) {
        mdb_env_close(env);
        return store_lmdb_result(rc, "env setup");
    }
    /* No MDB_NOSYNC / MDB_NOMETASYNC: a commit is durable when it returns. MDB_NOTLS: read
     * transactions are not tied to a thread. */
    unsigned flags = MDB_NOTLS | extra_flags;
    if (is_read_only) flags |= MDB_RDONLY | (has_lock ? 0u : MDB_NOLOCK);
    rc = mdb_env_open(env, path, flags, 0600);
    if (rc != MDB_SUCCESS) {
        mdb_env_close(env);
        if (rc == ENOENT) {
            log_error("no ledger in %s", path);
            return PETRO_ERR_IO;
        }
        return store_lmdb_result(rc, "env open");
    }
    *out = env;
    return PETRO_OK;
}

static void *writer_main(void *arg);

static petro_result open_env(store_lmdb **out, const char *dir, size_t map_size, bool create,
                             bool is_read_only) {
    PETROD_ASSERT(dir != NULL);
    PETROD_ASSERT(!(create && is_read_only));
    *out = NULL;
    if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
        log_error("cannot create %s: %s", dir, strerror(errno));
        return PETRO_ERR_IO;
    }
    char state_path[PATH_MAX + 16];
    int n = snprintf(state_path, sizeof state_path, "%s/state.mdb", dir);
    if (n < 0 || (size_t)n >= sizeof state_path) return PETRO_ERR_IO;
    /* Before LMDB maps the files: a page past the end would be a SIGBUS, not an error. */
    char why[PATH_MAX + 256];
    store_file_status file = store_lmdb_check_file(dir, why, sizeof why);
    if (file == STORE_FILE_OK || file == STORE_FILE_FOREIGN) {
        store_file_status state_file = store_lmdb_check_path(state_path, why, sizeof why);
        if (state_file == STORE_FILE_MISSING && !create) {
            log_error("%s is missing: the ledger's state is gone; restore the whole ledger "
                      "directory from a backup or a peer (docs/operations.md, \"Damaged "
                      "storage\")", state_path);
            return PETRO_ERR_CORRUPT;
        }
        if (state_file == STORE_FILE_TRUNCATED || state_file == STORE_FILE_UNREADABLE) {
            file = state_file;
        }
    }
    if (file == STORE_FILE_TRUNCATED || file == STORE_FILE_UNREADABLE) {
        log_error("%s", why);
        return file == STORE_FILE_TRUNCATED ? PETRO_ERR_CORRUPT : PETRO_ERR_IO;
    }
    store_lmdb *s = calloc(1, sizeof *s);
    if (s == NULL) return PETRO_ERR_NOMEM;
    s->is_read_only = is_read_only;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return PETRO_ERR_NOMEM;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (pthread_cond_init(&s->cond, &ca) != 0) {
        pthread_condattr_destroy(&ca);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return PETRO_ERR_NOMEM;
    }
    pthread_condattr_destroy(&ca);
    s->has_sync = true;
    petro_result r = env_open_one(&s->env, dir, map_size, 0, is_read_only,
                                  file_exists(dir, "lock.mdb"));
    if (r == PETRO_OK) {
        r = env_open_one(&s->state_env, state_path, map_size, MDB_NOSUBDIR, is_read_only,
                         file_exists(dir, "state.mdb-lock"));
    }
    if (r == PETRO_OK) r = store_open_dbis(s, create);
    if (r == PETRO_OK && !is_read_only) {
        s->pending = layer_new();
        if (s->pending == NULL) r = PETRO_ERR_NOMEM;
    }
    if (r == PETRO_OK && !is_read_only) {
        int rc = pthread_create(&s->writer, NULL, writer_main, s);
        if (rc != 0) {
            log_error("cannot start the state writer thread: %s", strerror(rc));
            r = PETRO_ERR_IO;
        } else {
            s->has_writer = true;
        }
    }
    if (r != PETRO_OK) {
        store_lmdb_close(s);
        return r;
    }
    *out = s;
    return PETRO_OK;
}

void store_lmdb_close(store_lmdb *s) {
    if (s == NULL) return;
    if (s->has_writer) {
        /* The writer writes every published layer before it ends: a clean stop leaves
         * state.mdb at the tip, and the next start replays nothing. */
        pthread_mutex_lock(&s->lock);
        s->is_stopping = true;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->writer, NULL);
    }
    for (size_t i = 0; i < s->indexed_count; i++) layer_index_remove(&s->index, s->indexed[i]);
    layer_index_free(&s->index);
    for (size_t i = 0; i < s->list_count; i++) layer_unref(s->list[i]);
    layer_unref(s->pending);
    if (s->state_env != NULL) mdb_env_close(s->state_env);
    if (s->env != NULL) mdb_env_close(s->env);
    if (s->has_sync) {
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->lock);
    }
    free(s);
}

/* ------------------------------------------------------------ layer keys (see "state.mdb's
 * tables in layers" below) */

typedef enum { TABLE_STATE = 1, TABLE_TXINDEX = 2, TABLE_ACCT_LAST = 3 } layer_table;
#define STORE_KEY_MAX 511u /* LMDB's default key size limit */
#define LAYER_KEY_MAX (1u + STORE_KEY_MAX)

static size_t layer_key_make(uint8_t out[LAYER_KEY_MAX], layer_table table, const uint8_t *key,
                             size_t key_size) {
    PETROD_ASSERT(key_size <= STORE_KEY_MAX);
    out[0] = (uint8_t)table;
    if (key_size > 0) memcpy(out + 1, key, key_size);
    return 1 + key_size;
}

/* The database of a table, and its check tag. */
static MDB_dbi table_dbi(const store_lmdb *s, layer_table table, db_tag *tag) {
    switch (table) {
    case TABLE_TXINDEX: *tag = DB_TXINDEX; return s->dbi_txindex;
    case TABLE_ACCT_LAST: *tag = DB_ACCT_LAST; return s->dbi_acct_last;
    case TABLE_STATE: break;
    }
    *tag = DB_STATE;
    return s->dbi_state;
}

/* ------------------------------------------------------------ the state writer
 *
 * Published layers wait in s->list (oldest first) until the writer thread writes them into
 * state.mdb: every WRITER_BATCH_MS, or sooner when WRITER_BATCH_LAYERS layers or
 * WRITER_BATCH_BYTES are waiting, it takes all of them, merges them into one write set in key
 * order (the newest value of each key), writes it in one transaction with the state digest,
 * and commits (fsync). Only then are they taken off the list: a reader that begins after that
 * sees them in state.mdb's snapshot; one that began before still holds them. Random updates
 * of a large tree then cost one page copy per touched page per batch of many blocks instead
 * of one per block, and none of it is on the producer's thread. */
#define WRITER_BATCH_MS 250
#define WRITER_BATCH_LAYERS 64u
#define WRITER_BATCH_BYTES ((size_t)64 << 20)
#define WRITER_FULL_WAIT_MS 10000 /* the producer's wait for room before it fails a block */


/* Write layers (oldest first) into state.mdb in one transaction: the newest value of each
 * key, in key order, and the state digest. */
static petro_result write_batch(store_lmdb *s, layer **oldest_first, size_t count) {
    PETROD_ASSERT(count > 0 && count <= LAYER_MERGE_MAX);
    layer *newest_first[LAYER_MERGE_MAX];
    for (size_t i = 0; i < count; i++) newest_first[i] = oldest_first[count - 1 - i];
    MDB_txn *txn = NULL;
    int rc = mdb_txn_begin(s->state_env, NULL, 0, &txn);
    if (rc != MDB_SUCCESS) return store_lmdb_result(rc, "begin (state writer)");
    uint64_t digest = 0;
    rc = digest_read(s, txn, s->dbi_smeta, &digest);
    petro_result r = PETRO_OK;
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        r = checked_result(rc, "get state_digest");
        goto fail;
    }
    /* One cursor per table, opened when the merge reaches it (the tables come in order). */
    MDB_cursor *cur = NULL;
    uint8_t cur_table = 0;
    db_tag tag = DB_STATE;
    layer_merge m;
    layer_merge_init(&m, newest_first, count, NULL, 0);
    const layer *owner;
    const layer_entry *e;
    /* Bounded by the entries of the layers. */
    while ((e = layer_merge_next(&m, &owner)) != NULL) {
        const uint8_t *lkey = layer_key(owner, e);
        PETROD_ASSERT(e->key_size >= 2); /* a table byte and a key (table_write) */
        if (cur == NULL || lkey[0] != cur_table) {
            if (cur != NULL) mdb_cursor_close(cur);
            cur = NULL;
            cur_table = lkey[0];
            if (cur_table < TABLE_STATE || cur_table > TABLE_ACCT_LAST) {
                r = PETRO_ERR_CORRUPT; /* only table_write fills layers */
                goto fail;
            }
            rc = mdb_cursor_open(txn, table_dbi(s, (layer_table)cur_table, &tag), &cur);
            if (rc != MDB_SUCCESS) {
                r = store_lmdb_result(rc, "cursor open (state writer)");
                goto fail;
            }
        }
        bool is_state = cur_table == TABLE_STATE;
        MDB_val k = {e->key_size - 1u, (void *)(lkey + 1)}, old;
        rc = mdb_cursor_get(cur, &k, &old, MDB_SET_KEY);
        bool found = rc == MDB_SUCCESS;
        if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) break;
        if (found && is_state) digest -= stored_check(&old);
        if (e->value_size == LAYER_DELETED) {
            rc = found ? mdb_cursor_del(cur, 0) : MDB_SUCCESS;
            if (rc != MDB_SUCCESS) break;
            continue;
        }
        MDB_val v = {e->value_size + CHECK_SIZE, NULL};
        unsigned flags = MDB_RESERVE | (found && old.mv_size == v.mv_size ? MDB_CURRENT : 0u);
        k = (MDB_val){e->key_size - 1u, (void *)(lkey + 1)};
        rc = mdb_cursor_put(cur, &k, &v, flags);
        if (rc != MDB_SUCCESS) break;
        if (e->value_size > 0) memcpy(v.mv_data, layer_value(owner, e), e->value_size);
        uint8_t *check = (uint8_t *)v.mv_data + e->value_size;
        value_check(check, tag, &k, layer_value(owner, e), e->value_size);
        if (is_state) digest += le64_get(check);
    }
    if (cur != NULL) mdb_cursor_close(cur);
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        r = write_result_flag(&s->is_state_map_full_logged, rc, "write state");
        goto fail;
    }
    MDB_val dk = {sizeof DIGEST_NAME - 1, (void *)DIGEST_NAME};
    uint8_t dv[8];
    for (int i = 0; i < 8; i++) dv[i] = (uint8_t)(digest >> (8 * i));
    rc = put_checked(txn, s->dbi_smeta, DB_META, &dk, dv, 8);
    if (rc != MDB_SUCCESS) {
        r = write_result_flag(&s->is_state_map_full_logged, rc, "put state_digest");
        goto fail;
    }
    rc = mdb_txn_commit(txn); /* fsync */
    if (rc != MDB_SUCCESS) {
        return write_result_flag(&s->is_state_map_full_logged, rc, "commit (state writer)");
    }
    return PETRO_OK;
fail:
    mdb_txn_abort(txn);
    return r;
}

static void *writer_main(void *arg) {
    store_lmdb *s = arg;
    prctl(PR_SET_NAME, "state-writer", 0, 0, 0); /* thread name, for top -H and perf */
    pthread_mutex_lock(&s->lock);
    for (;;) {
        if (s->list_count == 0) {
            if (s->is_stopping) break;
            pthread_cond_wait(&s->cond, &s->lock);
            continue;
        }
        /* Gather a batch: wait up to WRITER_BATCH_MS for more layers, unless enough wait. */
        struct timespec until =
            deadline_after_ms(s->is_writer_failing ? 1000u : WRITER_BATCH_MS);
        while (!s->is_stopping && s->list_count < WRITER_BATCH_LAYERS &&
               s->list_bytes < WRITER_BATCH_BYTES) {
            if (pthread_cond_timedwait(&s->cond, &s->lock, &until) != 0) break;
        }
        size_t count = s->list_count;
        layer *batch[STORE_LAYERS_MAX];
        for (size_t i = 0; i < count; i++) batch[i] = s->list[i]; /* the list holds them */
        uint64_t last_seq = s->written_seq + count;
        pthread_mutex_unlock(&s->lock);
        petro_result r = write_batch(s, batch, count);
        pthread_mutex_lock(&s->lock);
        if (r != PETRO_OK) {
            if (!s->is_writer_failing) {
                log_error("storage cannot commit blocks: the state writer cannot write %zu "
                          "blocks of state into state.mdb (%s); new submissions are refused "
                          "(503 unavailable) and no block commits until it can (it retries "
                          "every second); the written blocks stay in memory and in the block "
                          "log", count, petro_result_str(r));
            }
            s->is_writer_failing = true;
            s->writer_error = r;
            pthread_cond_broadcast(&s->cond); /* store_lmdb_sync_state waiters */
            if (s->is_stopping) {
                log_error("state writer: stopping with %zu blocks of state unwritten: the next "
                          "start replays them from the block log", count);
                break;
            }
            /* Retry in a second, whatever waits (a full batch would retry at once). */
            struct timespec retry = deadline_after_ms(1000);
            while (!s->is_stopping &&
                   pthread_cond_timedwait(&s->cond, &s->lock, &retry) != ETIMEDOUT) {
            }
            continue;
        }
        if (s->is_writer_failing) log_info("state writer: writes succeed again");
        s->is_state_map_full_logged = false;
        s->is_writer_failing = false;
        PETROD_ASSERT(s->list_count >= count); /* only this thread removes */
        for (size_t i = 0; i < count; i++) {
            s->list_bytes -= layer_bytes(s->list[i]);
            layer_unref(s->list[i]);
        }
        memmove(s->list, s->list + count, (s->list_count - count) * sizeof s->list[0]);
        s->list_count -= count;
        s->written_seq = last_seq;
        s->batches_written++;
        pthread_cond_broadcast(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

petro_result store_lmdb_sync_state(store_lmdb *s) {
    if (!s->has_writer) return PETRO_OK;
    pthread_mutex_lock(&s->lock);
    uint64_t want = s->written_seq + s->list_count;
    pthread_cond_broadcast(&s->cond);
    while (s->written_seq < want && !s->is_writer_failing) pthread_cond_wait(&s->cond, &s->lock);
    bool ok = s->written_seq >= want;
    pthread_mutex_unlock(&s->lock);
    return ok ? PETRO_OK : PETRO_ERR_IO;
}

bool store_lmdb_writer_failing(store_lmdb *s) {
    /* Every admission asks: a load, not the store's lock, which the writer and readers take. */
    return atomic_load(&s->is_writer_failing);
}

void store_lmdb_writer_stats(store_lmdb *s, uint64_t *layers, uint64_t *bytes, uint64_t *batches,
                             bool *is_failing) {
    pthread_mutex_lock(&s->lock);
    *layers = s->list_count;
    *bytes = s->list_bytes;
    *batches = s->batches_written;
    *is_failing = s->is_writer_failing;
    pthread_mutex_unlock(&s->lock);
}

/* ------------------------------------------------------------ state.mdb's tables in layers
 *
 * A block's writes to state.mdb's three databases (the state, txindex and acct_last) go into
 * one layer. A layer key is the table's byte followed by the record's key, so one layer, one
 * merged index and one merge serve all three, and a sorted layer runs table by table, each in
 * the database's key order: the order the writer writes in.
 *
 * A read: the open write txn's own writes (s->pending), then the published layers (the
 * producer's merged index in a write txn, the txn's view newest first in a read txn), then
 * state.mdb's snapshot. */
/* The newest layer entry of the layer key lkey in t's layers, or NULL; *owner its layer. */
static const layer_entry *find_in_layers(store_txn *t, const uint8_t *lkey, size_t lkey_size,
                                         const layer **owner) {
    uint64_t hash = layer_key_hash(lkey, lkey_size);
    if (t->is_write) {
        const layer_entry *e = layer_find(t->s->pending, lkey, lkey_size, hash);
        if (e != NULL) {
            *owner = t->s->pending;
            return e;
        }
        return layer_index_find(&t->s->index, lkey, lkey_size, hash, owner);
    }
    /* Bounded by STORE_LAYERS_MAX. */
    for (size_t i = 0; i < t->view_count; i++) {
        const layer_entry *e = layer_find(t->view[i], lkey, lkey_size, hash);
        if (e != NULL) {
            *owner = t->view[i];
            return e;
        }
    }
    return NULL;
}

/* The newest value of key in table: t's layers, then state.mdb's snapshot. *value points into
 * a layer or an LMDB page: valid until the txn's next write or its end. */
static petro_result table_get(store_txn *t, layer_table table, const uint8_t *key,
                              size_t key_size, const uint8_t **value, size_t *value_size,
                              bool *found) {
    *found = false;
    *value = NULL;
    *value_size = 0;
    if (t->state_txn == NULL) return PETRO_ERR_IO;
    if (key_size == 0 || key_size > STORE_KEY_MAX) return PETRO_OK; /* never stored */
    uint8_t lkey[LAYER_KEY_MAX];
    size_t lkey_size = layer_key_make(lkey, table, key, key_size);
    const layer *owner;
    const layer_entry *e = find_in_layers(t, lkey, lkey_size, &owner);
    if (e != NULL) {
        if (e->value_size == LAYER_DELETED) return PETRO_OK;
        *value = layer_value(owner, e);
        *value_size = e->value_size;
        *found = true;
        return PETRO_OK;
    }
    db_tag tag;
    MDB_dbi dbi = table_dbi(t->s, table, &tag);
    MDB_val k = {key_size, (void *)key}, v;
    int rc = get_checked(t->s, t->state_txn, dbi, tag, &k, &v);
    if (rc == MDB_NOTFOUND) return PETRO_OK;
    if (rc != MDB_SUCCESS) return checked_result(rc, db_name(tag));
    *value = v.mv_data;
    *value_size = v.mv_size;
    *found = true;
    return PETRO_OK;
}

static petro_result adapter_get(void *ctx, const uint8_t *key, size_t key_size, uint8_t *value,
                                size_t value_cap, size_t *value_size, bool *found) {
    const uint8_t *v;
    petro_result r = table_get(ctx, TABLE_STATE, key, key_size, &v, value_size, found);
    if (r != PETRO_OK || !*found) return r;
    if (*value_size > value_cap) {
        *found = false;
        return PETRO_ERR_BUFFER_TOO_SMALL;
    }
    if (*value_size > 0) memcpy(value, v, *value_size);
    return PETRO_OK;
}

/* A write of key in table (value_size LAYER_DELETED: a deletion) into the write txn's layer. */
static petro_result table_write(store_txn *t, layer_table table, const uint8_t *key,
                                size_t key_size, const uint8_t *value, uint32_t value_size,
                                const char *what) {
    if (t->txn == NULL || !t->is_write) {
        log_error("store: %s outside a write transaction", what);
        return PETRO_ERR_IO;
    }
    if (key_size == 0 || key_size > STORE_KEY_MAX) return PETRO_ERR_IO;
    uint8_t lkey[LAYER_KEY_MAX];
    size_t lkey_size = layer_key_make(lkey, table, key, key_size);
    petro_result r = layer_put(t->s->pending, lkey, lkey_size, value, value_size);
    if (r == PETRO_OK) t->has_state_writes = true;
    return r;
}

static petro_result adapter_put(void *ctx, const uint8_t *key, size_t key_size,
                                const uint8_t *value, size_t value_size) {
    if (value_size >= LAYER_DELETED) return PETRO_ERR_IO;
    return table_write(ctx, TABLE_STATE, key, key_size, value, (uint32_t)value_size, "put");
}

static petro_result adapter_del(void *ctx, const uint8_t *key, size_t key_size) {
    return table_write(ctx, TABLE_STATE, key, key_size, NULL, LAYER_DELETED, "del");
}

/* Visit, in key order, the union of t's layers and state.mdb from start (a prefix, or with
 * is_from any key >= start): the newest value of each key, deletions skipped. */
static petro_result adapter_iter(void *ctx, const uint8_t *prefix, size_t prefix_size,
                                 petro_store_iter_cb cb, void *cb_ctx) {
    store_txn *t = ctx;
    if (t->state_txn == NULL) return PETRO_ERR_IO;
    const uint8_t *start = prefix;
    size_t start_size = prefix_size;
    /* store_state_each_from: no prefix, from the first key >= t->from instead. */
    if (prefix_size == 0 && t->from_size != 0) {
        start = t->from;
        start_size = t->from_size;
    }
    if (start_size > STORE_KEY_MAX) return PETRO_ERR_IO;
    /* In the layers: the state's table byte before the start and the prefix (which stops the
     * walk at the end of the state's table when there is no prefix). */
    uint8_t lstart[LAYER_KEY_MAX], lprefix[LAYER_KEY_MAX];
    size_t lstart_size = layer_key_make(lstart, TABLE_STATE, start, start_size);
    size_t lprefix_size = layer_key_make(lprefix, TABLE_STATE, prefix, prefix_size);
    layer *layers[LAYER_MERGE_MAX];
    size_t layer_count = 0;
    if (t->is_write) {
        /* The pending writes (sorted for the walk), then every layer not yet written. */
        if (t->s->pending->count > 0) {
            petro_result r = layer_sort(t->s->pending);
            if (r != PETRO_OK) return r;
            layers[layer_count++] = t->s->pending;
        }
    }
    for (size_t i = 0; i < t->view_count && layer_count < LAYER_MERGE_MAX; i++) {
        layers[layer_count++] = t->view[i];
    }
    PETROD_ASSERT(layer_count <= LAYER_MERGE_MAX);
    layer_merge m;
    layer_merge_init(&m, layers, layer_count, lstart, lstart_size);
    MDB_cursor *cur = NULL;
    int rc = mdb_cursor_open(t->state_txn, t->s->dbi_state, &cur);
    if (rc != MDB_SUCCESS) return store_lmdb_result(rc, "cursor open");
    MDB_val k = {start_size, (void *)start}, v;
    /* LMDB rejects zero-length keys, so an empty start is the first key. */
    rc = mdb_cursor_get(cur, &k, &v, k.mv_size == 0 ? MDB_FIRST : MDB_SET_RANGE);
    petro_result r = PETRO_OK;
    /* Bounded by the keys of the database and the entries of the layers. */
    for (;;) {
        bool has_db = rc == MDB_SUCCESS &&
                      (prefix_size == 0 ||
                       (k.mv_size >= prefix_size && memcmp(k.mv_data, prefix, prefix_size) == 0));
        if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) break;
        const layer *owner = NULL;
        const layer_entry *e = layer_merge_peek(&m, &owner);
        if (e != NULL && (e->key_size < lprefix_size ||
                          memcmp(layer_key(owner, e), lprefix, lprefix_size) != 0)) {
            e = NULL; /* the layers' keys left the prefix (or the state's table) */
        }
        if (!has_db && e == NULL) {
            rc = MDB_NOTFOUND;
            break;
        }
        int c = !has_db ? 1
                : e == NULL
                    ? -1
                    : layer_key_cmp(k.mv_data, k.mv_size, layer_key(owner, e) + 1,
                                    e->key_size - 1u);
        if (c < 0) { /* only in state.mdb */
            if (!value_ok(t->s, DB_STATE, &k, &v)) {
                rc = STORE_DAMAGED;
                break;
            }
            if (cb(cb_ctx, k.mv_data, k.mv_size, v.mv_data, v.mv_size) != 0) break;
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            continue;
        }
        (void)layer_merge_next(&m, &owner); /* the same entry as peeked */
        if (c == 0) rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT); /* the layer's is newer */
        if (e->value_size == LAYER_DELETED) continue;
        if (cb(cb_ctx, layer_key(owner, e) + 1, e->key_size - 1u, layer_value(owner, e),
               e->value_size) != 0) {
            rc = MDB_SUCCESS;
            break;
        }
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) r = checked_result(rc, "cursor next");
    mdb_cursor_close(cur);
    return r;
}

petro_result store_state_each_from(store_txn *t, const uint8_t *from, size_t from_size,
                                   petro_store_iter_cb cb, void *cb_ctx) {
    PETROD_ASSERT(from_size >= 1 && from_size <= PETRO_STORE_KEY_SIZE_MAX);
    PETROD_ASSERT(t->from_size == 0); /* one iteration at a time per txn */
    t->from = from;
    t->from_size = from_size;
    petro_result r = adapter_iter(t, NULL, 0, cb, cb_ctx);
    t->from = NULL;
    t->from_size = 0;
    return r;
}

/* ------------------------------------------------------------ transactions */

void store_txn_prepare(store_lmdb *s, store_txn *t) {
    memset(t, 0, offsetof(store_txn, view));
    t->view_count = 0;
    t->has_state_writes = false;
    t->s = s;
    t->store.ctx = t;
    t->store.get = adapter_get;
    t->store.put = adapter_put;
    t->store.del = adapter_del;
    t->store.iter = adapter_iter;
}

static void view_release(store_txn *t) {
    for (size_t i = 0; i < t->view_count; i++) layer_unref(t->view[i]);
    t->view_count = 0;
}

/* Pin the published layers (newest first) and take the snapshots: state.mdb's and, for a read
 * txn, the block log's, all under s->lock. The writer takes layers off the list only after
 * their commit, so the state snapshot holds every layer the list no longer does; no layer is
 * published or written while the lock is held, so it holds none newer than the pinned ones
 * (the layers on top are never older than the snapshot). A reader also waits while the
 * producer is between the block log's commit and its layer's publication (s->is_committing):
 * it would see the block without its state. The writer makes no LMDB call under the lock.
 * A write txn (the producer) first waits for room when the writer is STORE_LAYERS_MAX behind,
 * and drops from its index the layers written since its last txn. */
static petro_result view_begin(store_txn *t, bool renew) {
    store_lmdb *s = t->s;
    int rc = MDB_SUCCESS;
    bool has_lock = s->has_writer;
    if (has_lock) pthread_mutex_lock(&s->lock);
    if (has_lock && t->is_write) {
        if (s->is_writer_failing) {
            /* The state cannot be written (a full map or disk): commit no more blocks on top
             * of it; they stay pending. The writer retries every second. */
            petro_result r = s->writer_error == PETRO_ERR_STORE_FULL ? PETRO_ERR_STORE_FULL
                                                                      : PETRO_ERR_IO;
            pthread_mutex_unlock(&s->lock);
            return r;
        }
        if (s->list_count + 1 >= STORE_LAYERS_MAX) {
            struct timespec until = deadline_after_ms(WRITER_FULL_WAIT_MS);
            pthread_cond_broadcast(&s->cond); /* the writer: write now */
            while (s->list_count + 1 >= STORE_LAYERS_MAX && !s->is_writer_failing) {
                if (pthread_cond_timedwait(&s->cond, &s->lock, &until) != 0) break;
            }
            if (s->list_count + 1 >= STORE_LAYERS_MAX) {
                pthread_mutex_unlock(&s->lock);
                log_error("store: the state writer is %u blocks behind; this block waits",
                          STORE_LAYERS_MAX - 1);
                return PETRO_ERR_IO;
            }
        }
    }
    /* Bounded by the producer's commit (one fsync). */
    while (has_lock && !t->is_write && s->is_committing) pthread_cond_wait(&s->cond, &s->lock);
    if (has_lock) {
        for (size_t i = 0; i < s->list_count; i++) {
            layer *l = s->list[s->list_count - 1 - i];
            layer_ref(l);
            t->view[i] = l;
        }
        t->view_count = s->list_count;
    }
    bool is_new_state = !(renew && t->state_txn != NULL);
    rc = is_new_state ? mdb_txn_begin(s->state_env, NULL, MDB_RDONLY, &t->state_txn)
                      : mdb_txn_renew(t->state_txn);
    if (rc == MDB_SUCCESS && !t->is_write) {
        rc = renew && t->txn != NULL ? mdb_txn_renew(t->txn)
                                     : mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t->txn);
        if (rc != MDB_SUCCESS) {
            mdb_txn_abort(t->state_txn);
            t->state_txn = NULL;
            if (!renew) t->txn = NULL;
        }
    } else if (rc != MDB_SUCCESS) {
        if (!is_new_state) mdb_txn_abort(t->state_txn);
        t->state_txn = NULL;
    }
    if (has_lock) pthread_mutex_unlock(&s->lock);
    if (rc != MDB_SUCCESS) {
        view_release(t);
        return store_lmdb_result(rc, "begin read");
    }
    if (t->is_write) {
        /* Reap: the layers now in state.mdb leave the index (oldest first). The list is
         * always the newest part of indexed (one publisher; the writer removes the oldest). */
        size_t keep = t->view_count < s->indexed_count ? t->view_count : s->indexed_count;
        size_t reaped = s->indexed_count - keep;
        for (size_t i = 0; i < reaped; i++) layer_index_remove(&s->index, s->indexed[i]);
        memmove(s->indexed, s->indexed + reaped, keep * sizeof s->indexed[0]);
        s->indexed_count = keep;
    }
    return PETRO_OK;
}

petro_result store_txn_begin(store_lmdb *s, bool is_write, store_txn *t) {
    PETROD_ASSERT(s != NULL);
    store_txn_prepare(s, t);
    PETROD_ASSERT(!is_write || !s->is_read_only);
    t->is_write = is_write;
    petro_result r = view_begin(t, false);
    if (r != PETRO_OK) return r;
    if (is_write) {
        int rc = mdb_txn_begin(s->env, NULL, 0, &t->txn);
        if (rc != MDB_SUCCESS) {
            t->txn = NULL;
            mdb_txn_abort(t->state_txn);
            t->state_txn = NULL;
            view_release(t);
            return store_lmdb_result(rc, "begin write");
        }
        layer_clear(s->pending);
    }
    return PETRO_OK;
}

/* Publish the write txn's state writes as a layer (after the block log's commit). */
static void publish_pending(store_lmdb *s) {
    layer *l = s->pending;
    pthread_mutex_lock(&s->lock);
    PETROD_ASSERT(s->list_count < STORE_LAYERS_MAX); /* view_begin made room */
    layer_ref(l);
    s->list[s->list_count++] = l;
    s->list_bytes += layer_bytes(l);
    s->is_committing = false;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    petro_result r = layer_index_add(&s->index, l); /* room reserved before the commit */
    PETROD_ASSERT(r == PETRO_OK);
    PETROD_ASSERT(s->indexed_count < STORE_LAYERS_MAX);
    s->indexed[s->indexed_count++] = l;
}

petro_result store_txn_commit(store_txn *t) {
    if (t->txn == NULL) return PETRO_ERR_IO;
    store_lmdb *s = t->s;
    bool publish = t->is_write && t->has_state_writes && s->pending->count > 0;
    layer *next = NULL;
    if (publish) {
        /* Everything that can fail, before the commit point. */
        petro_result r = layer_sort(s->pending);
        if (r == PETRO_OK) r = layer_index_reserve(&s->index, s->pending->count);
        if (r == PETRO_OK && (next = layer_new()) == NULL) r = PETRO_ERR_NOMEM;
        if (r != PETRO_OK) {
            store_txn_abort(t);
            return r;
        }
    }
    bool is_gated = t->is_write && s->has_writer;
    if (is_gated) {
        pthread_mutex_lock(&s->lock);
        s->is_committing = true; /* readers wait until the layer is published (view_begin) */
        pthread_mutex_unlock(&s->lock);
    }
    int rc = mdb_txn_commit(t->txn);
    t->txn = NULL;
    petro_result r = t->is_write ? store_write_result(s, rc, "commit")
                                 : store_lmdb_result(rc, "commit");
    if (rc == MDB_SUCCESS && t->is_write) s->is_map_full_logged = false;
    if (publish && rc == MDB_SUCCESS) {
        publish_pending(s);
        layer_unref(s->pending);
        s->pending = next;
    } else {
        layer_unref(next);
        if (t->is_write) layer_clear(s->pending);
        if (is_gated) {
            pthread_mutex_lock(&s->lock);
            s->is_committing = false;
            pthread_cond_broadcast(&s->cond);
            pthread_mutex_unlock(&s->lock);
        }
    }
    mdb_txn_abort(t->state_txn);
    t->state_txn = NULL;
    view_release(t);
    return r;
}

void store_txn_abort(store_txn *t) {
    if (t->txn != NULL) mdb_txn_abort(t->txn);
    if (t->state_txn != NULL) mdb_txn_abort(t->state_txn);
    if (t->is_write && (t->txn != NULL || t->state_txn != NULL)) layer_clear(t->s->pending);
    t->txn = NULL;
    t->state_txn = NULL;
    view_release(t);
}

void store_txn_reset(store_txn *t) {
    if (t->txn == NULL || t->is_write) return;
    mdb_txn_reset(t->txn);
    if (t->state_txn != NULL) mdb_txn_reset(t->state_txn);
    view_release(t);
}

petro_result store_txn_renew(store_txn *t) {
    PETROD_ASSERT(t->store.ctx == t); /* prepared, and not moved since (store_lmdb.h) */
    if (t->txn == NULL || t->is_write) return PETRO_ERR_IO;
    return view_begin(t, true); /* renews both snapshots */
}

/* ------------------------------------------------------------ block data */

static petro_result store_put(store_txn *t, MDB_dbi dbi, db_tag tag, const void *key,
                              size_t key_size, const void *value, size_t value_size,
                              const char *what) {
    if (t->txn == NULL || !t->is_write) {
        log_error("store: %s outside a write transaction", what);
        return PETRO_ERR_IO;
    }
    MDB_val k = {key_size, (void *)key};
    return store_write_result(t->s, put_checked(t->txn, dbi, tag, &k, value, value_size), what);
}

petro_result store_put_block(store_txn *t, uint64_t height, const uint8_t *bytes, size_t size) {
    PETROD_ASSERT(bytes != NULL);
    PETROD_ASSERT(size >= PETRO_BLOCK_HEADER_SIZE);
    uint8_t key[8];
    be_u64(key, height);
    return store_put(t, t->s->dbi_blocks, DB_BLOCKS, key, sizeof key, bytes, size,
                     "put block");
}

petro_result store_put_results(store_txn *t, uint64_t height, const uint8_t *bytes,
                               size_t size) {
    PETROD_ASSERT(bytes != NULL || size == 0);
    uint8_t key[8];
    be_u64(key, height);
    return store_put(t, t->s->dbi_results, DB_RESULTS, key, sizeof key, bytes, size,
                     "put results");
}

/* A transaction's location, into txindex (through the layers). */
static petro_result put_tx_location(store_txn *t, const petro_hash *id, uint64_t height,
                                    uint32_t index) {
    uint8_t value[12];
    be_u64(value, height);
    be_u32(value + 8, index);
    return table_write(t, TABLE_TXINDEX, id->bytes, sizeof id->bytes, value, sizeof value,
                       "put txindex");
}

/* An account's history head from acct_last (through the layers): *pos 0 if it has none. */
static petro_result get_history_head(store_txn *t, const petro_pubkey *account, uint64_t *pos) {
    const uint8_t *v;
    size_t size;
    bool found;
    *pos = 0;
    petro_result r = table_get(t, TABLE_ACCT_LAST, account->bytes, sizeof account->bytes, &v,
                               &size, &found);
    if (r != PETRO_OK || !found) return r;
    if (size != 8) {
        log_error("acct_last entry has %zu bytes, not 8", size);
        return PETRO_ERR_CORRUPT;
    }
    *pos = be_get_u64(v);
    return PETRO_OK;
}

static uint64_t position_of(uint64_t height, uint32_t index) {
    /* Both fit their bits: the index by PETRO_BLOCK_TX_COUNT_MAX (store_lmdb.h), the height
     * because 2^40 blocks is beyond any ledger's life. */
    PETROD_ASSERT(index < (1u << STORE_POSITION_INDEX_BITS));
    PETROD_ASSERT(height < ((uint64_t)1 << (64 - STORE_POSITION_INDEX_BITS)));
    return (height << STORE_POSITION_INDEX_BITS) | index;
}

#define LINK_SIZE (32u + 8u)           /* pubkey, u64 BE previous position */
#define LINK_RECORD_HEAD (32u + 1u)    /* tx id, u8 account count */

void store_links_clear(store_links *l) {
    l->size = 0;
    l->count = 0;
}

void store_links_free(store_links *l) {
    free(l->records);
    free(l->offsets);
    memset(l, 0, sizeof *l);
}

static petro_result links_reserve(store_links *l, size_t more) {
    if (l->count == l->offsets_cap) {
        uint32_t cap = l->offsets_cap < 256 ? 256 : l->offsets_cap * 2;
        uint32_t *o = realloc(l->offsets, (size_t)cap * sizeof *o);
        if (o == NULL) return PETRO_ERR_NOMEM;
        l->offsets = o;
        l->offsets_cap = cap;
    }
    if (l->size + more > l->cap) {
        size_t cap = l->cap < 65536 ? 65536 : l->cap;
        while (cap < l->size + more) cap *= 2;
        uint8_t *b = realloc(l->records, cap);
        if (b == NULL) return PETRO_ERR_NOMEM;
        l->records = b;
        l->cap = cap;
    }
    PETROD_ASSERT(l->count < l->offsets_cap);
    PETROD_ASSERT(l->size + more <= l->cap);
    return PETRO_OK;
}

petro_result store_index_tx(store_txn *t, store_links *l, const petro_hash *id, uint64_t height,
                            uint32_t index, const petro_pubkey *accounts, size_t account_count) {
    PETROD_ASSERT(accounts != NULL || account_count == 0);
    PETROD_ASSERT(index == l->count); /* a block's transactions, in order, from its first */
    if (account_count > UINT8_MAX) return PETRO_ERR_CORRUPT; /* PETRO_TX_ACCOUNTS_MAX is 81 */
    petro_result r = put_tx_location(t, id, height, index); /* fails outside a write txn */
    if (r == PETRO_OK) r = links_reserve(l, LINK_RECORD_HEAD + account_count * LINK_SIZE);
    if (r != PETRO_OK) return r;
    if (l->size > UINT32_MAX) return PETRO_ERR_NOMEM;
    PETROD_ASSERT(l->size + LINK_RECORD_HEAD + account_count * LINK_SIZE <= l->cap);
    uint8_t *rec = l->records + l->size;
    memcpy(rec, id->bytes, 32);
    rec[32] = (uint8_t)account_count;
    uint8_t pos[8];
    be_u64(pos, position_of(height, index));
    /* Bounded by account_count (<= 255). */
    for (size_t i = 0; i < account_count && r == PETRO_OK; i++) {
        uint8_t *link = rec + LINK_RECORD_HEAD + i * LINK_SIZE;
        memcpy(link, accounts[i].bytes, 32);
        /* The head so far (this block's earlier transactions included: the pending layer),
         * then the new head. */
        uint64_t prev;
        r = get_history_head(t, &accounts[i], &prev);
        if (r != PETRO_OK) break;
        be_u64(link + 32, prev);
        r = table_write(t, TABLE_ACCT_LAST, accounts[i].bytes, sizeof accounts[i].bytes, pos,
                        sizeof pos, "put acct_last");
    }
    if (r != PETRO_OK) return r;
    l->offsets[l->count++] = (uint32_t)l->size;
    l->size += LINK_RECORD_HEAD + account_count * LINK_SIZE;
    return PETRO_OK;
}

/* The stored form of a block's links in l->records: u32 LE count, u32 LE offsets (into the
 * records), the records. Returns its size, or 0 (out of memory). */
static size_t links_encode(store_links *l) {
    size_t head = 4 + 4 * (size_t)l->count;
    if (links_reserve(l, head) != PETRO_OK) return 0;
    PETROD_ASSERT(head + l->size <= l->cap);
    memmove(l->records + head, l->records, l->size);
    put_le_u32(l->records, l->count);
    for (uint32_t i = 0; i < l->count; i++) put_le_u32(l->records + 4 + 4 * i, l->offsets[i]);
    return head + l->size;
}

petro_result store_put_block_indexes(store_txn *t, store_links *l, uint64_t height) {
    petro_result r = PETRO_OK;
    if (l->count > 0) {
        size_t size = links_encode(l);
        uint8_t key[8];
        be_u64(key, height);
        r = size == 0 ? PETRO_ERR_NOMEM
                      : store_put(t, t->s->dbi_acct_links, DB_ACCT_LINKS, key, sizeof key,
                                  l->records, size, "put acct_links");
    }
    store_links_clear(l);
    return r;
}

petro_result store_check_block_indexes(store_txn *t, store_links *l, uint64_t height) {
    PETROD_ASSERT(t->txn != NULL);
    uint8_t key[8];
    be_u64(key, height);
    MDB_val k = {sizeof key, key}, v;
    int rc = get_checked(t->s, t->txn, t->s->dbi_acct_links, DB_ACCT_LINKS, &k, &v);
    petro_result r = PETRO_OK;
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        r = checked_result(rc, "get acct_links");
    } else if (l->count == 0 || rc == MDB_NOTFOUND) {
        if (l->count != 0 || rc != MDB_NOTFOUND) r = PETRO_ERR_CORRUPT;
    } else {
        size_t size = links_encode(l);
        if (size == 0) r = PETRO_ERR_NOMEM;
        else if (size != v.mv_size || memcmp(l->records, v.mv_data, size) != 0) {
            r = PETRO_ERR_CORRUPT;
        }
    }
    if (r == PETRO_ERR_CORRUPT) {
        log_error("the history links of block %llu in the block log differ from the ones its "
                  "replay builds from state.mdb's history heads: the ledger is damaged "
                  "(docs/operations.md, \"Damaged storage\")", (unsigned long long)height);
        t->s->damaged_total++;
    }
    store_links_clear(l);
    return r;
}

petro_result store_put_meta(store_txn *t, const char *name, const uint8_t *bytes, size_t size) {
    PETROD_ASSERT(name != NULL && name[0] != '\0'); /* LMDB refuses empty keys */
    return store_put(t, t->s->dbi_meta, DB_META, name, strlen(name), bytes, size, "put meta");
}

/* ------------------------------------------------------------ reads */

petro_result store_get_block(store_txn *t, uint64_t height, const uint8_t **bytes,
                             size_t *size) {
    PETROD_ASSERT(t->txn != NULL); /* reads need an open transaction */
    *bytes = NULL;
    *size = 0;
    uint8_t key[8];
    be_u64(key, height);
    MDB_val k = {sizeof key, key}, v;
    int rc = get_checked(t->s, t->txn, t->s->dbi_blocks, DB_BLOCKS, &k, &v);
    if (rc != MDB_SUCCESS) return checked_result(rc, "get block");
    *bytes = v.mv_data;
    *size = v.mv_size;
    return PETRO_OK;
}

petro_result store_last_block_height(store_txn *t, uint64_t *height) {
    *height = 0;
    MDB_cursor *cur = NULL;
    int rc = mdb_cursor_open(t->txn, t->s->dbi_blocks, &cur);
    if (rc != MDB_SUCCESS) return store_lmdb_result(rc, "cursor open (blocks)");
    MDB_val k, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    mdb_cursor_close(cur);
    if (rc != MDB_SUCCESS) return store_lmdb_result(rc, "last block");
    if (k.mv_size != 8) return PETRO_ERR_CORRUPT;
    *height = be_get_u64(k.mv_data);
    return PETRO_OK;
}

petro_result store_get_tx_result(store_txn *t, uint64_t height, uint32_t index,
                                 petro_tx_result *result) {
    PETROD_ASSERT(t->txn != NULL);
    memset(result, 0, sizeof *result);
    uint8_t key[8];
    be_u64(key, height);
    MDB_val k = {sizeof key, key}, v;
    int rc = get_checked(t->s, t->txn, t->s->dbi_results, DB_RESULTS, &k, &v);
    if (rc != MDB_SUCCESS) return checked_result(rc, "get results");
    const uint8_t *p = v.mv_data;
    size_t offset = 0;
    /* Bounded by the block's transaction count (index < PETRO_BLOCK_TX_COUNT_MAX). */
    for (uint32_t i = 0; i <= index; i++) {
        if (offset + 2 > v.mv_size) return PETRO_ERR_NOT_FOUND;
        size_t len = (size_t)p[offset] | ((size_t)p[offset + 1] << 8);
        offset += 2;
        if (len > v.mv_size - offset) {
            log_error("results of block %llu are truncated", (unsigned long long)height);
            return PETRO_ERR_CORRUPT;
        }
        if (i == index) {
            petro_result r = petro_tx_result_decode(result, p + offset, len);
            if (r != PETRO_OK) {
                log_error("result %u of block %llu does not decode: %s", index,
                          (unsigned long long)height, petro_result_name(r));
                return PETRO_ERR_CORRUPT;
            }
            return PETRO_OK;
        }
        offset += len;
    }
    return PETRO_ERR_NOT_FOUND;
}

petro_result store_get_tx_location(store_txn *t, const petro_hash *id, uint64_t *height,
                                   uint32_t *index) {
    PETROD_ASSERT(t->txn != NULL);
    *height = 0;
    *index = 0;
    const uint8_t *v;
    size_t size;
    bool found;
    petro_result r = table_get(t, TABLE_TXINDEX, id->bytes, sizeof id->bytes, &v, &size, &found);
    if (r != PETRO_OK) return r;
    if (!found) return PETRO_ERR_NOT_FOUND;
    if (size != 12) {
        log_error("txindex entry has %zu bytes, expected 12", size);
        return PETRO_ERR_CORRUPT;
    }
    *height = be_get_u64(v);
    *index = be_get_u32(v + 8);
    return PETRO_OK;
}

petro_result store_lmdb_peek_meta(const char *dir, const char *name, uint8_t *out,
                                  size_t out_cap, size_t *out_size, const char **lmdb_error) {
    PETROD_ASSERT(out != NULL || out_cap == 0);
    *out_size = 0;
    *lmdb_error = "";
    char why[PATH_MAX + 256];
    store_file_status file = store_lmdb_check_file(dir, why, sizeof why);
    if (file == STORE_FILE_TRUNCATED) {
        *lmdb_error = "data.mdb is shorter than its LMDB metadata says (truncated)";
        return PETRO_ERR_CORRUPT;
    }
    if (file == STORE_FILE_UNREADABLE) {
        *lmdb_error = "data.mdb cannot be read";
        return PETRO_ERR_IO;
    }
    MDB_env *env = NULL;
    int rc = mdb_env_create(&env);
    if (rc != MDB_SUCCESS) {
        *lmdb_error = mdb_strerror(rc);
        return PETRO_ERR_NOMEM;
    }
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    MDB_val k = {strlen(name), (void *)name}, v = {0, NULL};
    rc = mdb_env_set_maxdbs(env, STORE_DBS_MAX);
    /* MDB_RDONLY: no write transaction, the map file is never changed. Without a lock.mdb
     * (a ledger copied without it) no petrod runs on it, and MDB_NOLOCK keeps LMDB from
     * creating one; with one, this reader takes a slot like any other. */
    unsigned flags = MDB_RDONLY | MDB_NOTLS | (file_exists(dir, "lock.mdb") ? 0u : MDB_NOLOCK);
    if (rc == MDB_SUCCESS) rc = mdb_env_open(env, dir, flags, 0600);
    if (rc == MDB_SUCCESS) rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    if (rc == MDB_SUCCESS) rc = mdb_dbi_open(txn, "meta", 0, &dbi);
    if (rc == MDB_SUCCESS) rc = mdb_get(txn, dbi, &k, &v);
    petro_result r = PETRO_OK;
    /* A ledger of format 4 or older stored "format" as 4 bytes without a check: returned as
     * it is, so that the caller names the older petrod. */
    bool is_legacy_format = rc == MDB_SUCCESS && strcmp(name, "format") == 0 && v.mv_size == 4;
    if (rc == MDB_SUCCESS && !is_legacy_format && !value_ok(NULL, DB_META, &k, &v)) {
        *lmdb_error = "the value failed its check (damaged)";
        r = PETRO_ERR_CORRUPT;
    } else if (rc == MDB_SUCCESS) {
        if (v.mv_size > out_cap) {
            r = PETRO_ERR_BUFFER_TOO_SMALL;
        } else {
            memcpy(out, v.mv_data, v.mv_size);
            *out_size = v.mv_size;
        }
    } else {
        *lmdb_error = mdb_strerror(rc);
        r = rc == MDB_NOTFOUND ? PETRO_ERR_NOT_FOUND
            : rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == MDB_INCOMPATIBLE ||
                    rc == MDB_CORRUPTED
                ? PETRO_ERR_CORRUPT
                : PETRO_ERR_IO;
    }
    if (txn != NULL) mdb_txn_abort(txn);
    mdb_env_close(env);
    return r;
}

petro_result store_get_meta_exact(store_txn *t, const char *name, uint8_t *out, size_t out_cap) {
    PETROD_ASSERT(t->txn != NULL);
    PETROD_ASSERT(out != NULL);
    MDB_val k = {strlen(name), (void *)name}, v;
    int rc = get_checked(t->s, t->txn, t->s->dbi_meta, DB_META, &k, &v);
    if (rc != MDB_SUCCESS) return checked_result(rc, "get meta");
    if (v.mv_size != out_cap) {
        log_error("meta '%s' has %zu bytes, expected %zu", name, v.mv_size, out_cap);
        return PETRO_ERR_CORRUPT;
    }
    memcpy(out, v.mv_data, out_cap);
    return PETRO_OK;
}

/* In the links of the block at pos's height: the id of the transaction at pos and account's
 * previous position (0: none). PETRO_ERR_NOT_FOUND if that transaction does not touch account
 * (or there is none at pos); PETRO_ERR_CORRUPT if the links do not parse. */
static petro_result link_at(store_txn *t, const petro_pubkey *account, uint64_t pos,
                            petro_hash *id, uint64_t *prev) {
    uint8_t key[8];
    be_u64(key, pos >> STORE_POSITION_INDEX_BITS);
    uint32_t index = (uint32_t)(pos & ((1u << STORE_POSITION_INDEX_BITS) - 1u));
    MDB_val k = {sizeof key, key}, v;
    int rc = get_checked(t->s, t->txn, t->s->dbi_acct_links, DB_ACCT_LINKS, &k, &v);
    if (rc != MDB_SUCCESS) return checked_result(rc, "get acct_links");
    const uint8_t *p = v.mv_data;
    if (v.mv_size < 4) goto corrupt;
    uint32_t count = get_le_u32(p);
    if (count > (v.mv_size - 4) / 4) goto corrupt;
    if (index >= count) return PETRO_ERR_NOT_FOUND;
    size_t head = 4 + 4 * (size_t)count;
    size_t off = head + get_le_u32(p + 4 + 4 * (size_t)index);
    if (off > v.mv_size || v.mv_size - off < LINK_RECORD_HEAD) goto corrupt;
    size_t n = p[off + 32];
    if ((v.mv_size - off - LINK_RECORD_HEAD) / LINK_SIZE < n) goto corrupt;
    /* Bounded by the transaction's account count (<= 255). */
    for (size_t i = 0; i < n; i++) {
        const uint8_t *link = p + off + LINK_RECORD_HEAD + i * LINK_SIZE;
        if (memcmp(link, account->bytes, 32) != 0) continue;
        memcpy(id->bytes, p + off, 32);
        *prev = be_get_u64(link + 32);
        if (*prev >= pos) goto corrupt; /* links point strictly back: the walk ends */
        return PETRO_OK;
    }
    return PETRO_ERR_NOT_FOUND;
corrupt:
    log_error("acct_links of block %llu are damaged",
              (unsigned long long)(pos >> STORE_POSITION_INDEX_BITS));
    return PETRO_ERR_CORRUPT;
}

petro_result store_account_txs(store_txn *t, const petro_pubkey *account, uint64_t cursor,
                               size_t limit, petro_hash *ids, size_t *count,
                               uint64_t *next_cursor) {
    PETROD_ASSERT(t->txn != NULL);
    *count = 0;
    *next_cursor = 0;
    if (limit == 0) return PETRO_OK;
    PETROD_ASSERT(ids != NULL);
    uint64_t pos = 0;
    petro_result r;
    if (cursor == 0) {
        r = get_history_head(t, account, &pos);
        if (r != PETRO_OK || pos == 0) return r;
    } else {
        petro_hash unused;
        r = link_at(t, account, cursor, &unused, &pos);
        if (r == PETRO_ERR_NOT_FOUND) return PETRO_ERR_BAD_REQUEST; /* not from this history */
        if (r != PETRO_OK) return r;
    }
    uint64_t last = 0;
    /* Bounded by limit: one link per entry. */
    while (pos != 0 && *count < limit) {
        uint64_t prev;
        r = link_at(t, account, pos, &ids[*count], &prev);
        if (r == PETRO_ERR_NOT_FOUND) {
            log_error("acct_links do not list an account at a position its history names");
            r = PETRO_ERR_CORRUPT;
        }
        if (r != PETRO_OK) {
            *count = 0;
            return r;
        }
        (*count)++;
        last = pos;
        pos = prev;
    }
    if (pos != 0) *next_cursor = last;
    return PETRO_OK;
}

bool store_lmdb_ledger_refused(const char *data_dir, char *why, size_t why_cap) {
    char ledger[PATH_MAX + 16];
    int n = snprintf(ledger, sizeof ledger, "%s/ledger", data_dir);
    if (n < 0 || (size_t)n >= sizeof ledger) return false; /* datadir_inspect names it */
    store_file_status st = store_lmdb_check_file(ledger, why, why_cap);
    if (st == STORE_FILE_TRUNCATED || st == STORE_FILE_UNREADABLE) return true;
    char state[PATH_MAX + 32];
    n = snprintf(state, sizeof state, "%s/ledger/state.mdb", data_dir);
    if (n < 0 || (size_t)n >= sizeof state) return false;
    st = store_lmdb_check_path(state, why, why_cap);
    return st == STORE_FILE_TRUNCATED || st == STORE_FILE_UNREADABLE;
}
