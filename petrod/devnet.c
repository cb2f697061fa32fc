/* Data directory checks and the devnet bootstrap (devnet.h).
 *
 * Creation is all-or-nothing: everything is written under a fresh DIR.tmp-XXXXXX next to DIR
 * (same filesystem), every file and directory is fsync'd, the LMDB genesis commit is
 * durable, and only then the temporary directory is renamed to DIR and the parent fsync'd.
 * rename(2) replaces an empty DIR and fails on a non-empty one, so two racing creators end
 * with one devnet; the loser discards its copy and opens the winner's.
 *
 * Leftovers of a creation that crashed (DIR.tmp-XXXXXX holding only wallets/, genesis.bin and
 * ledger/) are removed on the next start. */
/* nftw(3) is an XSI interface. */
#define _XOPEN_SOURCE 700

#include "devnet.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store_lmdb.h"
#include "wallet.h"

#define DEVNET_NAME "devnet"
#define DEVNET_TMP_SUFFIX ".tmp-XXXXXX"

typedef enum {
    DEVNET_TREASURY = 0,
    DEVNET_OFFICER_1,
    DEVNET_OFFICER_2,
    DEVNET_OFFICER_3,
    DEVNET_ALICE,
    DEVNET_BOB,
    DEVNET_BANK,
    DEVNET_VALIDATOR,
    DEVNET_AUDITORS, /* reserve auditors: 2 of auditor-1..3 */
    DEVNET_AUDITOR_1,
    DEVNET_AUDITOR_2,
    DEVNET_AUDITOR_3,
    DEVNET_ORACLE_1, /* price oracles */
    DEVNET_ORACLE_2,
    DEVNET_ORACLE_3,
    DEVNET_ZONE_AUTHORITY, /* trade (docs/trade.md): creates and runs the zones */
    DEVNET_IMPORTER,
    DEVNET_EXPORTER,
    DEVNET_INSPECTOR_1,
    DEVNET_INSPECTOR_2,
    DEVNET_TRADE_BANK,
    DEVNET_KEY_COUNT
} devnet_key_index;

/* Wallet names, in banner order. */
static const char *const devnet_names[DEVNET_KEY_COUNT] = {
    "treasury", "treasury-officer-1", "treasury-officer-2", "treasury-officer-3",
    "alice",    "bob",                "bank",               "validator",
    "auditors", "auditor-1",          "auditor-2",          "auditor-3",
    "oracle-1", "oracle-2",           "oracle-3",
    "zone-authority", "importer",     "exporter",           "inspector-1",
    "inspector-2", "trade-bank"};

static int path_join(char *out, size_t cap, const char *dir, const char *name) {
    int n = snprintf(out, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap) {
        log_error("path too long: %s/%s", dir, name);
        return -1;
    }
    return 0;
}

static bool fsync_path(const char *path, bool is_dir) {
    int fd = open(path, (is_dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        log_error("cannot open %s for fsync: %s", path, strerror(errno));
        return false;
    }
    bool ok = fsync(fd) == 0;
    if (!ok) log_error("fsync %s: %s", path, strerror(errno));
    (void)close(fd); /* opened read-only: close cannot lose data */
    return ok;
}

/* The directory part of path ("." if none), into out. */
static int parent_of(char *out, size_t cap, const char *path) {
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        if (cap < 2) return -1;
        memcpy(out, ".", 2);
        return 0;
    }
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    if (len >= cap) return -1;
    memcpy(out, path, len);
    out[len] = '\0';
    return 0;
}

/* ------------------------------------------------------------ checks */

static bool dir_is_empty(const char *dir) {
    DIR *d = opendir(dir);
    if (d == NULL) return false;
    bool is_empty = true;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0) {
            is_empty = false;
            break;
        }
    }
    closedir(d);
    return is_empty;
}

petro_result datadir_check(const char *dir) {
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT) return PETRO_ERR_NOT_FOUND;
        log_error("cannot access %s: %s", dir, strerror(errno));
        return PETRO_ERR_IO;
    }
    if (!S_ISDIR(st.st_mode)) {
        log_error("%s is not a directory", dir);
        return PETRO_ERR_IO;
    }
    if (dir_is_empty(dir)) return PETRO_ERR_NOT_FOUND;
    char path[PATH_MAX + 32];
    if (path_join(path, sizeof path, dir, "genesis.bin") != 0) return PETRO_ERR_IO;
    bool has_genesis = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    if (path_join(path, sizeof path, dir, "ledger") != 0) return PETRO_ERR_IO;
    bool has_ledger = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    if (!has_genesis || !has_ledger) {
        log_error("%s exists but is not a petro data directory (no genesis.bin or ledger/)",
                  dir);
        return PETRO_ERR_IO;
    }
    return PETRO_OK;
}

/* ------------------------------------------------------------ start-up inspection */

/* What the user can do about a data directory that cannot be used, per use. */
static const char *remedy(datadir_use use) {
    return use == DATADIR_USE_DEVNET
               ? "remove it or move it away, then run make run (petrod devnet) again to create "
                 "a new devnet"
               : "remove it or move it away, then create it again (petrod devnet, or petrod "
                 "cluster-init for a cluster)";
}

/* Whether name is base + ".tmp-XXXXXX" (a devnet creation's temporary directory). */
static bool is_tmp_name(const char *name, const char *base) {
    size_t base_len = strlen(base);
    return strlen(name) == base_len + strlen(DEVNET_TMP_SUFFIX) &&
           strncmp(name, base, base_len) == 0 && strncmp(name + base_len, ".tmp-", 5) == 0;
}

