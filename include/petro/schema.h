/* The operation registry, as seen from outside libpetro: every operation family, every
 * operation type, and each operation's field schema (docs/architecture.md).
 *
 * Each family declares its operations once, in its own file under libpetro/ops/: type number,
 * name, signing threshold, and the fields in wire order with their kinds and limits. The
 * canonical codec (tx.c), the JSON of operations (common/opjson.c, used by petrod and the CLI),
 * the CLI's flags, the docs table in docs/protocol.md, the codec round-trip tests and the fuzz
 * seeds all walk these tables; nothing outside a family names its operations one by one.
 *
 * A field's value lives at `offset` bytes into the operation's member of petro_op.u (see
 * petro_op_fields). The tables are constant and live as long as the program. */
#ifndef PETRO_SCHEMA_H
#define PETRO_SCHEMA_H

#include "tx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How a field is carried. Wire formats: docs/protocol.md, "Primitives". */
typedef enum petro_field_kind {
    PETRO_FIELD_PUBKEY = 1, /* petro_pubkey: 32 bytes; JSON and CLI: an address */
    PETRO_FIELD_ASSET,      /* petro_asset; JSON and CLI: "PTR" or "CODE:ISSUER" */
    PETRO_FIELD_CODE,       /* char[13]: an asset code, u8 length + characters */
    PETRO_FIELD_AMOUNT,     /* petro_amount: i64; JSON and CLI: a decimal string */
    PETRO_FIELD_U8,         /* uint8_t */
    PETRO_FIELD_BOOL,       /* uint8_t, 0 or 1; the decoder refuses anything else */
    PETRO_FIELD_U16,        /* uint16_t */
    PETRO_FIELD_U32,        /* uint32_t */
    PETRO_FIELD_U64,        /* uint64_t; JSON: a number, or a string above 2^63 - 1 */
    PETRO_FIELD_TEXT,       /* char[text_max + 1]: u8 length + printable ASCII */
    PETRO_FIELD_HASH,       /* petro_hash: 32 bytes; JSON and CLI: 64 hex digits */
    PETRO_FIELD_SIG,        /* petro_sig: 64 bytes; JSON and CLI: 128 hex digits */
    PETRO_FIELD_COUNTRY,    /* char[3]: ISO 3166-1 alpha-2, 2 bytes on the wire */
} petro_field_kind;
#define PETRO_FIELD_KIND_MAX PETRO_FIELD_COUNTRY

/* Field flags. */
#define PETRO_FIELD_F_PARTY 0x01u    /* PUBKEY: the named account is a party (history index) */
#define PETRO_FIELD_F_BOOLEAN 0x02u  /* U8: shown as true/false (the check bounds it to 0..1) */
#define PETRO_FIELD_F_OPTIONAL 0x04u /* may be omitted when building: zero (or the doc's meaning) */
#define PETRO_FIELD_F_ENUM 0x08u     /* U8: shown by name: names[value] */
#define PETRO_FIELD_F_FLAGS 0x10u    /* U32: shown as an object of booleans: names[bit] */
#define PETRO_FIELD_F_HEX 0x20u      /* a list of U8: shown and parsed as one hex string */

/** One field of an operation, in wire order. A list (list_max > 0) is a u8 count followed by
 *  that many values of kind; the count lives at count_offset, the values from offset on,
 *  each elem_size bytes apart. min and max bound integers and amounts as the operation's
 *  check accepts them (for documentation and early refusal; the check is authoritative). */
typedef struct petro_field {
    const char *name;         /* JSON key; CLI flag --name with '_' written '-' */
    const char *doc;          /* one line for docs/protocol.md and --help */
    uint8_t kind;             /* petro_field_kind */
    uint8_t flags;            /* PETRO_FIELD_F_* */
    uint8_t list_max;         /* 0: one value; else the list's maximum length */
    uint8_t name_count;       /* entries in names */
    uint16_t offset;          /* of the value (a list: of its first element) */
    uint16_t count_offset;    /* a list: of its uint8_t count */
    uint16_t elem_size;       /* a list: distance between elements */
    uint16_t text_max;        /* TEXT: maximum length in bytes */
    uint8_t size_min;         /* TEXT: minimum length in bytes; a list: minimum count. The
                                 family's check enforces it (as one of its result codes); the
                                 decoder does not, so a too-short value is not "malformed" */
    int64_t min, max;         /* integers and amounts: the accepted range (max 0: none) */
    const char *const *names; /* ENUM: by value; FLAGS: by bit; NULL entries unused */
} petro_field;

/** Signing threshold an operation needs from its source account. */
typedef enum petro_threshold {
    PETRO_THRESHOLD_LOW = 0,
    PETRO_THRESHOLD_MEDIUM = 1,
    PETRO_THRESHOLD_HIGH = 2,
} petro_threshold;

/** One operation type. */
typedef struct petro_op_schema {
    uint8_t type;              /* petro_op_type */
    uint8_t threshold;         /* petro_threshold */
    uint8_t field_count;
    uint16_t size;             /* sizeof its struct in petro_op.u; fields lie inside it */
    const char *name;          /* lower_snake: JSON "type", CLI and docs */
    const char *family;        /* its family's name */
    const char *summary;       /* one line */
    const petro_field *fields; /* field_count fields, in wire order */
} petro_op_schema;

