/* LMDB storage of petrod: two environments in <data>/ledger (a directory).
 *
 * The block log, data.mdb, with named databases (each block appends to them: no random
 * writes):
 *   blocks    u64 BE height -> encoded block (header + body)
 *   results   u64 BE height -> per transaction: u16 LE size + encoded petro_tx_result
 *   acct_links u64 BE height -> per transaction of the block: its id and, for each account it
 *             touches, that account's previous position (the history as linked lists)
 *   meta      short ASCII names -> node metadata (format version, proposer key)
 *
 * The state, state.mdb (with its lock file state.mdb-lock), with named databases (random
 * writes, all through the layers and the state writer):
 *   state     the ledger state (petro_store adapter; keys and values as docs/protocol.md)
 *   txindex   tx id -> u64 BE height + u32 BE index
 *   acct_last pubkey -> u64 BE position of the account's newest transaction (history head)
 *   meta      "state_digest" (store_lmdb.c, "state digest"; over the state database)
 *
 * Durability: a write transaction (one block) commits the block log durably (fsync) when
 * store_txn_commit returns: that is the commit point. Its writes to state.mdb's databases
 * become a layer in memory (layers.h), published at the same commit, which every later
 * transaction reads through; a writer thread writes the published layers into state.mdb in
 * batches of many blocks, in key order, one durable commit per batch. So state.mdb lags the
 * block log by at most the layers still in memory, and never runs ahead of it: after a crash
 * the state's tip (its "Mtip" record) is below or at the last block, and petrod replays the
 * blocks above it (node.c, replay_blocks: the state, then the indexes) before it serves
 * anything.
 *
 * Threads: the envs (store_lmdb) are shared. A store_txn belongs to one thread at a time; read
 * transactions use MDB_NOTLS so that they may move between threads (API threads vary). Only
 * one write transaction exists at a time. A read transaction sees the state as of the last
 * store_txn_commit before it began: state.mdb's snapshot with the layers above it. */
#ifndef PETROD_STORE_LMDB_H
#define PETROD_STORE_LMDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "petro/petro.h"

struct layer;

/* The most layers a transaction sees: published layers the writer has not written yet. The
 * producer waits (store_txn_begin) when the writer falls this far behind. */
#define STORE_LAYERS_MAX 256u

/* meta "format" (u32 LE), written at creation. Bump it whenever the layout of the databases
 * or of the meta records changes, so that a ledger of an older petrod is refused by name at
 * start-up (devnet.h, datadir_inspect) instead of failing somewhere inside. 2: meta "role".
 * 3: account history as acct_last + acct_links (was acct_txs, one entry per account and
 * transaction, which cost a random page write each). 4: txrecent. 5: every value carries a
 * check (store_lmdb.c, "value checks"). 6: meta "state_digest" (store_lmdb.c, "state
 * digest"). 7: the state in its own environment, state.mdb, written by the state writer.
 * 8: txindex and acct_last in state.mdb too, through the layers; no txrecent. */
#define STORE_FORMAT_VERSION 8u

/* meta "role" (one byte), written at creation: who produces this ledger's blocks. A devnet
 * (petrod devnet, or petrod run without --cluster) produces its own; a cluster validator
 * applies what its etcd cluster orders (petrod cluster-init marks its node directories). */
typedef enum { STORE_ROLE_DEVNET = 1, STORE_ROLE_CLUSTER = 2 } store_role;

typedef struct store_lmdb store_lmdb;

/** A transaction over the env, with a petro_store adapter over its state database.
 *  Fields are private; use the functions. The store stays valid while the txn is open. */
typedef struct store_txn {
    store_lmdb *s;
    MDB_txn *txn;       /* the block log */
    MDB_txn *state_txn; /* a read snapshot of state.mdb */
    bool is_write;
    petro_store store; /* ctx points to this struct: do not move a store_txn while in use */
    const uint8_t *from; /* during store_state_each_from only */
    size_t from_size;
    /* The layers this transaction reads through, newest first (each holds a reference). */
    struct layer *view[STORE_LAYERS_MAX];
    size_t view_count;
    bool has_state_writes;
} store_txn;