/* The name of a DIR.tmp-XXXXXX next to dir, if any, into out. */
static bool find_tmp_sibling(const char *dir, char *out, size_t cap) {
    char parent[PATH_MAX];
    if (parent_of(parent, sizeof parent, dir) != 0) return false;
    const char *base = strrchr(dir, '/');
    base = base == NULL ? dir : base + 1;
    DIR *d = opendir(parent);
    if (d == NULL) return false;
    bool found = false;
    struct dirent *ent;
    while (!found && (ent = readdir(d)) != NULL) {
        if (is_tmp_name(ent->d_name, base) && strlen(ent->d_name) < cap) {
            memcpy(out, ent->d_name, strlen(ent->d_name) + 1);
            found = true;
        }
    }
    closedir(d);
    return found;
}

static datadir_status inspect_missing(const char *dir, datadir_use use, bool exists, char *why,
                                      size_t cap) {
    char tmp[NAME_MAX + 1];
    if (use == DATADIR_USE_DEVNET) {
        fmt_line(why, cap, "%s %s: a new devnet is created there", dir,
                 exists ? "is empty" : "does not exist");
    } else if (!exists && find_tmp_sibling(dir, tmp, sizeof tmp)) {
        fmt_line(why, cap,
                 "%s does not exist; %s next to it is what a devnet creation left when it did not "
                 "finish: petrod devnet --data %s removes it and creates a new devnet",
                 dir, tmp, dir);
    } else {
        fmt_line(why, cap,
                 "%s %s, so there is nothing to %s: create a devnet there with petrod "
                 "devnet --data %s, or pass the right --data directory",
                 dir, exists ? "is an empty directory" : "does not exist",
                 use == DATADIR_USE_VERIFY ? "verify" : "run", dir);
    }
    return DATADIR_MISSING;
}

static bool has_entry(const char *dir, const char *name, bool is_dir) {
    char path[PATH_MAX + 64];
    if (path_join(path, sizeof path, dir, name) != 0) return false;
    struct stat st;
    if (stat(path, &st) != 0) return false;
    return is_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

/* Whether dir holds anything petrod writes into a data directory. */
static bool has_petro_entries(const char *dir) {
    static const char *const names[] = {"genesis.bin",  "ledger",
                                        "wallets",      "petrod.lock",
                                        "admin.token",  "reserves-history.jsonl",
                                        "cluster.conf", "validator.key",
                                        "validator.json"};
    char path[PATH_MAX + 64];
    struct stat st;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (path_join(path, sizeof path, dir, names[i]) == 0 && lstat(path, &st) == 0) {
            return true;
        }
    }
    return false;
}

