/* Private: the interface between the ledger and the operation families (the files in ops/).
 *
 * Adding a family = one new ops/<family>.c defining its descriptor (petro__family below: its
 * operations' schemas, checks and applies, and its hooks) and one line in families.def
 * (docs/architecture.md, "Adding an operation family").
 *
 * An apply function gets a context (the transaction's source, the block height and time, the
 * network id) and reads and writes state only through the helpers below. Reads see the
 * operation's own earlier writes, then the block's, then the store; writes go to the
 * per-transaction overlay, which the ledger merges into the block only if every operation of
 * the transaction succeeds. So an apply function may return an error after having written:
 * its writes vanish. It returns PETRO_OK, an operation result (a ledger code, 1..999) which
 * fails the transaction with op_failed, or a local error (PETRO_ERR_NOMEM, PETRO_ERR_IO,
 * PETRO_ERR_CORRUPT, >= 1000) which aborts the block. Threshold checks happen before apply.
 *
 * Every helper is deterministic; nothing may depend on the overlay's hash-table layout. */
#ifndef PETRO_OPS_OPS_H
#define PETRO_OPS_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petro/petro.h"
#include "petro/schema.h"

typedef struct petro__op_ctx {
    struct petro_ledger *ledger; /* private to the helpers */
    petro_pubkey source;         /* the transaction's source account */
    uint64_t height;             /* block being applied */
    uint64_t timestamp_ms;       /* its timestamp */
    petro_hash network_id;       /* the ledger's network (for signatures an operation carries) */
    uint32_t op_index;           /* position of the operation in the transaction */
} petro__op_ctx;

typedef petro_result (*petro__op_apply_fn)(petro__op_ctx *ctx, const petro_op *op);

/* ---------------------------------------------------------------- the registry */

/* The accounts a transaction touches (history.c): families add the parties an operation
 * refers to without naming them in a PARTY field (a contract's parties, from state). */
typedef struct petro__account_list {
    petro_pubkey *out;
    size_t cap;
    size_t count;
} petro__account_list;
/* Adds k once (no duplicates). PETRO_OK or PETRO_ERR_BUFFER_TOO_SMALL. */
petro_result petro__account_list_add(petro__account_list *l, const petro_pubkey *k);

/* One operation type: its public schema (first, so the registry hands out &def->schema), its
 * static check (NULL: every value of every field is acceptable), its apply, and the parties
 * it touches beyond its PARTY fields (NULL: none; state may be NULL: add what needs none). */
typedef struct petro__op_def {
    petro_op_schema schema;
    petro_result (*check)(const petro_op *op);
    petro__op_apply_fn apply;
    petro_result (*accounts)(petro__account_list *l, const petro_store *state,
                             const petro_op *op);
} petro__op_def;

/* A lock (petro_lock, petro/schema.h): value a family sets aside. */
typedef petro_lock petro__lock;

/* One movement of value through the core transfer path (petro__transfer): amount of asset
 * from `from` to `to`. Policy hooks read it and may add to fee (units the receiver does not
 * get; the path burns them). The caller has loaded the receiver's account record, and may
 * pass the two trust lines it already holds (NULL: the path loads them). */
typedef struct petro__transfer {
    petro_pubkey from;         /* the payer */
    const petro_account *to;   /* the receiver's account record */
    petro_asset asset;
    petro_amount amount;       /* gross, > 0 */
    petro_amount fee;          /* set by hooks; 0 on entry */
    bool from_lock;            /* the units come out of a lock: nothing is debited from `from` */
    petro_trust_line *from_line; /* NULL, or the payer's line as the caller read it */
    petro_trust_line *to_line;   /* NULL, or the receiver's line as the caller read it */
} petro__transfer;

/* A family: its public info (first), its operations (ascending types), its genesis section
 * (all NULL: none; encode/decode run in registry order, after the core fields), the state
 * key prefix it owns (2 bytes, documented in docs/protocol.md), a reader of the locks a record
 * under that prefix holds (NULL: it holds none), and its transfer policy hook (NULL: none). */
