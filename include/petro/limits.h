/* Every bound of the protocol and the node has a name here. Loops over external data
 * are bounded by one of these; relationships between them are checked at compile time. */
#ifndef PETRO_LIMITS_H
#define PETRO_LIMITS_H

#include <stdint.h>

#define PETRO_DECIMALS 8
#define PETRO_UNIT INT64_C(100000000) /* base units per unit */
/* Largest supply of any asset: 92,233,720,368 units (INT64_MAX rounded down to whole units).
 * Any amount fits an int64, but the sum of two need not: all sums go through the checked
 * arithmetic of amount.h. */
#define PETRO_SUPPLY_MAX (INT64_C(92233720368) * PETRO_UNIT)

#define PETRO_TX_VERSION 2
#define PETRO_BLOCK_VERSION 2
#define PETRO_TX_SIZE_MAX 4096      /* encoded signed envelope, bytes */
#define PETRO_TX_OPS_MAX 16         /* operations per transaction */
#define PETRO_TX_SIGS_MAX 20        /* signatures per transaction */
#define PETRO_MEMO_SIZE_MAX 32      /* bytes */
#define PETRO_ASSET_CODE_SIZE_MAX 12
#define PETRO_SIGNERS_MAX 8          /* extra signers per account, besides the master key */
#define PETRO_BASE_FEE INT64_C(100)  /* minimum fee per operation, base units of PTR */
#define PETRO_BLOCK_TX_COUNT_MAX 20000
#define PETRO_GENESIS_ACCOUNTS_MAX 64
#define PETRO_GENESIS_ASSETS_MAX 16
#define PETRO_NETWORK_NAME_SIZE_MAX 32

/* State store keys and values (see docs/protocol.md, "State"). */
#define PETRO_STORE_KEY_SIZE_MAX 128
#define PETRO_STORE_VALUE_SIZE_MAX 1024

_Static_assert(PETRO_SUPPLY_MAX / PETRO_UNIT == INT64_C(92233720368), "supply max in units");
_Static_assert(PETRO_SUPPLY_MAX <= INT64_MAX, "every amount up to the supply max fits an int64");
_Static_assert(PETRO_TX_SIGS_MAX >= PETRO_SIGNERS_MAX + 1, "every signer can sign");
_Static_assert(PETRO_TX_SIGS_MAX <= 32, "signature validity fits a uint32 mask");
_Static_assert(PETRO_BASE_FEE * PETRO_TX_OPS_MAX < PETRO_UNIT, "fees stay small");

#endif