/* genesis.bin: its format byte against PETRO_GENESIS_VERSION, then a full decode. */
static datadir_status inspect_genesis(const char *dir, datadir_use use, char *why, size_t cap) {
    char path[PATH_MAX + 64];
    if (path_join(path, sizeof path, dir, "genesis.bin") != 0) return DATADIR_UNUSABLE;
    uint8_t *bytes = malloc(PETRO_GENESIS_SIZE_MAX + 1);
    petro_genesis *g = malloc(sizeof *g);
    datadir_status st = DATADIR_UNUSABLE;
    FILE *f = bytes != NULL && g != NULL ? fopen(path, "rb") : NULL;
    if (bytes == NULL || g == NULL) {
        fmt_line(why, cap, "cannot check %s: out of memory", dir);
        goto done;
    }
    if (f == NULL) {
        fmt_line(why, cap, "cannot read %s: %s: check its permissions", path, strerror(errno));
        goto done;
    }
    size_t size = fread(bytes, 1, PETRO_GENESIS_SIZE_MAX + 1, f);
    bool is_error = ferror(f) != 0;
    fclose(f);
    if (is_error) {
        fmt_line(why, cap, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    if (size == 0) {
        fmt_line(why, cap, "%s is an incomplete data directory (genesis.bin is empty): %s", dir,
                 remedy(use));
        goto done;
    }
    unsigned version = bytes[0];
    petro_result r = size > PETRO_GENESIS_SIZE_MAX ? PETRO_ERR_MALFORMED
                                                    : petro_genesis_decode(g, bytes, size);
    if (r == PETRO_OK) {
        st = DATADIR_OK;
    } else if (version > PETRO_GENESIS_VERSION) {
        fmt_line(why, cap,
                 "%s was created by a newer petrod (genesis format %u, this petrod reads %u): run "
                 "it with that petrod, or %s",
                 dir, version, (unsigned)PETRO_GENESIS_VERSION, remedy(use));
    } else if (version < PETRO_GENESIS_VERSION) {
        /* Format 1 had several layouts (sections were added under it); none of them is
         * readable now, whichever it is. */
        fmt_line(why, cap,
                 "%s was created by an older petrod (genesis format %u, this petrod reads "
                 "%u): %s",
                 dir, version, (unsigned)PETRO_GENESIS_VERSION, remedy(use));
    } else {
        fmt_line(why, cap,
                 "%s is damaged (its genesis.bin has this petrod's format %u but does not "
                 "decode: %s): restore it from a backup (docs/operations.md), or %s",
                 dir, version, petro_result_str(r), remedy(use));
    }
done:
    free(g);
    free(bytes);
    return st;
}

/* ledger/: meta "format" against STORE_FORMAT_VERSION, then meta "role" against use. */
static datadir_status inspect_ledger(const char *dir, datadir_use use, char *why, size_t cap) {
    char ledger[PATH_MAX + 16];
    if (path_join(ledger, sizeof ledger, dir, "ledger") != 0) return DATADIR_UNUSABLE;
    uint8_t value[8];
    size_t size = 0;
    const char *lmdb_error = "";
    petro_result r = store_lmdb_peek_meta(ledger, "format", value, sizeof value, &size,
                                          &lmdb_error);
    if (r == PETRO_ERR_CORRUPT) {
        fmt_line(why, cap,
                 "%s is damaged (ledger/data.mdb is not a ledger: %s): restore it from a "
                 "backup (docs/operations.md), or %s",
                 dir, lmdb_error, remedy(use));
        return DATADIR_UNUSABLE;
    }
    if (r != PETRO_OK && r != PETRO_ERR_NOT_FOUND && r != PETRO_ERR_BUFFER_TOO_SMALL) {
        fmt_line(why, cap, "cannot read the ledger in %s: %s", ledger, lmdb_error);
        return DATADIR_UNUSABLE;
    }
    if (r != PETRO_OK || size != 4) {
        fmt_line(why, cap,
                 "%s was created by an older petrod (its ledger has no format record, this "
                 "petrod reads ledger format %u): %s",
                 dir, (unsigned)STORE_FORMAT_VERSION, remedy(use));
        return DATADIR_UNUSABLE;
    }
    uint32_t format = (uint32_t)value[0] | (uint32_t)value[1] << 8 | (uint32_t)value[2] << 16 |
                      (uint32_t)value[3] << 24;
    if (format != STORE_FORMAT_VERSION) {
        bool is_newer = format > STORE_FORMAT_VERSION;
        fmt_line(why, cap,
                 "%s was created by %s petrod (ledger format %" PRIu32
                 ", this petrod reads "
                 "%u): %s%s",
                 dir, is_newer ? "a newer" : "an older", format, (unsigned)STORE_FORMAT_VERSION,
                 is_newer ? "run it with that petrod, or " : "", remedy(use));
        return DATADIR_UNUSABLE;
    }
    r = store_lmdb_peek_meta(ledger, "role", value, sizeof value, &size, &lmdb_error);
    if (r != PETRO_OK || size != 1 ||
        (value[0] != STORE_ROLE_DEVNET && value[0] != STORE_ROLE_CLUSTER)) {
        fmt_line(why, cap,
                 "%s is damaged (its ledger has no valid role record): restore it from a "
                 "backup (docs/operations.md), or %s",
                 dir, remedy(use));
        return DATADIR_UNUSABLE;
    }
    if (value[0] == STORE_ROLE_CLUSTER && use != DATADIR_USE_CLUSTER &&
        use != DATADIR_USE_VERIFY) {
        fmt_line(
            why, cap,
            "%s is a cluster validator's data directory (made by petrod cluster-init), "
            "%s: run it with petrod run --data %s --cluster FILE (its cluster.conf)%s",
            dir,
            use == DATADIR_USE_DEVNET ? "not a devnet"
                                      : "and alone it would fork away from its cluster",
            dir,
            use == DATADIR_USE_DEVNET ? ", or pass another --data directory for a devnet" : "");
        return DATADIR_UNUSABLE;
    }
    if (value[0] == STORE_ROLE_DEVNET && use == DATADIR_USE_CLUSTER) {
        fmt_line(why, cap,
                 "%s is a devnet's data directory (made by petrod devnet), not a cluster "
                 "validator's: run it with petrod devnet --data %s, or pass --data the "
                 "node directory petrod cluster-init made for this validator",
                 dir, dir);
        return DATADIR_UNUSABLE;
    }
    return DATADIR_OK;
}

datadir_status datadir_inspect(const char *dir, datadir_use use, char *why, size_t why_cap) {
    why[0] = '\0';
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT) return inspect_missing(dir, use, false, why, why_cap);
        fmt_line(why, why_cap,
                 "cannot access %s: %s: check the path and its permissions, or pass "
                 "another --data directory",
                 dir, strerror(errno));
        return DATADIR_UNUSABLE;
    }
    if (!S_ISDIR(st.st_mode)) {
        fmt_line(why, why_cap,
                 "%s is %s, not a directory: move it away or pass another --data "
                 "directory",
                 dir, S_ISREG(st.st_mode) ? "a file" : "not a file either");
        return DATADIR_UNUSABLE;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        fmt_line(why, why_cap, "cannot read %s: %s: check its permissions", dir, strerror(errno));
        return DATADIR_UNUSABLE;
    }
    closedir(d);
    if (dir_is_empty(dir)) return inspect_missing(dir, use, true, why, why_cap);
    if (!has_petro_entries(dir)) {
        fmt_line(why, why_cap,
                 "%s is not a petro data directory (it holds other files and no "
                 "genesis.bin or ledger/): pass another --data directory",
                 dir);
        return DATADIR_UNUSABLE;
    }
    static const struct {
        const char *name;
        bool is_dir;
    } required[] = {{"genesis.bin", false}, {"ledger", true}, {"ledger/data.mdb", false}};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (!has_entry(dir, required[i].name, required[i].is_dir)) {
            fmt_line(why, why_cap,
                     "%s is an incomplete data directory (%s%s is missing: its creation "
                     "did not finish, or files were removed): %s",
                     dir, required[i].name, required[i].is_dir ? "/" : "", remedy(use));
            return DATADIR_UNUSABLE;
        }
    }
    datadir_status status = inspect_genesis(dir, use, why, why_cap);
    if (status != DATADIR_OK) return status;
    return inspect_ledger(dir, use, why, why_cap);
}

