/* The data directory and the devnet bootstrap.
 *
 * A data directory holds genesis.bin (the encoded genesis), ledger/ (the LMDB environment),
 * wallets/ (devnet demo wallets) and petrod.lock (held by the running node). A devnet is
 * created whole in a sibling DIR.tmp-XXXXXX and renamed into place, so DIR either does not
 * exist or is complete: a crash half-way never leaves something that looks like a good data
 * directory. */
#ifndef PETROD_DEVNET_H
#define PETROD_DEVNET_H

#include <stdbool.h>
#include <stddef.h>

#include "node.h"

/** Whether dir looks like a complete data directory (genesis.bin and ledger/ present).
 *  Returns PETRO_OK; PETRO_ERR_NOT_FOUND if dir does not exist or is an empty directory;
 *  PETRO_ERR_IO (with a logged reason) if dir exists but is not a data directory. */
petro_result datadir_check(const char *dir);

/** What a data directory is about to be used for (datadir_inspect). */
typedef enum {
    DATADIR_USE_DEVNET = 0, /* petrod devnet: creates DIR when it is missing or empty */
    DATADIR_USE_RUN,        /* petrod run without --cluster: produces its own blocks */
    DATADIR_USE_CLUSTER,    /* petrod run --cluster: applies what its etcd cluster orders */
    DATADIR_USE_VERIFY      /* petrod verify: reads either role's directory, changes nothing */
} datadir_use;

typedef enum {
    DATADIR_OK = 0,   /* a data directory this petrod can run for that use */
    DATADIR_MISSING,  /* does not exist, or is an empty directory */
    DATADIR_UNUSABLE  /* exists but cannot be used as it is (why says why) */
} datadir_status;

/** The start-up check of a data directory, before anything in it is opened for writing.
 *  Never creates, changes or removes anything (beyond LMDB's lock.mdb inside an existing
 *  ledger/). Recognises: a file instead of a directory; a directory of other files; an
 *  incomplete one (genesis.bin, ledger/ or ledger/data.mdb missing, genesis.bin empty); one
 *  created by an older petrod (genesis format below PETRO_GENESIS_VERSION, including the
 *  unversioned development layouts, or ledger format below STORE_FORMAT_VERSION) or a newer
 *  one; a damaged one; one of the other role (a cluster validator's directory for a devnet,
 *  or the other way round; DATADIR_USE_VERIFY accepts either role).
 *  Out: why: on DATADIR_MISSING and DATADIR_UNUSABLE one line (no newline) that names dir,
 *       says what is wrong and what to do; "" on DATADIR_OK. */
datadir_status datadir_inspect(const char *dir, datadir_use use, char *why, size_t why_cap);

/** Record which role the ledger in dir has (meta "role"; petrod cluster-init marks its node
 *  directories STORE_ROLE_CLUSTER). Returns PETRO_OK or a store error (logged). */
petro_result datadir_set_role(const char *dir, size_t map_size, int role);

/** Create a devnet in dir unless one is there already (then keep it). *created tells which.
 *  map_size is the LMDB map size. with_prices: the three oracles also publish the first oil
 *  and gold prices, committed in block 1 before dir appears (petrod devnet), so the reserves
 *  have a valuation at once; without (cluster-init, whose validators sign every block) the
 *  new ledger is at height 0. Returns PETRO_OK, PETRO_ERR_IO, PETRO_ERR_NOMEM,
 *  PETRO_ERR_CRYPTO, a genesis error, or a node error of block 1. */
petro_result devnet_ensure(const char *dir, size_t map_size, bool with_prices, bool *created);

/** Print the startup banner on stdout: API URL, network, data dir, the demo accounts (name,
 *  address, PTR balance, wallet path) for every devnet wallet in dir/wallets, then "ready";
 *  flushes stdout. */
void devnet_print_banner(node *n, const char *dir, const char *api_url);

#endif