/** Translate an LMDB return code into a petro_result, logging mdb_strerror with what for
 *  anything other than MDB_SUCCESS / MDB_NOTFOUND. MDB_MAP_FULL -> PETRO_ERR_STORE_FULL,
 *  MDB_NOTFOUND -> PETRO_ERR_NOT_FOUND, everything else -> PETRO_ERR_IO. */
petro_result store_lmdb_result(int rc, const char *what);

/** The bytes of the ledger file in use: (last page number + 1) x page size, which grows when
 *  LMDB cannot reuse freed pages (e.g. while an old read snapshot is open). */
uint64_t store_lmdb_used_bytes(store_lmdb *s);

/** Values read since open whose check failed (each was logged and refused with
 *  PETRO_ERR_CORRUPT). For /metrics and /v1/status. */
uint64_t store_lmdb_damaged(const store_lmdb *s);

/** Wait until the state writer has written every layer published so far into state.mdb
 *  (tests, petrod verify beside a node, a clean stop). Returns PETRO_OK, or PETRO_ERR_IO when
 *  the writer is failing. */
petro_result store_lmdb_sync_state(store_lmdb *s);

/** The state writer's counters, for /metrics: layers waiting in memory, their bytes, batches
 *  written, and whether its last batch failed. */
/** Whether the state writer's last batch failed (a full map or disk): blocks cannot commit
 *  until it succeeds again, so new submissions are refused (node.c, precheck). */
bool store_lmdb_writer_failing(store_lmdb *s);
void store_lmdb_writer_stats(store_lmdb *s, uint64_t *layers, uint64_t *bytes, uint64_t *batches,
                             bool *is_failing);

/** Read every value of every database and check it (the start-up and background scrub), in
 *  one read transaction (a snapshot; writers go on). Returns PETRO_OK, PETRO_ERR_CORRUPT (the
 *  first ten damaged values were logged; *damaged counts all of them, and they are added to
 *  store_lmdb_damaged), or an LMDB error. *records counts the values read. */
petro_result store_lmdb_scrub(store_lmdb *s, uint64_t *records, uint64_t *damaged);

/** Open (creating if create is set) the environment in directory dir, with map_size bytes.
 *  Opens or creates every named database. Returns PETRO_OK, PETRO_ERR_IO, PETRO_ERR_NOMEM;
 *  PETRO_ERR_CORRUPT (logged) if data.mdb is shorter than its metadata says or a database
 *  is missing. The file is checked before it is mapped (store_lmdb_check_file). */
petro_result store_lmdb_open(store_lmdb **out, const char *dir, size_t map_size, bool create);
/** Open the environment in dir for reading only (petrod verify): MDB_RDONLY, and without a
 *  lock.mdb (no petrod runs there then) MDB_NOLOCK, so that nothing is created or written
 *  but a reader slot in an existing lock.mdb. Write transactions fail. */
petro_result store_lmdb_open_readonly(store_lmdb **out, const char *dir, size_t map_size);
/** Close the environment. Every transaction must have ended. NULL is a no-op. */
void store_lmdb_close(store_lmdb *s);

/** Fill t's petro_store adapter without a transaction (t->store is usable once a txn is
 *  begun into the same t; until then its calls return PETRO_ERR_IO). Lets a long-lived
 *  petro_ledger borrow &t->store across many transactions. */
void store_txn_prepare(store_lmdb *s, store_txn *t);
/** Begin a read (MDB_RDONLY) or write transaction into caller storage t (which may have been
 *  prepared; the adapter then stays at the same address). */