petro_result datadir_set_role(const char *dir, size_t map_size, int role) {
    char ledger[PATH_MAX + 16];
    if (path_join(ledger, sizeof ledger, dir, "ledger") != 0) return PETRO_ERR_IO;
    store_lmdb *s = NULL;
    petro_result r = store_lmdb_open(&s, ledger, map_size, false);
    if (r != PETRO_OK) return r;
    store_txn t;
    r = store_txn_begin(s, true, &t);
    if (r == PETRO_OK) {
        uint8_t value = (uint8_t)role;
        r = store_put_meta(&t, "role", &value, 1);
        if (r == PETRO_OK) {
            r = store_txn_commit(&t);
        } else {
            store_txn_abort(&t);
        }
    }
    store_lmdb_close(s);
    return r;
}

/* ------------------------------------------------------------ leftovers */

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    int rc = type == FTW_DP ? rmdir(path) : unlink(path);
    if (rc != 0) log_warn("cannot remove %s: %s", path, strerror(errno));
    return 0;
}

/* Whether tmp holds nothing but what a devnet creation writes. */
static bool is_creation_leftover(const char *tmp) {
    DIR *d = opendir(tmp);
    if (d == NULL) return false;
    bool ok = true;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        const char *name = ent->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
        if (strcmp(name, "wallets") != 0 && strcmp(name, "genesis.bin") != 0 &&
            strcmp(name, "validator.json") != 0 &&
            strcmp(name, "ledger") != 0 && strncmp(name, "genesis.bin.", 12) != 0) {
            ok = false;
            break;
        }
    }
    closedir(d);
    return ok;
}

static void remove_leftovers(const char *dir) {
    char parent[PATH_MAX];
    if (parent_of(parent, sizeof parent, dir) != 0) return;
    const char *base = strrchr(dir, '/');
    base = base == NULL ? dir : base + 1;
    DIR *d = opendir(parent);
    if (d == NULL) return;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        const char *name = ent->d_name;
        if (!is_tmp_name(name, base)) continue;
        char path[PATH_MAX + 64];
        if (path_join(path, sizeof path, parent, name) != 0) continue;
        if (!is_creation_leftover(path)) continue;
        log_warn("removing %s, left over by a devnet creation that did not finish", path);
        (void)nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    closedir(d);
}

/* ------------------------------------------------------------ creation */

typedef struct devnet_keys {
    wallet_key keys[DEVNET_KEY_COUNT];
} devnet_keys;

static void devnet_keys_deinit(devnet_keys *k) {
    for (size_t i = 0; i < DEVNET_KEY_COUNT; i++) wallet_key_deinit(&k->keys[i]);
}

static int cmp_genesis_account(const void *a, const void *b) {
    return petro_pubkey_cmp(&((const petro_genesis_account *)a)->id,
                            &((const petro_genesis_account *)b)->id);
}
static int cmp_signer(const void *a, const void *b) {
    return petro_pubkey_cmp(&((const petro_signer *)a)->key, &((const petro_signer *)b)->key);
}

static petro_genesis_account *add_account(petro_genesis *g, const petro_pubkey *id,
                                          int64_t balance_units) {
    petro_genesis_account *a = &g->accounts[g->account_count++];
    memset(a, 0, sizeof *a);
    a->id = *id;
    a->balance = balance_units * PETRO_UNIT;
    a->master_weight = 1;
    return a;
}

/* The devnet genesis: a 2-of-3 treasury holding the bulk of PTR, alice, bob, and bank (the
 * issuer of USD). Every demo wallet is an account, so each can pay fees and receive: the
 * officers get a small balance (DEVNET_SMALL_PTR). The validator key is not an account: it
 * signs blocks and checkpoints only, and holds nothing anyone could spend. */
