/* Umbrella header of libpetro, the pure deterministic core. */
#ifndef PETRO_PETRO_H
#define PETRO_PETRO_H
#include "address.h"
#include "amount.h"
#include "block.h"
#include "crypto.h"
#include "history.h"
#include "ledger.h"
#include "limits.h"
#include "proof.h"
#include "reserves.h"
#include "state_root.h"
#include "result.h"
#include "store.h"
#include "trade.h"
#include "tx.h"
#include "types.h"
#endif