petro_result store_txn_begin(store_lmdb *s, bool is_write, store_txn *t);
/** Commit (write: durable on PETRO_OK) and end t. On failure t is ended (aborted) too. */
petro_result store_txn_commit(store_txn *t);
/** Abort and end t. A zeroed or ended t is a no-op. */
void store_txn_abort(store_txn *t);
/** For a long-lived read transaction: release its snapshot, then take a new one. */
void store_txn_reset(store_txn *t);
petro_result store_txn_renew(store_txn *t);

/** Read the meta record name of the environment in dir into out (capacity out_cap) without
 *  writing anything but LMDB's lock file and without logging: for start-up checks of a data
 *  directory that may be old, foreign or damaged. dir must hold a data.mdb (check first: LMDB
 *  would otherwise create lock.mdb in a directory that is not a ledger).
 *  Returns PETRO_OK (*out_size set); PETRO_ERR_NOT_FOUND if there is no meta database or no
 *  such record; PETRO_ERR_BUFFER_TOO_SMALL if the value is longer than out_cap;
 *  PETRO_ERR_CORRUPT if data.mdb is not an LMDB environment this LMDB reads or is shorter
 *  than its metadata says (store_lmdb_check_file, checked before LMDB maps it); PETRO_ERR_IO
 *  otherwise. *lmdb_error: mdb_strerror of the failure, or "" on PETRO_OK (static text). */
petro_result store_lmdb_peek_meta(const char *dir, const char *name, uint8_t *out,
                                  size_t out_cap, size_t *out_size, const char **lmdb_error);

/** What store_lmdb_check_file found in dir/data.mdb. */
typedef enum {
    STORE_FILE_OK = 0,     /* holds every page its newest valid meta page names */
    STORE_FILE_MISSING,    /* there is no dir/data.mdb (or dir is not a directory) */
    STORE_FILE_FOREIGN,    /* no meta page this check understands (not LMDB, another LMDB
                            * data version): LMDB itself refuses it, reading with pread */
    STORE_FILE_TRUNCATED,  /* empty, shorter than its two meta pages, or shorter than its
                            * newest meta page says: mapping it would end in SIGBUS */
    STORE_FILE_UNREADABLE  /* cannot be opened, stat'ed or read, or is not a regular file */
} store_file_status;

/** Check the environment file dir/data.mdb against LMDB's own metadata with plain reads,
 *  before anything maps it: LMDB maps the file and reads pages up to the last page its
 *  newest meta page names, and a page past the end of the file is a SIGBUS, not an error.
 *  Reads LMDB's two meta pages (pages 0 and 1: page header, then MDB_meta with the page
 *  size, the last page number and the txnid), takes the valid one with the higher txnid,
 *  as LMDB does, and compares (last page + 1) x page size with the file's size. Writes
 *  nothing, logs nothing. Threads: any.
 *  Out: why: on STORE_FILE_TRUNCATED and STORE_FILE_UNREADABLE one line (no newline) naming
 *       the file, what is wrong and what to do; "" otherwise. */
store_file_status store_lmdb_check_file(const char *dir, char *why, size_t why_cap);
/** The same check of one environment file by its path (ledger/state.mdb). */
store_file_status store_lmdb_check_path(const char *path, char *why, size_t why_cap);

/** For petrod's start-up and petrod verify, before anything maps the ledger: whether
 *  data_dir/ledger/data.mdb or state.mdb is truncated, empty or unreadable (store_lmdb_check_file; a page
 *  past the end of a mapped file would end the process with SIGBUS). why: one line naming
 *  it. A missing or foreign file is left to the data-dir checks that follow (false). */
bool store_lmdb_ledger_refused(const char *data_dir, char *why, size_t why_cap);

/* ------------------------------------------------------------ block data (write txn) */

petro_result store_put_block(store_txn *t, uint64_t height, const uint8_t *bytes, size_t size);
/** results: the concatenation of u16 LE size + encoded result, one per transaction. */
petro_result store_put_results(store_txn *t, uint64_t height, const uint8_t *bytes, size_t size);