#define DEVNET_SMALL_PTR 100
static void build_genesis(petro_genesis *g, const devnet_keys *k) {
    memset(g, 0, sizeof *g);
    memcpy(g->network_name, DEVNET_NAME, sizeof DEVNET_NAME);
    g->net_kind = PETRO_NET_TEST;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    g->timestamp_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    g->treasury = k->keys[DEVNET_TREASURY].pk;

    petro_genesis_account *t = add_account(g, &k->keys[DEVNET_TREASURY].pk, 1000000000);
    t->master_weight = 0;
    t->threshold_low = 2;
    t->threshold_medium = 2;
    t->threshold_high = 2;
    t->signer_count = 3;
    for (size_t i = 0; i < 3; i++) {
        t->signers[i].key = k->keys[DEVNET_OFFICER_1 + i].pk;
        t->signers[i].weight = 1;
    }
    qsort(t->signers, t->signer_count, sizeof t->signers[0], cmp_signer);
    add_account(g, &k->keys[DEVNET_ALICE].pk, 10000);
    add_account(g, &k->keys[DEVNET_BOB].pk, 10000);
    add_account(g, &k->keys[DEVNET_BANK].pk, 1000);
    add_account(g, &k->keys[DEVNET_OFFICER_1].pk, DEVNET_SMALL_PTR);
    add_account(g, &k->keys[DEVNET_OFFICER_2].pk, DEVNET_SMALL_PTR);
    add_account(g, &k->keys[DEVNET_OFFICER_3].pk, DEVNET_SMALL_PTR);
    /* Reserves: the auditors account (master weight 0) attests with 2 of its 3 auditors. */
    petro_genesis_account *aud = add_account(g, &k->keys[DEVNET_AUDITORS].pk, DEVNET_SMALL_PTR);
    aud->master_weight = 0;
    aud->threshold_low = aud->threshold_medium = aud->threshold_high = 2;
    aud->signer_count = 3;
    for (size_t i = 0; i < 3; i++) {
        aud->signers[i].key = k->keys[DEVNET_AUDITOR_1 + i].pk;
        aud->signers[i].weight = 1;
    }
    qsort(aud->signers, aud->signer_count, sizeof aud->signers[0], cmp_signer);
    for (size_t i = DEVNET_AUDITOR_1; i <= DEVNET_ORACLE_3; i++) {
        add_account(g, &k->keys[i].pk, DEVNET_SMALL_PTR);
    }
    /* Trade: an importer with 50,000 PTR, an exporter, two inspectors and a bank that
     * approve documents, and the zone authority. */
    add_account(g, &k->keys[DEVNET_IMPORTER].pk, 50000);
    add_account(g, &k->keys[DEVNET_EXPORTER].pk, 1000);
    for (size_t i = DEVNET_ZONE_AUTHORITY; i < DEVNET_KEY_COUNT; i++) {
        if (i != DEVNET_IMPORTER && i != DEVNET_EXPORTER) {
            add_account(g, &k->keys[i].pk, DEVNET_SMALL_PTR);
        }
    }
    petro_amount supply = 0;
    for (uint32_t i = 0; i < g->account_count; i++) supply += g->accounts[i].balance;
    qsort(g->accounts, g->account_count, sizeof g->accounts[0], cmp_genesis_account);

    g->asset_count = 1;
    memcpy(g->assets[0].code, "USD", 4);
    g->assets[0].issuer = k->keys[DEVNET_BANK].pk;
    g->assets[0].flags = 0;

    /* Reserve-backed assets: PTR (1 PTR = 1 barrel of crude oil) and XAU by the treasury
     * (1 XAU = 0.01 troy ounce of gold: 100 XAU base units per 10^-8 oz), both at 100%
     * minimum coverage, priced in USD by three oracles (stale after an hour). The genesis
     * attests exactly the genesis PTR supply in oil and 1,000 oz of gold, for a year. */
    g->asset_count = 2;
    memcpy(g->assets[1].code, "XAU", 4);
    g->assets[1].issuer = k->keys[DEVNET_TREASURY].pk;
    g->assets[1].flags = 0;
    g->auditors = k->keys[DEVNET_AUDITORS].pk;
    g->oracle_count = 3;
    for (size_t i = 0; i < 3; i++) g->oracles[i] = k->keys[DEVNET_ORACLE_1 + i].pk;
    g->oracle_max_age_ms = 3600000u;
    g->reserve_count = 2;
    g->reserves[0].asset = petro_asset_native();
    g->reserves[0].commodity = PETRO_COMMODITY_OIL;
    g->reserves[0].units_per_commodity = 1;
    g->reserves[0].coverage_bps = 10000;
    memcpy(g->reserves[0].quote, "USD", 4);
    g->reserves[1].asset.kind = PETRO_ASSET_ISSUED;
    memcpy(g->reserves[1].asset.code, "XAU", 4);
    g->reserves[1].asset.issuer = k->keys[DEVNET_TREASURY].pk;
    g->reserves[1].commodity = PETRO_COMMODITY_GOLD;
    g->reserves[1].units_per_commodity = 100;
    g->reserves[1].coverage_bps = 10000;
    memcpy(g->reserves[1].quote, "USD", 4);
    static const uint64_t year_ms = 365ull * 24 * 3600 * 1000;
    g->attestation_count = 2;
    /* One attestation per reserve: quantity, custodian, certificate hash, one year. */
    static const struct {
        uint8_t commodity;
        const char *custodian, *certificate;
    } attested[2] = {
        {PETRO_COMMODITY_OIL, "devnet: Orinoco belt storage, Jose", "devnet oil certificate"},
        {PETRO_COMMODITY_GOLD, "devnet: central bank vault, Caracas", "devnet gold certificate"},
    };
    for (size_t i = 0; i < 2; i++) {
        g->attestations[i].commodity = attested[i].commodity;
        g->attestations[i].quantity = i == 0 ? supply : 1000 * PETRO_UNIT;
        snprintf(g->attestations[i].custodian, sizeof g->attestations[i].custodian, "%s",
                 attested[i].custodian);
        petro_hash_bytes(&g->attestations[i].document_hash,
                         (const uint8_t *)attested[i].certificate, strlen(attested[i].certificate));
        g->attestations[i].valid_from_ms = g->timestamp_ms;
        g->attestations[i].valid_until_ms = g->timestamp_ms + year_ms;
    }

    /* Zones (docs/trade.md): four economic zones run by the zone authority. The importer is
     * in Paraguana (VE), the exporter in Manaus (BR), whose policy takes 0.25% of what
     * enters it (destroyed), caps one payment at 100,000 and needs KYC tier 1 of the payer;
     * Barranquilla takes 0.10%; Colon needs KYC tier 2. */
    g->zone_authority_count = 1;
    g->zone_authorities[0] = k->keys[DEVNET_ZONE_AUTHORITY].pk;
    static const struct {
        uint32_t id;
        const char *name, *country;
        uint16_t fee_bps;
        int64_t limit_units;
        uint8_t min_tier;
    } zones[] = {
        {1, "Zona Franca Industrial de Paraguana", "VE", 0, 0, 0},
        {2, "Zona Franca de Manaus", "BR", 25, 100000, 1},
        {3, "Zona Franca de Barranquilla", "CO", 10, 0, 0},
        {4, "Zona Libre de Colon", "PA", 0, 0, 2},
    };
    g->zone_count = 4;
    for (uint32_t i = 0; i < 4; i++) {
        petro_genesis_zone *z = &g->zones[i];
        z->id = zones[i].id;
        snprintf(z->name, sizeof z->name, "%s", zones[i].name);
        memcpy(z->country, zones[i].country, 3);
        z->authority = k->keys[DEVNET_ZONE_AUTHORITY].pk;
        z->fee_bps = zones[i].fee_bps;
        z->tx_limit = zones[i].limit_units * PETRO_UNIT;
        z->min_kyc_tier = zones[i].min_tier;
    }
    /* Every devnet account has KYC tier 1 (so any of them may pay into Manaus); the importer,
     * the exporter and the trade bank tier 2. */
    g->member_count = 0;
    for (uint32_t i = 0; i < DEVNET_KEY_COUNT; i++) {
        if (i == DEVNET_VALIDATOR) continue;
        petro_genesis_member *m = &g->members[g->member_count++];
        m->account = k->keys[i].pk;
        m->kyc_tier = 1;
        if (i == DEVNET_IMPORTER || i == DEVNET_EXPORTER || i == DEVNET_TRADE_BANK) {
            m->kyc_tier = 2;
        }
        m->zone_id = i == DEVNET_IMPORTER ? 1 : i == DEVNET_EXPORTER ? 2 : 0;
    }
}

