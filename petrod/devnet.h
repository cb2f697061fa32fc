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

/** Create a devnet in dir unless one is there already (then keep it). *created tells which.
 *  map_size is the LMDB map size. Returns PETRO_OK, PETRO_ERR_IO, PETRO_ERR_NOMEM,
 *  PETRO_ERR_CRYPTO, or a genesis error. */
petro_result devnet_ensure(const char *dir, size_t map_size, bool *created);

/** Print the startup banner on stdout: API URL, network, data dir, the demo accounts (name,
 *  address, PTR balance, wallet path) for every devnet wallet in dir/wallets, then "ready";
 *  flushes stdout. */
void devnet_print_banner(node *n, const char *dir, const char *api_url);

#endif
