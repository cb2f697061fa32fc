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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "assert.h"
#include "log.h"

/* Maximum concurrent read transactions: API connection threads, the admission snapshot,
 * the producer's invariant check. LMDB's default of 126 is too small for a busy API. */
#define STORE_READERS_MAX 1024u
#define STORE_DBS_MAX 12u

struct store_lmdb {
    MDB_env *env;
    bool is_map_full_logged; /* writer thread only: a full map is logged once per episode */
    _Atomic uint64_t damaged_total; /* values that failed their check (store_lmdb_damaged) */
    MDB_dbi dbi_state;
    MDB_dbi dbi_blocks;
    MDB_dbi dbi_results;
    MDB_dbi dbi_txindex;
    MDB_dbi dbi_txrecent;
    MDB_dbi dbi_acct_last;
    MDB_dbi dbi_acct_links;
    MDB_dbi dbi_meta;
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
    DB_BLOCKS,
    DB_RESULTS,
    DB_TXINDEX,
    DB_TXRECENT,
    DB_ACCT_LAST,
    DB_ACCT_LINKS,
    DB_META,
} db_tag;

static const char *db_name(db_tag tag) {
    static const char *const names[] = {"?", "state", "blocks", "results", "txindex",
                                        "txrecent", "acct_last", "acct_links", "meta"};
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
static int digest_read(store_lmdb *s, MDB_txn *txn, MDB_dbi meta, uint64_t *out);

/* An LMDB result, or PETRO_ERR_CORRUPT for STORE_DAMAGED. */
static petro_result checked_result(int rc, const char *what) {
    return rc == STORE_DAMAGED ? PETRO_ERR_CORRUPT : store_lmdb_result(rc, what);
}

uint64_t store_lmdb_damaged(const store_lmdb *s) { return s->damaged_total; }

uint64_t store_lmdb_used_bytes(store_lmdb *s) {
    MDB_envinfo info;
    MDB_stat st;
    if (mdb_env_info(s->env, &info) != MDB_SUCCESS || mdb_env_stat(s->env, &st) != MDB_SUCCESS) {
        return 0;
    }
    return ((uint64_t)info.me_last_pgno + 1u) * st.ms_psize;
}

static uint64_t be_get_u64(const uint8_t in[8]);

petro_result store_lmdb_scrub(store_lmdb *s, uint64_t *records, uint64_t *damaged) {
    *records = 0;
    *damaged = 0;
    MDB_txn *txn = NULL;
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (rc != MDB_SUCCESS) return store_lmdb_result(rc, "begin (scrub)");
    const struct {
        MDB_dbi dbi;
        db_tag tag;
    } dbs[] = {{s->dbi_state, DB_STATE},       {s->dbi_blocks, DB_BLOCKS},
               {s->dbi_results, DB_RESULTS},   {s->dbi_txindex, DB_TXINDEX},
               {s->dbi_txrecent, DB_TXRECENT}, {s->dbi_acct_last, DB_ACCT_LAST},
               {s->dbi_acct_links, DB_ACCT_LINKS}, {s->dbi_meta, DB_META}};
    petro_result r = PETRO_OK;
    uint64_t digest = 0; /* the sum of the state records' checks ("state digest") */
    uint8_t prev[511];
    petro_hash prev_block; /* the hash of the block before, to check each block's link */
    uint64_t prev_height = 0;
    bool has_prev_block = false;
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0] && r != PETRO_ERR_IO; i++) {
        MDB_cursor *cur = NULL;
        rc = mdb_cursor_open(txn, dbs[i].dbi, &cur);
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
            if (has_prev && mdb_cmp(txn, dbs[i].dbi, &prev_k, &k) >= 0) {
                why = "keys out of order (a damaged page)";
            } else if (mdb_get(txn, dbs[i].dbi, &k, &found) != MDB_SUCCESS ||
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
        rc = digest_read(NULL, txn, s->dbi_meta, &want);
        if (rc != MDB_SUCCESS || want != digest) {
            (*damaged)++;
            log_error("store: DAMAGED state: its records do not add up to the state digest the "
                      "last commit wrote (%s); a record was rolled back, lost or added behind "
                      "the node's back (docs/operations.md, \"Damaged storage\")",
                      rc == MDB_NOTFOUND ? "no digest stored" : "they differ");
            r = PETRO_ERR_CORRUPT;
        }
    }
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
static petro_result store_write_result(store_lmdb *s, int rc, const char *what) {
    if (rc == MDB_MAP_FULL && s->is_map_full_logged) return PETRO_ERR_STORE_FULL;
    if (rc == MDB_MAP_FULL) s->is_map_full_logged = true;
    return store_lmdb_result(rc, what);
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

static petro_result store_open_dbis(store_lmdb *s, bool create) {
    MDB_txn *txn = NULL;
    int rc = mdb_txn_begin(s->env, NULL, create ? 0 : MDB_RDONLY, &txn);
    if (rc != MDB_SUCCESS) return store_lmdb_result(rc, "begin (open databases)");
    unsigned flags = create ? MDB_CREATE : 0;
    struct {
        const char *name;
        MDB_dbi *dbi;
    } dbs[] = {{"state", &s->dbi_state},       {"blocks", &s->dbi_blocks},
               {"results", &s->dbi_results},   {"txindex", &s->dbi_txindex},
               {"txrecent", &s->dbi_txrecent},
               {"acct_last", &s->dbi_acct_last}, {"acct_links", &s->dbi_acct_links},
               {"meta", &s->dbi_meta}};
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
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

static bool has_lock_file(const char *dir) {
    char lock_path[PATH_MAX + 16];
    struct stat st;
    int n = snprintf(lock_path, sizeof lock_path, "%s/lock.mdb", dir);
    return n > 0 && (size_t)n < sizeof lock_path && stat(lock_path, &st) == 0;
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

static petro_result open_env(store_lmdb **out, const char *dir, size_t map_size, bool create,
                             bool is_read_only) {
    PETROD_ASSERT(dir != NULL);
    PETROD_ASSERT(!(create && is_read_only));
    *out = NULL;
    if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
        log_error("cannot create %s: %s", dir, strerror(errno));
        return PETRO_ERR_IO;
    }
    /* Before LMDB maps the file: a page past its end would be a SIGBUS, not an error. */
    char why[PATH_MAX + 256];
    store_file_status file = store_lmdb_check_file(dir, why, sizeof why);
    if (file == STORE_FILE_TRUNCATED || file == STORE_FILE_UNREADABLE) {
        log_error("%s", why);
        return file == STORE_FILE_TRUNCATED ? PETRO_ERR_CORRUPT : PETRO_ERR_IO;
    }
    store_lmdb *s = calloc(1, sizeof *s);
    if (s == NULL) return PETRO_ERR_NOMEM;
    petro_result r = PETRO_OK;
    int rc = mdb_env_create(&s->env);
    if (rc != MDB_SUCCESS) {
        free(s);
        return store_lmdb_result(rc, "env create");
    }
    (void)mdb_env_set_assert(s->env, on_lmdb_assert); /* EINVAL in an NDEBUG liblmdb: none */
    if ((rc = mdb_env_set_maxdbs(s->env, STORE_DBS_MAX)) != MDB_SUCCESS ||
        (rc = mdb_env_set_maxreaders(s->env, STORE_READERS_MAX)) != MDB_SUCCESS ||
        (rc = mdb_env_set_mapsize(s->env, map_size)) != MDB_SUCCESS) {
        r = store_lmdb_result(rc, "env setup");
        goto fail;
    }
    /* No MDB_NOSYNC / MDB_NOMETASYNC: a commit is durable when it returns. MDB_NOTLS: read
     * transactions are not tied to a thread. */
    unsigned flags = MDB_NOTLS;
    if (is_read_only) flags |= MDB_RDONLY | (has_lock_file(dir) ? 0u : MDB_NOLOCK);
    rc = mdb_env_open(s->env, dir, flags, 0600);
    if (rc != MDB_SUCCESS) {
        if (rc == ENOENT) {
            log_error("no ledger in %s", dir);
            r = PETRO_ERR_IO;
        } else {
            r = store_lmdb_result(rc, "env open");
        }
        goto fail;
    }
    r = store_open_dbis(s, create);
    if (r != PETRO_OK) goto fail;
    *out = s;
    return PETRO_OK;
fail:
    mdb_env_close(s->env);
    free(s);
    return r;
}

void store_lmdb_close(store_lmdb *s) {
    if (s == NULL) return;
    mdb_env_close(s->env);
    free(s);
}

/* ------------------------------------------------------------ petro_store adapter */

static petro_result adapter_get(void *ctx, const uint8_t *key, size_t key_size, uint8_t *value,
                                size_t value_cap, size_t *value_size, bool *found) {
    store_txn *t = ctx;
    *found = false;
    *value_size = 0;
    if (t->txn == NULL) return PETRO_ERR_IO;
    MDB_val k = {key_size, (void *)key}, v;
    int rc = get_checked(t->s, t->txn, t->s->dbi_state, DB_STATE, &k, &v);
    if (rc == MDB_NOTFOUND) return PETRO_OK;
    if (rc != MDB_SUCCESS) return checked_result(rc, "get state");
    *value_size = v.mv_size;
    if (v.mv_size > value_cap) return PETRO_ERR_BUFFER_TOO_SMALL;
    if (v.mv_size > 0) memcpy(value, v.mv_data, v.mv_size);
    *found = true;
    return PETRO_OK;
}

static petro_result adapter_put(void *ctx, const uint8_t *key, size_t key_size,
                                const uint8_t *value, size_t value_size) {
    store_txn *t = ctx;
    if (t->txn == NULL || !t->is_write) {
        log_error("store: put outside a write transaction");
        return PETRO_ERR_IO;
    }
    MDB_val k = {key_size, (void *)key}, old;
    int rc = mdb_get(t->txn, t->s->dbi_state, &k, &old);
    if (rc == MDB_SUCCESS) {
        t->digest_delta -= stored_check(&old);
    } else if (rc != MDB_NOTFOUND) {
        return store_write_result(t->s, rc, "get state (digest)");
    }
    uint64_t check = 0;
    rc = put_checked_out(t->txn, t->s->dbi_state, DB_STATE, &k, value, value_size, &check);
    if (rc == MDB_SUCCESS) {
        t->digest_delta += check;
        t->has_state_writes = true;
    }
    return store_write_result(t->s, rc, "put state");
}

static petro_result adapter_del(void *ctx, const uint8_t *key, size_t key_size) {
    store_txn *t = ctx;
    if (t->txn == NULL || !t->is_write) {
        log_error("store: del outside a write transaction");
        return PETRO_ERR_IO;
    }
    MDB_val k = {key_size, (void *)key}, old;
    int rc = mdb_get(t->txn, t->s->dbi_state, &k, &old);
    if (rc == MDB_NOTFOUND) return PETRO_OK;
    if (rc != MDB_SUCCESS) return store_write_result(t->s, rc, "get state (digest)");
    uint64_t check = stored_check(&old);
    rc = mdb_del(t->txn, t->s->dbi_state, &k, NULL);
    if (rc == MDB_SUCCESS) {
        t->digest_delta -= check;
        t->has_state_writes = true;
    }
    return store_write_result(t->s, rc, "del state");
}

static petro_result adapter_iter(void *ctx, const uint8_t *prefix, size_t prefix_size,
                                 petro_store_iter_cb cb, void *cb_ctx) {
    store_txn *t = ctx;
    if (t->txn == NULL) return PETRO_ERR_IO;
    MDB_cursor *cur = NULL;
    int rc = mdb_cursor_open(t->txn, t->s->dbi_state, &cur);
    if (rc != MDB_SUCCESS) return store_lmdb_result(rc, "cursor open");
    MDB_val k = {prefix_size, (void *)prefix}, v;
    /* store_state_each_from: no prefix, from the first key >= t->from instead. */
    if (prefix_size == 0 && t->from_size != 0) k = (MDB_val){t->from_size, (void *)t->from};
    /* LMDB rejects zero-length keys, so an empty prefix starts at the first key. */
    rc = mdb_cursor_get(cur, &k, &v, k.mv_size == 0 ? MDB_FIRST : MDB_SET_RANGE);
    petro_result r = PETRO_OK;
    /* Bounded by the number of keys in the database. */
    while (rc == MDB_SUCCESS) {
        /* prefix may be NULL when prefix_size is 0 (memcmp must not see NULL). */
        if (k.mv_size < prefix_size ||
            (prefix_size != 0 && memcmp(k.mv_data, prefix, prefix_size) != 0)) {
            break;
        }
        if (!value_ok(t->s, DB_STATE, &k, &v)) {
            rc = STORE_DAMAGED;
            break;
        }
        if (cb(cb_ctx, k.mv_data, k.mv_size, v.mv_data, v.mv_size) != 0) break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
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
    memset(t, 0, sizeof *t);
    t->s = s;
    t->store.ctx = t;
    t->store.get = adapter_get;
    t->store.put = adapter_put;
    t->store.del = adapter_del;
    t->store.iter = adapter_iter;
}

petro_result store_txn_begin(store_lmdb *s, bool is_write, store_txn *t) {
    PETROD_ASSERT(s != NULL);
    store_txn_prepare(s, t);
    int rc = mdb_txn_begin(s->env, NULL, is_write ? 0 : MDB_RDONLY, &t->txn);
    if (rc != MDB_SUCCESS) {
        t->txn = NULL;
        return store_lmdb_result(rc, is_write ? "begin write" : "begin read");
    }
    t->is_write = is_write;
    return PETRO_OK;
}

/* Add a write txn's digest change to meta "state_digest" (0 when there is none yet: the
 * ledger's first commit). */
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

static petro_result digest_update(store_txn *t) {
    MDB_val k = {sizeof DIGEST_NAME - 1, (void *)DIGEST_NAME};
    uint64_t digest = 0;
    int rc = digest_read(t->s, t->txn, t->s->dbi_meta, &digest);
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) return checked_result(rc, "get state_digest");
    digest += t->digest_delta;
    uint8_t out[8];
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(digest >> (8 * i));
    return store_write_result(t->s, put_checked(t->txn, t->s->dbi_meta, DB_META, &k, out, 8),
                              "put state_digest");
}

petro_result store_txn_commit(store_txn *t) {
    if (t->txn == NULL) return PETRO_ERR_IO;
    if (t->is_write && t->has_state_writes) {
        petro_result r = digest_update(t);
        if (r != PETRO_OK) {
            mdb_txn_abort(t->txn);
            t->txn = NULL;
            return r;
        }
    }
    int rc = mdb_txn_commit(t->txn);
    t->txn = NULL;
    if (rc == MDB_SUCCESS && t->is_write) t->s->is_map_full_logged = false;
    return t->is_write ? store_write_result(t->s, rc, "commit") : store_lmdb_result(rc, "commit");
}

void store_txn_abort(store_txn *t) {
    if (t->txn == NULL) return;
    mdb_txn_abort(t->txn);
    t->txn = NULL;
}

void store_txn_reset(store_txn *t) {
    if (t->txn != NULL && !t->is_write) mdb_txn_reset(t->txn);
}

petro_result store_txn_renew(store_txn *t) {
    PETROD_ASSERT(t->store.ctx == t); /* prepared, and not moved since (store_lmdb.h) */
    if (t->txn == NULL || t->is_write) return PETRO_ERR_IO;
    return store_lmdb_result(mdb_txn_renew(t->txn), "renew read");
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

/* A transaction's location, into txrecent (merge_tx_slice moves it on). */
static petro_result put_tx_location(store_txn *t, const petro_hash *id, uint64_t height,
                                    uint32_t index) {
    uint8_t value[12];
    be_u64(value, height);
    be_u32(value + 8, index);
    return store_put(t, t->s->dbi_txrecent, DB_TXRECENT, id->bytes, sizeof id->bytes, value,
                     sizeof value,
                     "put txrecent");
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
    /* One cursor for the heads: an account's head is read and replaced where the read left
     * the cursor (MDB_CURRENT), one descent of acct_last instead of two. */
    MDB_cursor *cur = NULL;
    int rc = mdb_cursor_open(t->txn, t->s->dbi_acct_last, &cur);
    if (rc != MDB_SUCCESS) return store_lmdb_result(rc, "cursor open (acct_last)");
    PETROD_ASSERT(l->size + LINK_RECORD_HEAD + account_count * LINK_SIZE <= l->cap);
    uint8_t *rec = l->records + l->size;
    memcpy(rec, id->bytes, 32);
    rec[32] = (uint8_t)account_count;
    uint8_t pos[8];
    be_u64(pos, position_of(height, index));
    for (size_t i = 0; i < account_count && r == PETRO_OK; i++) {
        uint8_t *link = rec + LINK_RECORD_HEAD + i * LINK_SIZE;
        memcpy(link, accounts[i].bytes, 32);
        /* The head so far (this block's earlier transactions included: same write txn). */
        MDB_val k = {32, (void *)accounts[i].bytes}, v;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY);
        if (rc == MDB_SUCCESS && !value_ok(t->s, DB_ACCT_LAST, &k, &v)) {
            r = PETRO_ERR_CORRUPT;
            break;
        }
        if (rc == MDB_SUCCESS && v.mv_size != 8) {
            log_error("acct_last entry has %zu bytes, not 8", v.mv_size);
            r = PETRO_ERR_CORRUPT;
            break;
        }
        if (rc == MDB_SUCCESS) {
            memcpy(link + 32, v.mv_data, 8); /* copied before the put below replaces it */
        } else if (rc == MDB_NOTFOUND) {
            memset(link + 32, 0, 8);
        } else {
            r = store_lmdb_result(rc, "get acct_last");
            break;
        }
        MDB_val nk = {32, (void *)accounts[i].bytes};
        uint8_t checked[sizeof pos + CHECK_SIZE];
        memcpy(checked, pos, sizeof pos);
        value_check(checked + sizeof pos, DB_ACCT_LAST, &nk, pos, sizeof pos);
        MDB_val nv = {sizeof checked, checked};
        rc = mdb_cursor_put(cur, &nk, &nv, rc == MDB_SUCCESS ? MDB_CURRENT : 0);
        r = store_write_result(t->s, rc, "put acct_last");
    }
    mdb_cursor_close(cur);
    if (r != PETRO_OK) return r;
    l->offsets[l->count++] = (uint32_t)l->size;
    l->size += LINK_RECORD_HEAD + account_count * LINK_SIZE;
    return PETRO_OK;
}

static petro_result merge_tx_slice(store_txn *t, uint64_t height);

petro_result store_put_block_indexes(store_txn *t, store_links *l, uint64_t height) {
    petro_result r = PETRO_OK;
    if (l->count > 0) {
        /* u32 LE count, u32 LE offsets (into the records), the records. */
        size_t head = 4 + 4 * (size_t)l->count;
        r = links_reserve(l, head);
        if (r == PETRO_OK) {
            PETROD_ASSERT(head + l->size <= l->cap);
            memmove(l->records + head, l->records, l->size);
            put_le_u32(l->records, l->count);
            for (uint32_t i = 0; i < l->count; i++) {
                put_le_u32(l->records + 4 + 4 * i, l->offsets[i]);
            }
            uint8_t key[8];
            be_u64(key, height);
            r = store_put(t, t->s->dbi_acct_links, DB_ACCT_LINKS, key, sizeof key, l->records,
                          head + l->size, "put acct_links");
        }
    }
    store_links_clear(l);
    return r == PETRO_OK ? merge_tx_slice(t, height) : r;
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
    MDB_val k = {sizeof id->bytes, (void *)id->bytes}, v;
    int rc = get_checked(t->s, t->txn, t->s->dbi_txrecent, DB_TXRECENT, &k, &v);
    if (rc == MDB_NOTFOUND) rc = get_checked(t->s, t->txn, t->s->dbi_txindex, DB_TXINDEX, &k, &v);
    if (rc != MDB_SUCCESS) return checked_result(rc, "get txindex");
    if (v.mv_size != 12) {
        log_error("txindex entry has %zu bytes, expected 12", v.mv_size);
        return PETRO_ERR_CORRUPT;
    }
    *height = be_get_u64(v.mv_data);
    *index = be_get_u32((const uint8_t *)v.mv_data + 8);
    return PETRO_OK;
}

/* Move the txrecent entries of slice height % STORE_TX_SLICES into txindex. */
_Static_assert(256u % STORE_TX_SLICES == 0, "slices split the first key byte evenly");

static petro_result merge_tx_slice(store_txn *t, uint64_t height) {
    PETROD_ASSERT(t->is_write);
    unsigned slice = (unsigned)(height % STORE_TX_SLICES);
    uint8_t start = (uint8_t)(slice * (256u / STORE_TX_SLICES));
    unsigned end = (slice + 1u) * (256u / STORE_TX_SLICES); /* first key byte past the slice */
    MDB_cursor *cur = NULL;
    int rc = mdb_cursor_open(t->txn, t->s->dbi_txrecent, &cur);
    if (rc != MDB_SUCCESS) return store_write_result(t->s, rc, "cursor open txrecent");
    petro_result r = PETRO_OK;
    /* Bounded by the entries of the slice; in key order, so each page of txindex is written
     * once per merge. Each round seeks the slice's first remaining entry again: after a
     * delete LMDB's cursor position is not usable (an emptied tree leaves it uninitialised). */
    for (;;) {
        MDB_val k = {1, &start}, v;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        if (rc != MDB_SUCCESS || ((const uint8_t *)k.mv_data)[0] >= end) break;
        if (!value_ok(t->s, DB_TXRECENT, &k, &v)) {
            r = PETRO_ERR_CORRUPT;
            break;
        }
        if (k.mv_size != 32 || v.mv_size != 12) {
            log_error("txrecent entry has a %zu-byte key and %zu-byte value", k.mv_size,
                      v.mv_size);
            r = PETRO_ERR_CORRUPT;
            break;
        }
        /* Copies: a put may spill the dirty page the cursor's data points into. */
        uint8_t key[32], value[12];
        memcpy(key, k.mv_data, sizeof key);
        memcpy(value, v.mv_data, sizeof value);
        MDB_val kc = {sizeof key, key};
        r = store_write_result(t->s, put_checked(t->txn, t->s->dbi_txindex, DB_TXINDEX, &kc,
                                                 value, sizeof value),
                               "put txindex");
        if (r != PETRO_OK) break;
        rc = mdb_cursor_del(cur, 0);
        if (rc != MDB_SUCCESS) {
            r = store_write_result(t->s, rc, "del txrecent");
            break;
        }
    }
    if (r == PETRO_OK && rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        r = store_write_result(t->s, rc, "cursor txrecent");
    }
    mdb_cursor_close(cur);
    return r;
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
    unsigned flags = MDB_RDONLY | MDB_NOTLS | (has_lock_file(dir) ? 0u : MDB_NOLOCK);
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
        MDB_val k = {32, (void *)account->bytes}, v;
        int rc = get_checked(t->s, t->txn, t->s->dbi_acct_last, DB_ACCT_LAST, &k, &v);
        if (rc == MDB_NOTFOUND) return PETRO_OK;
        if (rc != MDB_SUCCESS) return checked_result(rc, "get acct_last");
        if (v.mv_size != 8) {
            log_error("acct_last entry has %zu bytes, expected 8", v.mv_size);
            return PETRO_ERR_CORRUPT;
        }
        pos = be_get_u64(v.mv_data);
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
    return st == STORE_FILE_TRUNCATED || st == STORE_FILE_UNREADABLE;
}