static petro_result write_file_durable(const char *path, const uint8_t *bytes, size_t size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        log_error("cannot create %s: %s", path, strerror(errno));
        return PETRO_ERR_IO;
    }
    size_t done = 0;
    bool ok = true;
    while (done < size) {
        ssize_t n = write(fd, bytes + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        done += (size_t)n;
    }
    if (ok && fsync(fd) != 0) ok = false;
    if (!ok) log_error("cannot write %s: %s", path, strerror(errno));
    if (close(fd) != 0 && ok) {
        log_error("cannot close %s: %s", path, strerror(errno));
        ok = false;
    }
    return ok ? PETRO_OK : PETRO_ERR_IO;
}

/* Genesis state, block 0 and metadata into a fresh LMDB environment, in one durable commit. */
static petro_result init_ledger(const char *ledger_dir, size_t map_size, const petro_genesis *g,
                                const petro_pubkey *proposer) {
    store_lmdb *s = NULL;
    petro_result r = store_lmdb_open(&s, ledger_dir, map_size, true);
    if (r != PETRO_OK) return r;
    store_txn t;
    r = store_txn_begin(s, true, &t);
    if (r != PETRO_OK) goto close;
    petro_ledger *l = NULL;
    r = petro_ledger_create(&l, &t.store);
    if (r != PETRO_OK) goto abort;
    petro_block_header block0;
    r = petro_ledger_genesis(l, &block0, g);
    if (r != PETRO_OK) {
        log_error("devnet genesis rejected by the ledger: %s", petro_result_str(r));
        goto destroy;
    }
    /* Stored exactly as the ledger made it: its hash is the tip the state records. */
    r = petro_ledger_commit(l);
    if (r != PETRO_OK) goto destroy;
    uint8_t header[PETRO_BLOCK_HEADER_SIZE];
    petro_block_header_encode(header, &block0);
    uint8_t format[4] = {(uint8_t)STORE_FORMAT_VERSION, 0, 0, 0};
    const uint8_t role = STORE_ROLE_DEVNET; /* cluster-init re-marks its node directories */
    r = store_put_block(&t, 0, header, sizeof header);
    if (r == PETRO_OK) r = store_put_results(&t, 0, NULL, 0);
    if (r == PETRO_OK) r = store_put_meta(&t, "format", format, sizeof format);
    if (r == PETRO_OK) r = store_put_meta(&t, "role", &role, 1);
    if (r == PETRO_OK) r = store_put_meta(&t, "proposer", proposer->bytes, 32);
    if (r != PETRO_OK) goto destroy;
    petro_ledger_destroy(l);
    r = store_txn_commit(&t);
    /* The genesis state in state.mdb before the directory counts as created (the state
     * writer would write it at close too, but could not say that it failed). */
    if (r == PETRO_OK) r = store_lmdb_sync_state(s);
    store_lmdb_close(s);
    return r;
destroy:
    petro_ledger_abort(l);
    petro_ledger_destroy(l);
abort:
    store_txn_abort(&t);
close:
    store_lmdb_close(s);
    return r;
}

/* ------------------------------------------------------------ first prices */

/* The devnet's first oracle prices, so that `petro reserves` shows a valuation at once: each
 * oracle publishes oil and gold (the median is the middle column), USD per barrel and per
 * troy ounce. The genesis format has no prices: they are transactions, in block 1. */
static const struct {
    uint8_t commodity;
    petro_amount price[3]; /* oracle-1..3 */
} devnet_prices[] = {
    {PETRO_COMMODITY_OIL, {7490000000, 7500000000, 7510000000}},
    {PETRO_COMMODITY_GOLD, {239500000000, 240000000000, 240500000000}},
};
#define DEVNET_PRICE_COUNT (sizeof devnet_prices / sizeof devnet_prices[0])