/** One family: its name, a line about it, and its operations. */
typedef struct petro_family_info {
    const char *name;    /* "trade" */
    const char *summary; /* one line */
    size_t op_count;     /* its operations: petro_family_op(family, 0 .. op_count - 1) */
    /* The first byte of every state key the family owns ('R' for reserves); 0 when it writes
     * only the core records ('A' accounts, 'T' trust lines, 'S' assets; 'M' is node
     * metadata). Distinct across families (test_schema checks it). */
    uint8_t state_prefix;
} petro_family_info;

/** The schema of an operation type, or NULL if no family registers that number. Pure. */
PETRO_API const petro_op_schema *petro_op_schema_of(uint8_t type);
/** The schema of the operation called name (petro_op_schema.name), or NULL. Pure. */
PETRO_API const petro_op_schema *petro_op_schema_find(const char *name);
/** Families in registry order (libpetro/families.def); i < petro_family_count(). */
PETRO_API size_t petro_family_count(void);
PETRO_API const petro_family_info *petro_family_at(size_t i);
/** The family called name, or NULL. */
PETRO_API const petro_family_info *petro_family_find(const char *name);
/** The i-th operation of family (ascending types); i < family->op_count. */
PETRO_API const petro_op_schema *petro_family_op(const petro_family_info *family, size_t i);

/** The bytes of op's fields: field offsets count from here. Borrowed from op. */
static inline void *petro_op_fields(petro_op *op) { return &op->u; }
static inline const void *petro_op_fields_const(const petro_op *op) { return &op->u; }

/** The role table: the authorities named in genesis, whichever family keeps them. Anyone
 *  (a family's rules, the API, a client) reads them here without knowing which family's
 *  genesis section and state record hold them. Roles never change after genesis in protocol
 *  v1 (governance will change them through this table). */
typedef enum petro_role {
    PETRO_ROLE_TREASURY = 1,       /* one account: issuer authority of PTR */
    PETRO_ROLE_AUDITORS = 2,       /* one account: the multisig that attests reserves */
    PETRO_ROLE_ORACLE = 3,         /* 0..PETRO_ORACLES_MAX accounts: commodity price feeds */
    PETRO_ROLE_ZONE_AUTHORITY = 4, /* 0..PETRO_ZONE_AUTHORITIES_MAX: create and run zones */
} petro_role;
#define PETRO_ROLE_MAX 4

/** "treasury", "auditors", "oracle", "zone_authority"; NULL for a value outside the enum. */
PETRO_API const char *petro_role_name(petro_role role);

/** Called once per holder, in the keeping family's order; nonzero stops the walk. */
typedef int (*petro_role_cb)(void *cb_ctx, const petro_pubkey *holder);

/** Every account holding role in state. PETRO_ERR_NOT_FOUND when no family keeps the role in
 *  this state (e.g. a genesis without reserves names no auditors); else PETRO_OK or a store
 *  error. */
PETRO_API PETRO_MUST_USE petro_result petro_role_each(const struct petro_store *state,
                                                      petro_role role, petro_role_cb cb,
                                                      void *cb_ctx);

/** The first (for TREASURY and AUDITORS: the only) account holding role. PETRO_OK (out set),
 *  PETRO_ERR_NOT_FOUND, or a store error. */
PETRO_API PETRO_MUST_USE petro_result petro_role_get(const struct petro_store *state,
                                                     petro_role role, petro_pubkey *out);

/** *has: whether account holds role (false when nobody does). PETRO_OK or a store error. */
PETRO_API PETRO_MUST_USE petro_result petro_role_has(const struct petro_store *state,
                                                     petro_role role,
                                                     const petro_pubkey *account, bool *has);

/** A lock: value set aside by a family (trade escrow today; offers, sales and swaps next). Its
 *  units are in the asset's supply but in no holder's balance; the invariant checker, supply
 *  accounting and proofs of reserves see every lock through this one record. */
typedef struct petro_lock {
    const char *family;  /* the owner family's name (static storage) */
    uint64_t id;         /* the family's id of the record (a contract id) */
    petro_pubkey owner;  /* the account the units came from */
    petro_asset asset;
    petro_amount amount; /* > 0 */
} petro_lock;

/** Calls cb for every lock in state, family by family in registry order, each family's in key
 *  order; cb returns nonzero to stop. Returns PETRO_OK, PETRO_ERR_CORRUPT (a record that
 *  does not decode) or a store error. */
typedef int (*petro_lock_cb)(void *cb_ctx, const petro_lock *lock);
PETRO_API PETRO_MUST_USE petro_result petro_state_each_lock(const struct petro_store *state,
                                                            petro_lock_cb cb, void *cb_ctx);

/** Check the fields of one operation without state (the family's static check, the same
 *  code petro_tx_check runs). Returns PETRO_OK, PETRO_ERR_UNKNOWN_OP or the first failing
 *  code in the order docs/protocol.md gives. Pure. */
PETRO_API PETRO_MUST_USE petro_result petro_op_check(const petro_op *op);

#ifdef __cplusplus
}
#endif
#endif