typedef struct petro__family {
    petro_family_info info;
    const petro__op_def *ops;
    petro_result (*genesis_check)(const petro_genesis *g);
    void (*genesis_encode)(struct petro__writer *w, const petro_genesis *g);
    void (*genesis_decode)(struct petro__reader *r, petro_genesis *g);
    petro_result (*genesis_apply)(petro__op_ctx *ctx, const petro_genesis *g);
    const char *lock_prefix; /* NULL: no lock records */
    /* PETRO_OK with *count 0 or 1 (lock filled); PETRO_ERR_CORRUPT on a damaged record. */
    petro_result (*lock_of)(const uint8_t *key, size_t key_size, const uint8_t *value,
                            size_t value_size, petro__lock *lock, size_t *count);
    /* Runs for every transfer, in registry order; an operation result refuses it. */
    petro_result (*on_transfer)(petro__op_ctx *ctx, petro__transfer *t);
    /* Runs before new units of asset are created (issue), in registry order, with the supply
     * the asset would have; an operation result refuses the issue. */
    petro_result (*on_issue)(petro__op_ctx *ctx, const petro_asset *asset,
                             petro_amount supply_after);
    /* The holders of role (petro_role) if this family keeps it in state: cb for each until
     * it returns nonzero, and *kept true; *kept false when it does not keep the role. PETRO_OK
     * or a store error. */
    petro_result (*role_each)(const petro_store *state, uint8_t role, petro_role_cb cb,
                              void *cb_ctx, bool *kept);
} petro__family;

/* The issuer a redemption of asset goes to: an issued asset's issuer, or for PTR the treasury
 * role (nothing if state is NULL or names no treasury). history.c: the accounts touched. */
petro_result petro__add_issuer(petro__account_list *l, const petro_store *state,
                               const petro_asset *asset);
/* Runs every family's on_issue hook, in registry order (assets' issue). */
petro_result petro__issue_hooks(petro__op_ctx *ctx, const petro_asset *asset,
                                petro_amount supply_after);

/* The registry (registry.c, built from families.def). */
const petro__op_def *petro__op_def_of(uint8_t type);
size_t petro__family_count(void);
const petro__family *petro__family_get(size_t i);

/* Field declarations for the families' tables: offsets into the operation's struct. */
#define PETRO__F(st, member, nm, knd, ...) \
    {.name = (nm), .kind = (knd), .offset = (uint16_t)offsetof(st, member), __VA_ARGS__}
#define PETRO__LIST(st, member, count_member, nm, knd, maxn, ...)                               \
    {.name = (nm), .kind = (knd), .offset = (uint16_t)offsetof(st, member),                     \
     .count_offset = (uint16_t)offsetof(st, count_member), .list_max = (maxn),                  \
     .elem_size = (uint16_t)sizeof(((st *)0)->member[0]), __VA_ARGS__}
#define PETRO__COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* The .schema of one entry of a family's ops[] table: family name, type, name, threshold, the
 * operation's struct (its size), its fields array and its one-line summary. */
#define PETRO__OP_SCHEMA(fam, t, nm, th, st, fl, sum)                                          \
    .schema = {.type = (t), .name = (nm), .family = (fam), .threshold = (th),                 \
               .size = sizeof(st), .summary = (sum), .fields = (fl),                          \
               .field_count = PETRO__COUNT(fl)}

/* The core transfer path (transfer.c): every movement of value into an account goes through
 * it. In order: the families' on_transfer hooks in registry order (zones: allowed assets,
 * limit, KYC tier, fee; compliance next), then the debit of `from` (unless from_lock), the
 * credit of amount - fee to `to`, and the burn of the fee. Operation results: the hooks'
 * codes, PETRO_ERR_NO_TRUST, PETRO_ERR_NOT_AUTHORIZED, PETRO_ERR_BALANCE_LOW,
 * PETRO_ERR_LINE_FULL; local errors as usual. */