/* Oracle i's signed transaction publishing its prices, timestamped now_ms, into out. */
static petro_result price_tx(uint8_t *out, size_t cap, size_t *size, const devnet_keys *k,
                             size_t i, const petro_hash *network_id, uint64_t now_ms) {
    petro_tx *tx = calloc(1, sizeof *tx);
    if (tx == NULL) return PETRO_ERR_NOMEM;
    const wallet_key *oracle = &k->keys[DEVNET_ORACLE_1 + i];
    tx->version = PETRO_TX_VERSION;
    tx->network_id = *network_id;
    tx->source = oracle->pk;
    tx->sequence = 1; /* a genesis account's first transaction */
    tx->op_count = DEVNET_PRICE_COUNT;
    tx->fee = PETRO_BASE_FEE * (petro_amount)DEVNET_PRICE_COUNT;
    for (size_t c = 0; c < DEVNET_PRICE_COUNT; c++) {
        tx->ops[c].type = PETRO_OP_ORACLE_PRICE;
        petro_op_oracle_price *op = &tx->ops[c].u.oracle_price;
        op->commodity = devnet_prices[c].commodity;
        memcpy(op->quote, "USD", 4);
        op->price = devnet_prices[c].price[i];
        op->timestamp_ms = now_ms;
    }
    petro_result r = petro_tx_sign(tx, &oracle->pk, oracle->sk);
    if (r == PETRO_OK) r = petro_tx_encode(out, cap, size, tx);
    free(tx);
    return r;
}

/* The oracles' first prices, committed in block 1 of the devnet in tmp: a node of its own
 * (no API) admits the three oracles' transactions the normal way and cuts one block when the
 * third arrives (block_tx_count_max 3; the interval never runs out first), so a new devnet
 * is always at height 1 with the same block 1, whatever --block-interval-ms it runs with.
 * The start-up checkpoint and state root of the real node are then at height 1, priced. */
static petro_result post_prices(const char *tmp, size_t map_size, const petro_genesis *g,
                                const devnet_keys *k) {
    petro_hash network_id;
    petro_result r = petro_genesis_network_id(&network_id, g);
    if (r != PETRO_OK) return r;
    node_config cfg;
    node_config_default(&cfg);
    snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", tmp);
    cfg.block_interval_ms = 3600000u; /* the most: the third transaction cuts the block */
    cfg.block_tx_count_max = 3;
    cfg.sig_thread_count = 1;
    cfg.map_size = map_size;
    cfg.scrub_interval_s = 0;
    node *n = NULL;
    r = node_open(&n, &cfg);
    if (r != PETRO_OK) return r;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t now_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    petro_hash ids[3];
    uint8_t bytes[PETRO_TX_SIZE_MAX];
    for (size_t i = 0; i < 3 && r == PETRO_OK; i++) {
        size_t size = 0;
        r = price_tx(bytes, sizeof bytes, &size, k, i, &network_id, now_ms);
        if (r == PETRO_OK) r = node_submit(n, &ids[i], bytes, size);
    }
    for (size_t i = 0; i < 3 && r == PETRO_OK; i++) {
        uint64_t height = 0;
        uint32_t index = 0;
        r = node_wait_commit(n, &ids[i], 30000, &height, &index);
        if (r == PETRO_OK && height != 1) r = PETRO_ERR_CORRUPT; /* one block, or a bug */
    }
    if (r == PETRO_OK) {
        log_info("devnet: the three oracles published the first oil and gold prices (block 1)");
    } else {
        log_error("devnet: cannot publish the first oracle prices: %s", petro_result_str(r));
    }
    node_stop(n);
    node_close(n);
    return r;
}

/* Write everything into tmp (an empty directory). */
static petro_result populate(const char *tmp, size_t map_size, bool with_prices) {
    devnet_keys keys;
    memset(&keys, 0, sizeof keys);
    petro_genesis *g = malloc(sizeof *g);
    uint8_t *bytes = malloc(PETRO_GENESIS_SIZE_MAX);
    petro_result r = PETRO_ERR_NOMEM;
    if (g == NULL || bytes == NULL) goto done;

    char wallets[PATH_MAX + 16], path[PATH_MAX + 64];
    r = PETRO_ERR_IO;
    if (path_join(wallets, sizeof wallets, tmp, "wallets") != 0) goto done;
    if (mkdir(wallets, 0700) != 0) {
        log_error("cannot create %s: %s", wallets, strerror(errno));
        goto done;
    }
    for (size_t i = 0; i < DEVNET_KEY_COUNT; i++) {
        r = wallet_key_generate(&keys.keys[i], devnet_names[i]);
        if (r != PETRO_OK) {
            log_error("cannot generate the %s key: %s", devnet_names[i], petro_result_str(r));
            goto done;
        }
        keys.keys[i].is_devnet = true;
        char file[96];
        snprintf(file, sizeof file, "%s.json", devnet_names[i]);
        r = PETRO_ERR_IO;
        /* The validator's key is the node's, not a user's wallet: DIR/validator.json. */
        if (path_join(path, sizeof path, i == DEVNET_VALIDATOR ? tmp : wallets, file) != 0) {
            goto done;
        }
        r = wallet_write(path, &keys.keys[i], NULL, false);
        if (r != PETRO_OK) {
            log_error("cannot write %s: %s (%s)", path, petro_result_str(r), strerror(errno));
            goto done;
        }
    }

    build_genesis(g, &keys);
    size_t size;
    r = petro_genesis_encode(bytes, PETRO_GENESIS_SIZE_MAX, &size, g);
    if (r != PETRO_OK) {
        log_error("cannot encode the devnet genesis: %s", petro_result_str(r));
        goto done;
    }
    r = PETRO_ERR_IO;
    if (path_join(path, sizeof path, tmp, "genesis.bin") != 0) goto done;
    r = write_file_durable(path, bytes, size);
    if (r != PETRO_OK) goto done;
    if (path_join(path, sizeof path, tmp, "ledger") != 0) {
        r = PETRO_ERR_IO;
        goto done;
    }
    r = init_ledger(path, map_size, g, &keys.keys[DEVNET_VALIDATOR].pk);
    if (r == PETRO_OK && with_prices) r = post_prices(tmp, map_size, g, &keys);
    if (r != PETRO_OK) goto done;
    r = fsync_path(path, true) && fsync_path(wallets, true) && fsync_path(tmp, true)
            ? PETRO_OK
            : PETRO_ERR_IO;
done:
    devnet_keys_deinit(&keys);
    free(bytes);
    free(g);
    return r;
}