/** The account links of one block, built transaction by transaction (store_index_tx) and
 *  written by store_put_block_indexes. Zero-initialise; free with store_links_free. */
typedef struct store_links {
    uint8_t *records; /* per transaction: id, u8 count, count x (pubkey, u64 BE previous) */
    size_t size, cap;
    uint32_t *offsets; /* of each transaction's record */
    uint32_t count, offsets_cap;
} store_links;
/** Forget what l holds (a block that was not written), keeping its buffers. */
void store_links_clear(store_links *l);
void store_links_free(store_links *l);

/** Index one included transaction: txindex (id -> height, index) and, for each of the
 *  accounts it touches, a link to that account's previous position in l and the account's
 *  new head in acct_last. Transactions of a block in order; then store_put_block_indexes. */
petro_result store_index_tx(store_txn *t, store_links *l, const petro_hash *id, uint64_t height,
                            uint32_t index, const petro_pubkey *accounts, size_t account_count);
/** After the block's last store_index_tx: write its links (possibly none) and empty l. */
petro_result store_put_block_indexes(store_txn *t, store_links *l, uint64_t height);
/** The same at a replay of a block already in the block log (its state and the history heads
 *  above state.mdb's tip are being rebuilt): instead of writing its links, compare them with
 *  the stored ones and empty l. PETRO_ERR_CORRUPT (logged) if they differ: the heads in
 *  state.mdb (or the links) were damaged, and the block log is left as it was. */
petro_result store_check_block_indexes(store_txn *t, store_links *l, uint64_t height);
petro_result store_put_meta(store_txn *t, const char *name, const uint8_t *bytes, size_t size);

/* ------------------------------------------------------------ reads (any txn) */

/** Borrowed from the map until the txn ends. PETRO_ERR_NOT_FOUND if absent. */
petro_result store_get_block(store_txn *t, uint64_t height, const uint8_t **bytes, size_t *size);
/** The height of the highest stored block (the block log's tip). PETRO_ERR_NOT_FOUND if none. */
petro_result store_last_block_height(store_txn *t, uint64_t *height);
petro_result store_get_tx_result(store_txn *t, uint64_t height, uint32_t index,
                                 petro_tx_result *result);
petro_result store_get_tx_location(store_txn *t, const petro_hash *id, uint64_t *height,
                                   uint32_t *index);
/** Copies the meta value into out (capacity out_cap). PETRO_ERR_NOT_FOUND if absent,
 *  PETRO_ERR_CORRUPT if its size is not exactly out_cap. */
petro_result store_get_meta_exact(store_txn *t, const char *name, uint8_t *out, size_t out_cap);

/** Visit the state records of t from the first key >= from (1..PETRO_STORE_KEY_SIZE_MAX
 *  bytes) onwards, ascending, until cb returns 1 or the keys end: a seek, where the
 *  petro_store adapter only iterates prefixes (a state proof re-reads one bucket of records).
 *  Returns PETRO_OK or the store's error. */
petro_result store_state_each_from(store_txn *t, const uint8_t *from, size_t from_size,
                                   petro_store_iter_cb cb, void *cb_ctx);

/** Account history, newest first: from the newest (cursor 0) or from the entry after the one
 *  at position cursor, which must be in this account's history (else PETRO_ERR_BAD_REQUEST).
 *  A position is (height << 24) | index. *next_cursor is the position of the last returned
 *  entry when more entries follow, else 0. Each entry is one lookup: a page of limit entries
 *  costs limit lookups whatever the length of the history. */
petro_result store_account_txs(store_txn *t, const petro_pubkey *account, uint64_t cursor,
                               size_t limit, petro_hash *ids, size_t *count,
                               uint64_t *next_cursor);

#define STORE_POSITION_INDEX_BITS 24
_Static_assert(PETRO_BLOCK_TX_COUNT_MAX < (1u << STORE_POSITION_INDEX_BITS),
               "tx index fits the low bits of a history position");

#endif