petro_result petro__transfer_run(petro__op_ctx *ctx, petro__transfer *t);
/* A trust line that must exist and be authorised: PETRO_ERR_NO_TRUST /
 * PETRO_ERR_NOT_AUTHORIZED (a missing native line is PETRO_ERR_CORRUPT). */
petro_result petro__load_line(petro__op_ctx *ctx, petro_trust_line *line,
                              const petro_pubkey *account, const petro_asset *asset);
/* Moves amount (>= 0; 0 does nothing) out of / into one account's line, with no policy hook:
 * for value entering or leaving the account's own lock (escrow funding and refunds).
 * PETRO_ERR_BALANCE_LOW / PETRO_ERR_LINE_FULL, or petro__load_line's codes. */
petro_result petro__line_debit(petro__op_ctx *ctx, const petro_pubkey *account,
                               const petro_asset *asset, petro_amount amount);
petro_result petro__line_credit(petro__op_ctx *ctx, const petro_pubkey *account,
                                const petro_asset *asset, petro_amount amount);
/* Destroys units already taken out of balances: adds them to the asset's burned. */
petro_result petro__burn(petro__op_ctx *ctx, const petro_asset *asset, petro_amount amount);

/* ---------------------------------------------------------------- state helpers */

/* Typed reads: *found = false (and the record zeroed) if absent; PETRO_OK or a local error. */
petro_result petro__op_get_account(petro__op_ctx *ctx, petro_account *acct,
                                   const petro_pubkey *id, bool *found);
petro_result petro__op_get_line(petro__op_ctx *ctx, petro_trust_line *line,
                                const petro_pubkey *account, const petro_asset *asset,
                                bool *found);
petro_result petro__op_get_asset(petro__op_ctx *ctx, petro_asset_info *info,
                                 const petro_asset *asset, bool *found);

/* Typed writes into the transaction overlay. PETRO_OK or PETRO_ERR_NOMEM. */
petro_result petro__op_put_account(petro__op_ctx *ctx, const petro_account *acct);
petro_result petro__op_put_line(petro__op_ctx *ctx, const petro_pubkey *account,
                                const petro_asset *asset, const petro_trust_line *line);
petro_result petro__op_del_line(petro__op_ctx *ctx, const petro_pubkey *account,
                                const petro_asset *asset);
petro_result petro__op_put_asset(petro__op_ctx *ctx, const petro_asset_info *info);

/* Raw access for families with their own key prefixes (documented in docs/protocol.md);
 * never 'A', 'T', 'S' (use the typed helpers) or 'M' (asserted). get copies at most
 * value_cap bytes; a larger value is PETRO_ERR_CORRUPT. */
petro_result petro__op_get_raw(petro__op_ctx *ctx, const uint8_t *key, size_t key_size,
                               uint8_t *value, size_t value_cap, size_t *value_size,
                               bool *found);
petro_result petro__op_put_raw(petro__op_ctx *ctx, const uint8_t *key, size_t key_size,
                               const uint8_t *value, size_t value_size);
petro_result petro__op_del_raw(petro__op_ctx *ctx, const uint8_t *key, size_t key_size);

/* Static checks shared by the families (and petro__check_non_negative, internal.h): an amount
 * > 0 and <= PETRO_SUPPLY_MAX (negative, zero, too_large, in that order); an asset of a known kind
 * with a valid code (PETRO_ERR_MALFORMED, PETRO_ERR_BAD_ASSET_CODE). */
petro_result petro__check_positive(petro_amount a);
petro_result petro__check_asset(const petro_asset *a);

/* Counter helpers for holder_count / trust_line_count: PETRO_ERR_AMOUNT_OVERFLOW at the ends. */
petro_result petro__count_inc(uint32_t *count);
petro_result petro__count_dec(uint32_t *count);

#define PETRO__KEY_TRADE_CONTRACT_PREFIX "Cc" /* 'C' 'c' id: contract records */

#endif