static petro_result make_parents(const char *dir) {
    char parent[PATH_MAX];
    if (parent_of(parent, sizeof parent, dir) != 0) return PETRO_ERR_IO;
    struct stat st;
    if (stat(parent, &st) == 0) return S_ISDIR(st.st_mode) ? PETRO_OK : PETRO_ERR_IO;
    /* Bounded by the path's depth: each level strips one component. */
    petro_result r = make_parents(parent);
    if (r != PETRO_OK) return r;
    if (mkdir(parent, 0755) != 0 && errno != EEXIST) {
        log_error("cannot create %s: %s", parent, strerror(errno));
        return PETRO_ERR_IO;
    }
    return PETRO_OK;
}

petro_result devnet_ensure(const char *dir, size_t map_size, bool with_prices, bool *created) {
    *created = false;
    petro_result r = datadir_check(dir);
    if (r != PETRO_ERR_NOT_FOUND) return r; /* PETRO_OK: keep it; else not a data dir */

    remove_leftovers(dir);
    r = make_parents(dir);
    if (r != PETRO_OK) return r;
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s" DEVNET_TMP_SUFFIX, dir);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        log_error("data directory path too long: %s", dir);
        return PETRO_ERR_IO;
    }
    if (mkdtemp(tmp) == NULL) {
        log_error("cannot create a directory next to %s: %s", dir, strerror(errno));
        return PETRO_ERR_IO;
    }
    r = populate(tmp, map_size, with_prices);
    if (r == PETRO_OK && rename(tmp, dir) != 0) {
        if (errno == ENOTEMPTY || errno == EEXIST) {
            /* Someone else created it meanwhile: theirs wins, ours goes. */
            log_warn("%s was created concurrently; using it", dir);
            (void)nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
            return datadir_check(dir);
        }
        log_error("cannot rename %s to %s: %s", tmp, dir, strerror(errno));
        r = PETRO_ERR_IO;
    }
    if (r != PETRO_OK) {
        (void)nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        return r;
    }
    char parent[PATH_MAX];
    if (parent_of(parent, sizeof parent, dir) != 0 || !fsync_path(parent, true)) {
        return PETRO_ERR_IO;
    }
    *created = true;
    return PETRO_OK;
}

/* ------------------------------------------------------------ banner */

void devnet_print_banner(node *n, const char *dir, const char *api_url) {
    node_status st;
    (void)node_status_get(n, &st);
    char id_hex[65];
    petro_hex_encode(id_hex, st.tip.network_id.bytes, sizeof st.tip.network_id.bytes);
    printf("petrod %s\n", st.tip.net_kind == PETRO_NET_TEST ? "(test network)" : "(main network)");
    printf("  api:       %s\n", api_url);
    printf("  network:   %s\n", st.network_name);
    printf("  network id: %s\n", id_hex);
    printf("  data dir:  %s\n", dir);
    printf("  height:    %" PRIu64 "\n", st.tip.height);

    node_read *rd = NULL;
    if (node_read_begin(n, &rd) != PETRO_OK) rd = NULL;
    bool has_header = false;
    for (size_t i = 0; i < DEVNET_KEY_COUNT; i++) {
        if (i == DEVNET_VALIDATOR) continue; /* not an account; printed below */
        char path[PATH_MAX + 64], wallets[PATH_MAX + 16], file[96];
        snprintf(file, sizeof file, "%s.json", devnet_names[i]);
        if (path_join(wallets, sizeof wallets, dir, "wallets") != 0 ||
            path_join(path, sizeof path, wallets, file) != 0) {
            continue;
        }
        bool is_devnet = false;
        if (wallet_probe(path, &is_devnet) != PETRO_OK || !is_devnet) continue;
        wallet_key key;
        if (wallet_read(&key, path, NULL) != PETRO_OK) continue;
        petro_pubkey pk = key.pk;
        wallet_key_deinit(&key);

        char address[PETRO_ADDRESS_SIZE_MAX];
        petro_address_encode(address, &pk, (petro_net_kind)st.tip.net_kind);
        char balance[PETRO_AMOUNT_TEXT_SIZE] = "-";
        petro_trust_line line;
        petro_asset native = petro_asset_native();
        if (rd != NULL &&
            petro_state_get_trust_line(node_read_store(rd), &line, &pk, &native) == PETRO_OK) {
            petro_amount_format(balance, line.balance);
        }
        if (!has_header) {
            printf("  demo accounts:\n");
            printf("    %-20s %-64s %22s  %s\n", "name", "address", "PTR", "wallet");
            has_header = true;
        }
        printf("    %-20s %-64s %22s  %s\n", devnet_names[i], address, balance, path);
    }
    node_read_end(rd);
    petro_pubkey proposer;
    node_self_key(n, &proposer);
    char validator[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(validator, &proposer, (petro_net_kind)st.tip.net_kind);
    printf("  validator: %s (signs blocks and checkpoints; not an account)\n", validator);
    printf("ready\n");
    fflush(stdout);
}
