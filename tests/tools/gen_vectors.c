/* The protocol test vectors of docs/vectors/ (issue #15): keys, one signed transaction of every
 * registered operation type, a block with a failed operation and its roots, and an example
 * signature in every signature domain, so that someone writing another implementation can
 * check theirs value by value. docs/vectors/README.md says what each value is.
 *
 *   gen_vectors --check DIR   exit 1, naming the file and its first differing line, unless
 *                             DIR holds exactly what this program computes (CTest:
 *                             unit.vectors)
 *   gen_vectors --write DIR   rewrite the files in DIR (`make docs-vectors`)
 *
 * Design. Everything is derived from fixed inputs: key seeds are BLAKE2b-256 of a fixed text
 * per name, times are constants, and operations come from the family registry
 * (petro/schema.h): every registered type gets one transaction whose fields are filled from
 * their kinds and limits (fill_op), so a new family's operations appear here with no edit.
 * Values are computed by libpetro itself (encoders, ids, signatures, roots, the ledger that
 * applies block 1), then the block is replayed by petro_ledger_apply_block on a fresh ledger
 * as a check. The JSON of operations is the API's (common/opjson.c), so the JS client's decoder
 * can be compared with it field by field (tests/web/vectors.test.mjs). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "opjson.h"
#include "petro/petro.h"
#include "petro/schema.h"
#include "petro/trade.h"

#define NET PETRO_NET_TEST
#define GENESIS_MS UINT64_C(1767225600000) /* 2026-01-01T00:00:00Z */
#define BLOCK1_MS (GENESIS_MS + 5000)
#define DAY_MS UINT64_C(86400000)
#define BLOCK_MAX (64 * 1024)

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gen_vectors: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static void must(petro_result rc, const char *what) {
    if (rc != PETRO_OK) die("%s: %s", what, petro_result_name(rc));
}

static void *xcalloc(size_t size) {
    void *p = calloc(1, size);
    if (p == NULL) die("out of memory");
    return p;
}

/* ------------------------------------------------------------------ JSON helpers */

static json_t *jhex(const uint8_t *bytes, size_t size) {
    char *text = malloc(2 * size + 1);
    if (text == NULL) die("out of memory");
    petro_hex_encode(text, bytes, size);
    json_t *s = json_string(text);
    free(text);
    return s;
}

static json_t *jaddr(const petro_pubkey *pk, petro_net_kind kind) {
    char text[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(text, pk, kind);
    return json_string(text);
}

static json_t *jamount(petro_amount v) {
    char text[PETRO_AMOUNT_TEXT_SIZE];
    petro_amount_format(text, v);
    return json_string(text);
}

/* u64 as the API shows it: a number (a string above 2^63 - 1). */
static json_t *ju64(uint64_t v) {
    if (v <= (uint64_t)INT64_MAX) return json_integer((json_int_t)v);
    char text[24];
    snprintf(text, sizeof text, "%llu", (unsigned long long)v);
    return json_string(text);
}

static void jset(json_t *o, const char *key, json_t *v) {
    if (v == NULL || json_object_set_new(o, key, v) != 0) die("JSON: %s", key);
}

static void jpush(json_t *a, json_t *v) {
    if (v == NULL || json_array_append_new(a, v) != 0) die("JSON array");
}

/* ------------------------------------------------------------------ keys */

enum { K_TREASURY, K_ALICE, K_BOB, K_CAROL, K_DAVE, K_ERIN, K_BANK, K_VALIDATOR, K_COUNT };
static const char *const KEY_NAMES[K_COUNT] = {"treasury", "alice", "bob",  "carol",
                                               "dave",     "erin",  "bank", "validator"};
#define SEED_PREFIX "petro test vector key: "

typedef struct key {
    uint8_t seed[32];
    petro_pubkey pk;
    petro_seckey sk;
} key;

static key K[K_COUNT];

static void keys_init(void) {
    for (int i = 0; i < K_COUNT; i++) {
        char text[64];
        int n = snprintf(text, sizeof text, SEED_PREFIX "%s", KEY_NAMES[i]);
        petro_hash seed;
        petro_hash_bytes(&seed, (const uint8_t *)text, (size_t)n);
        memcpy(K[i].seed, seed.bytes, 32);
        must(petro_keypair_from_seed(&K[i].pk, &K[i].sk, K[i].seed), "keypair");
    }
}

static json_t *keys_json(void) {
    json_t *root = json_object(), *list = json_array();
    jset(root, "seed_rule", json_string("seed = BLAKE2b-256(ASCII \"" SEED_PREFIX "\" || name)"));
    for (int i = 0; i < K_COUNT; i++) {
        json_t *k = json_object();
        jset(k, "name", json_string(KEY_NAMES[i]));
        jset(k, "seed", jhex(K[i].seed, 32));
        jset(k, "public_key", jhex(K[i].pk.bytes, 32));
        jset(k, "address_test", jaddr(&K[i].pk, PETRO_NET_TEST));
        jset(k, "address_main", jaddr(&K[i].pk, PETRO_NET_MAIN));
        jpush(list, k);
    }
    jset(root, "keys", list);
    return root;
}

/* ------------------------------------------------------------------ genesis */

static int acct_cmp(const void *a, const void *b) {
    return petro_pubkey_cmp(&((const petro_genesis_account *)a)->id,
                            &((const petro_genesis_account *)b)->id);
}

static void add_account(petro_genesis *g, int k, petro_amount balance) {
    petro_genesis_account *a = &g->accounts[g->account_count++];
    a->id = K[k].pk;
    a->balance = balance;
    a->master_weight = 1;
}

/* treasury, alice, bob, bank; carol is 2-of-2 with dave (master 1, signer dave 1, low 1,
 * medium and high 2); USD issued by the bank. Neither reserves nor zones. */
static void make_genesis(petro_genesis *g) {
    memset(g, 0, sizeof *g);
    snprintf(g->network_name, sizeof g->network_name, "petro-vectors");
    g->net_kind = NET;
    g->timestamp_ms = GENESIS_MS;
    g->treasury = K[K_TREASURY].pk;
    add_account(g, K_TREASURY, 1000000 * PETRO_UNIT);
    add_account(g, K_ALICE, 1000 * PETRO_UNIT);
    add_account(g, K_BOB, 100 * PETRO_UNIT);
    add_account(g, K_CAROL, 500 * PETRO_UNIT);
    add_account(g, K_BANK, 1000 * PETRO_UNIT);
    petro_genesis_account *carol = &g->accounts[3];
    carol->threshold_low = 1;
    carol->threshold_medium = carol->threshold_high = 2;
    carol->signer_count = 1;
    carol->signers[0].key = K[K_DAVE].pk;
    carol->signers[0].weight = 1;
    qsort(g->accounts, g->account_count, sizeof g->accounts[0], acct_cmp);
    g->asset_count = 1;
    snprintf(g->assets[0].code, sizeof g->assets[0].code, "USD");
    g->assets[0].issuer = K[K_BANK].pk;
    g->oracle_max_age_ms = DAY_MS;
}

/* ------------------------------------------------------------------ operations */

static petro_asset issued(const char *code, int issuer) {
    petro_asset a;
    memset(&a, 0, sizeof a);
    a.kind = PETRO_ASSET_ISSUED;
    snprintf(a.code, sizeof a.code, "%s", code);
    a.issuer = K[issuer].pk;
    return a;
}

static const char *const CODES[] = {"USD", "EUR", "VES", "BRL"};
static const char *const COUNTRIES[] = {"VE", "BR", "CL", "UY"};

/* The j-th named value of an ENUM field at or above lo; lo if none. */
static uint64_t enum_value(const petro_field *f, uint64_t lo, size_t j) {
    for (uint64_t v = lo < 1 ? 1 : lo; f->names != NULL && v < f->name_count; v++) {
        if (f->names[v] != NULL && j-- == 0) return v;
    }
    return lo;
}

/* An integer field's value: enumerations by name, flag words with every named bit, booleans
 * true, times (a name ending in _ms) days after genesis, others the smallest value >= 1 (the
 * j-th element of a list j higher); a u16 or u64 one higher per integer field before it (n),
 * so that pairs the families order (deadline < expiry, base_year < target_year) are in
 * order, while u8 counts such as a threshold stay at their minimum. */
static uint64_t int_value(const petro_field *f, size_t n, size_t j) {
    uint64_t lo = (uint64_t)(f->min > 0 ? f->min : 0), hi = f->max > 0 ? (uint64_t)f->max : 0;
    uint64_t v;
    if ((f->flags & PETRO_FIELD_F_ENUM) != 0) return enum_value(f, lo, j);
    if ((f->flags & PETRO_FIELD_F_FLAGS) != 0) {
        v = 0;
        for (unsigned b = 0; f->names != NULL && b < f->name_count && b < 32; b++) {
            if (f->names[b] != NULL) v |= UINT64_C(1) << b;
        }
        return hi != 0 ? v & hi : v;
    }
    if (f->kind == PETRO_FIELD_BOOL || (f->flags & PETRO_FIELD_F_BOOLEAN) != 0) return 1;
    size_t len = strlen(f->name);
    if (f->kind == PETRO_FIELD_U64 && len > 3 && strcmp(f->name + len - 3, "_ms") == 0) {
        return GENESIS_MS + (n + 1) * DAY_MS;
    }
    v = (lo < 1 ? 1 : lo) + j + (f->kind == PETRO_FIELD_U16 || f->kind == PETRO_FIELD_U64 ? n : 0);
    return hi != 0 && v > hi ? hi : v;
}

static void store_int(uint8_t *p, uint8_t kind, uint64_t v) {
    switch (kind) {
    case PETRO_FIELD_U8:
    case PETRO_FIELD_BOOL: *p = (uint8_t)v; return;
    case PETRO_FIELD_U16: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); return; }
    case PETRO_FIELD_U32: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); return; }
    default: memcpy(p, &v, 8); return;
    }
}

/* One value (the j-th element of a list) of field f at p: keys of keys.json, asset USD of
 * the bank (PTR first in a list), readable texts, BLAKE2b-256 of the field name for hashes. */
static void fill_value(const petro_field *f, uint8_t *p, size_t field_i, size_t n_int, size_t j) {
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_PUBKEY:
        memcpy(p, K[(K_BOB + field_i + j) % K_VALIDATOR].pk.bytes, 32);
        return;
    case PETRO_FIELD_HASH:
    case PETRO_FIELD_SIG: {
        petro_hash h;
        petro_hash_bytes(&h, (const uint8_t *)f->name, strlen(f->name));
        memcpy(p, h.bytes, 32);
        if (f->kind == PETRO_FIELD_SIG) memcpy(p + 32, h.bytes, 32);
        return;
    }
    case PETRO_FIELD_ASSET: {
        petro_asset a = j == 0 && f->list_max > 0 ? petro_asset_native()
                                                  : issued(CODES[j % 4], K_BANK);
        memcpy(p, &a, sizeof a);
        return;
    }
    case PETRO_FIELD_CODE: memcpy(p, CODES[j % 4], 3); return;
    case PETRO_FIELD_COUNTRY: memcpy(p, COUNTRIES[(field_i + j) % 4], 2); return;
    case PETRO_FIELD_TEXT: {
        char text[300];
        int len = snprintf(text, sizeof text, "vector %s", f->name);
        while ((size_t)len < f->size_min && (size_t)len + 1 < sizeof text) text[len++] = '.';
        if ((size_t)len > f->text_max) len = (int)f->text_max;
        memcpy(p, text, (size_t)len);
        return;
    }
    case PETRO_FIELD_AMOUNT: {
        int64_t v = 1234 * PETRO_UNIT + PETRO_UNIT / 2;
        if (f->max > 0 && v > f->max) v = f->max;
        if (v < f->min) v = f->min;
        memcpy(p, &v, 8);
        return;
    }
    case PETRO_FIELD_U8:
    case PETRO_FIELD_BOOL:
    case PETRO_FIELD_U16:
    case PETRO_FIELD_U32:
    case PETRO_FIELD_U64: store_int(p, f->kind, int_value(f, n_int, j)); return;
    }
}

/* A HEX list (a byte string): size_min bytes, at least 8, counting up from 0xa0. */
static void fill_list(const petro_field *f, uint8_t *base, size_t field_i, size_t n_int) {
    size_t count = (f->flags & PETRO_FIELD_F_HEX) != 0 ? 8 : 2;
    if (count < f->size_min) count = f->size_min;
    if (count > f->list_max) count = f->list_max;
    base[f->count_offset] = (uint8_t)count;
    for (size_t j = 0; j < count; j++) {
        uint8_t *p = base + f->offset + j * f->elem_size;
        if ((f->flags & PETRO_FIELD_F_HEX) != 0) {
            *p = (uint8_t)(0xa0 + j);
        } else {
            fill_value(f, p, field_i, n_int, j);
        }
    }
}

static bool is_int_kind(uint8_t kind) {
    return kind == PETRO_FIELD_U8 || kind == PETRO_FIELD_U16 || kind == PETRO_FIELD_U32 ||
           kind == PETRO_FIELD_U64;
}

/* The vector operation of schema s; it must pass the family's static check. */
static petro_op fill_op(const petro_op_schema *s) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = s->type;
    uint8_t *base = petro_op_fields(&op);
    size_t n_int = 0;
    for (uint8_t i = 0; i < s->field_count; i++) {
        const petro_field *f = &s->fields[i];
        if (f->list_max > 0) {
            fill_list(f, base, i, n_int);
        } else {
            fill_value(f, base + f->offset, i, n_int, 0);
        }
        if (is_int_kind(f->kind)) n_int++;
    }
    petro_result rc = petro_op_check(&op);
    if (rc != PETRO_OK) die("the vector of %s fails its check: %s", s->name, petro_result_name(rc));
    return op;
}

/* ------------------------------------------------------------------ transactions */

static petro_hash NETWORK_ID;

static void tx_init(petro_tx *tx, int source, uint64_t sequence) {
    memset(tx, 0, sizeof *tx);
    tx->version = PETRO_TX_VERSION;
    tx->network_id = NETWORK_ID;
    tx->source = K[source].pk;
    tx->sequence = sequence;
}

static void tx_add_op(petro_tx *tx, const petro_op *op) {
    tx->ops[tx->op_count++] = *op;
    tx->fee = PETRO_BASE_FEE * tx->op_count;
}

static void tx_sign(petro_tx *tx, int signer) {
    must(petro_tx_sign(tx, &K[signer].pk, &K[signer].sk), "petro_tx_sign");
}

static petro_op op_payment(int to, petro_amount amount) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_PAYMENT;
    op.u.payment.destination = K[to].pk;
    op.u.payment.asset = petro_asset_native();
    op.u.payment.amount = amount;
    return op;
}

/* The transaction's fields, id, signed message, signatures, envelope and witness leaf. */
static json_t *tx_json(const petro_tx *tx, petro_hash *id_out) {
    uint8_t *buf = malloc(PETRO_TX_SIZE_MAX);
    if (buf == NULL) die("out of memory");
    size_t body_size = 0, env_size = 0;
    must(petro_tx_encode_body(buf, PETRO_TX_SIZE_MAX, &body_size, tx), "encode body");
    json_t *o = json_object(), *ops = json_array(), *sigs = json_array();
    petro_hash id, witness;
    must(petro_tx_id(&id, tx), "tx id");
    jset(o, "version", json_integer(tx->version));
    jset(o, "network_id", jhex(tx->network_id.bytes, 32));
    jset(o, "source", jaddr(&tx->source, NET));
    jset(o, "source_key", jhex(tx->source.bytes, 32));
    jset(o, "sequence", ju64(tx->sequence));
    jset(o, "fee", jamount(tx->fee));
    jset(o, "valid_after_ms", ju64(tx->valid_after_ms));
    jset(o, "valid_until_ms", ju64(tx->valid_until_ms));
    jset(o, "memo", jhex(tx->memo, tx->memo_size));
    for (uint8_t i = 0; i < tx->op_count; i++) jpush(ops, opjson_op(&tx->ops[i], NET));
    jset(o, "operations", ops);
    jset(o, "body", jhex(buf, body_size));
    jset(o, "id", jhex(id.bytes, 32));
    uint8_t signed_msg[1 + 64 + 32];
    const char *tag = petro_sig_domain_tag(PETRO_DOMAIN_TX);
    size_t tag_len = strlen(tag);
    signed_msg[0] = (uint8_t)tag_len;
    memcpy(signed_msg + 1, tag, tag_len);
    memcpy(signed_msg + 1 + tag_len, id.bytes, 32);
    jset(o, "signed_message", jhex(signed_msg, 1 + tag_len + 32));
    for (uint8_t i = 0; i < tx->sig_count; i++) {
        json_t *s = json_object();
        jset(s, "key", jaddr(&tx->sigs[i].key, NET));
        jset(s, "public_key", jhex(tx->sigs[i].key.bytes, 32));
        jset(s, "sig", jhex(tx->sigs[i].sig.bytes, 64));
        jpush(sigs, s);
    }
    jset(o, "signatures", sigs);
    must(petro_tx_encode(buf, PETRO_TX_SIZE_MAX, &env_size, tx), "encode envelope");
    jset(o, "envelope", jhex(buf, env_size));
    petro_tx_witness_hash(&witness, tx, &id);
    jset(o, "witness_leaf", jhex(witness.bytes, 32));
    if (petro_tx_verify_sigs(tx, &id) != (UINT32_C(1) << tx->sig_count) - 1u) {
        die("a vector signature does not verify");
    }
    free(buf);
    if (id_out != NULL) *id_out = id;
    return o;
}

/* One transaction per registered operation type (source alice, sequence = its position + 1),
 * then a 2-of-2 multisig payment from carol with a memo and time bounds. */
static json_t *transactions_json(petro_hash *first_id) {
    json_t *root = json_object(), *list = json_array();
    petro_tx *tx = xcalloc(sizeof *tx);
    uint64_t n = 0;
    for (size_t fi = 0; fi < petro_family_count(); fi++) {
        const petro_family_info *fam = petro_family_at(fi);
        for (size_t i = 0; i < fam->op_count; i++) {
            const petro_op_schema *s = petro_family_op(fam, i);
            tx_init(tx, K_ALICE, ++n);
            petro_op op = fill_op(s);
            tx_add_op(tx, &op);
            tx_sign(tx, K_ALICE);
            json_t *t = json_object();
            jset(t, "name", json_string(s->name));
            jset(t, "family", json_string(fam->name));
            jset(t, "op_type", json_integer(s->type));
            jset(t, "tx", tx_json(tx, n == 1 ? first_id : NULL));
            jpush(list, t);
        }
    }
    tx_init(tx, K_CAROL, 1);
    petro_op pay = op_payment(K_ALICE, 25 * PETRO_UNIT);
    tx_add_op(tx, &pay);
    const char memo[] = "vectors: 2 of 2";
    tx->memo_size = (uint8_t)strlen(memo);
    memcpy(tx->memo, memo, tx->memo_size);
    tx->valid_after_ms = GENESIS_MS;
    tx->valid_until_ms = GENESIS_MS + DAY_MS;
    tx_sign(tx, K_CAROL);
    tx_sign(tx, K_DAVE);
    json_t *t = json_object();
    jset(t, "name", json_string("multisig"));
    jset(t, "family", json_string("payments"));
    jset(t, "op_type", json_integer(PETRO_OP_PAYMENT));
    jset(t, "tx", tx_json(tx, NULL));
    jpush(list, t);
    free(tx);
    jset(root, "network_id", jhex(NETWORK_ID.bytes, 32));
    jset(root, "transactions", list);
    return root;
}

/* ------------------------------------------------------------------ the block */

typedef struct ledger {
    petro_store store;
    petro_store_mem *mem;
    petro_ledger *l;
} ledger;

static void ledger_open(ledger *lg, const petro_genesis *g, petro_block_header *h0) {
    must(petro_store_mem_create(&lg->mem, &lg->store), "store");
    must(petro_ledger_create(&lg->l, &lg->store), "ledger");
    must(petro_ledger_genesis(lg->l, h0, g), "genesis");
    must(petro_ledger_commit(lg->l), "commit genesis");
}

static void ledger_close(ledger *lg) {
    char msg[256] = "";
    petro_result rc = petro_ledger_check_invariants(&lg->store, msg, sizeof msg);
    if (rc != PETRO_OK) die("invariant: %s", msg);
    petro_ledger_destroy(lg->l);
    petro_store_mem_destroy(lg->mem);
}

static json_t *header_json(const petro_block_header *h) {
    uint8_t enc[PETRO_BLOCK_HEADER_SIZE];
    petro_block_header_encode(enc, h);
    petro_hash hash;
    petro_block_hash(&hash, h);
    json_t *o = json_object();
    jset(o, "version", json_integer(h->version));
    jset(o, "height", ju64(h->height));
    jset(o, "prev_hash", jhex(h->prev_hash.bytes, 32));
    jset(o, "timestamp_ms", ju64(h->timestamp_ms));
    jset(o, "tx_root", jhex(h->tx_root.bytes, 32));
    jset(o, "witness_root", jhex(h->witness_root.bytes, 32));
    jset(o, "result_root", jhex(h->result_root.bytes, 32));
    jset(o, "state_hash", jhex(h->state_hash.bytes, 32));
    jset(o, "proposer", jaddr(&h->proposer, NET));
    jset(o, "proposer_key", jhex(h->proposer.bytes, 32));
    jset(o, "tx_count", json_integer(h->tx_count));
    jset(o, "signature", jhex(h->signature.bytes, 64));
    jset(o, "header", jhex(enc, sizeof enc));
    jset(o, "hashed_part", jhex(enc, PETRO_BLOCK_HASHED_SIZE));
    jset(o, "hash", jhex(hash.bytes, 32));
    return o;
}

#define BLOCK_TXS 4

typedef struct block_tx {
    petro_tx tx;
    petro_hash id, witness, result_leaf;
    petro_tx_result result;
    const char *about;
} block_tx;

/* Block 1's transactions: a payment; a multisig create_account; a two-op transaction whose
 * second payment fails (op_failed: ok, balance_low; fee charged, nothing else applied); a
 * data_set. */
static void block_txs(block_tx *b) {
    petro_op op;
    tx_init(&b[0].tx, K_ALICE, 1);
    op = op_payment(K_BOB, 25 * PETRO_UNIT);
    tx_add_op(&b[0].tx, &op);
    tx_sign(&b[0].tx, K_ALICE);
    b[0].about = "alice pays bob 25 PTR";
    tx_init(&b[1].tx, K_CAROL, 1);
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_CREATE_ACCOUNT;
    op.u.create_account.destination = K[K_ERIN].pk;
    op.u.create_account.starting_balance = 10 * PETRO_UNIT;
    tx_add_op(&b[1].tx, &op);
    tx_sign(&b[1].tx, K_CAROL);
    tx_sign(&b[1].tx, K_DAVE);
    b[1].about = "carol (2 of 2: carol and dave sign) creates erin with 10 PTR";
    tx_init(&b[2].tx, K_BOB, 1);
    op = op_payment(K_ALICE, 1 * PETRO_UNIT);
    tx_add_op(&b[2].tx, &op);
    op = op_payment(K_ALICE, 1000000 * PETRO_UNIT);
    tx_add_op(&b[2].tx, &op);
    tx_sign(&b[2].tx, K_BOB);
    b[2].about = "bob pays alice 1 PTR, then 1000000 PTR he does not have: op_failed";
    tx_init(&b[3].tx, K_BANK, 1);
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_DATA_SET;
    snprintf(op.u.data_set.name, sizeof op.u.data_set.name, "swift");
    op.u.data_set.value_size = 11;
    memcpy(op.u.data_set.value, "BANKVECCXXX", 11);
    tx_add_op(&b[3].tx, &op);
    tx_sign(&b[3].tx, K_BANK);
    b[3].about = "the bank publishes data \"swift\" = \"BANKVECCXXX\"";
}

static size_t block_append(uint8_t *block, size_t size, const petro_tx *tx) {
    size_t n = 0;
    must(petro_tx_encode(block + size + 4, BLOCK_MAX - size - 4, &n, tx), "encode tx");
    for (int i = 0; i < 4; i++) block[size + (size_t)i] = (uint8_t)(n >> (8 * i));
    return size + 4 + n;
}

static json_t *block_tx_json(const block_tx *b) {
    json_t *o = json_object(), *codes = json_array();
    uint8_t enc[PETRO_TX_RESULT_SIZE_MAX];
    size_t enc_size = 0;
    must(petro_tx_result_encode(enc, sizeof enc, &enc_size, &b->result), "result encode");
    jset(o, "about", json_string(b->about));
    jset(o, "id", jhex(b->id.bytes, 32));
    uint8_t *env = malloc(PETRO_TX_SIZE_MAX);
    size_t env_size = 0;
    if (env == NULL) die("out of memory");
    must(petro_tx_encode(env, PETRO_TX_SIZE_MAX, &env_size, &b->tx), "encode envelope");
    jset(o, "envelope", jhex(env, env_size));
    free(env);
    jset(o, "witness_leaf", jhex(b->witness.bytes, 32));
    jset(o, "result_code", json_string(petro_result_name((petro_result)b->result.code)));
    for (uint8_t i = 0; i < b->result.op_count; i++) {
        jpush(codes, json_string(petro_result_name((petro_result)b->result.op_codes[i])));
    }
    jset(o, "op_results", codes);
    jset(o, "fee_charged", jamount(b->result.fee_charged));
    jset(o, "result", jhex(enc, enc_size));
    jset(o, "result_leaf", jhex(b->result_leaf.bytes, 32));
    return o;
}

static void check_root(const char *what, const petro_hash *want, block_tx *b, size_t off) {
    petro_hash leaves[BLOCK_TXS], scratch[BLOCK_TXS], root;
    for (size_t i = 0; i < BLOCK_TXS; i++) memcpy(&leaves[i], (uint8_t *)&b[i] + off, 32);
    petro_merkle_root(&root, leaves, BLOCK_TXS, scratch);
    if (!petro_hash_equal(&root, want)) die("%s: the header's root is not the leaves' root", what);
}

static json_t *block_json(const petro_genesis *g) {
    json_t *root = json_object(), *txs = json_array();
    uint8_t *genesis = xcalloc(PETRO_GENESIS_SIZE_MAX), *block = xcalloc(BLOCK_MAX);
    size_t genesis_size = 0, size = PETRO_BLOCK_HEADER_SIZE;
    must(petro_genesis_encode(genesis, PETRO_GENESIS_SIZE_MAX, &genesis_size, g), "genesis");
    ledger lg, replay;
    petro_block_header h0, h1, again;
    ledger_open(&lg, g, &h0);
    block_tx *b = xcalloc(sizeof *b * BLOCK_TXS);
    block_txs(b);
    must(petro_ledger_begin(lg.l, 1, BLOCK1_MS), "begin");
    for (size_t i = 0; i < BLOCK_TXS; i++) {
        must(petro_tx_id(&b[i].id, &b[i].tx), "id");
        uint32_t mask = petro_tx_verify_sigs(&b[i].tx, &b[i].id);
        must(petro_ledger_apply_tx(lg.l, &b[i].result, &b[i].tx, &b[i].id, mask), "apply_tx");
        petro_tx_witness_hash(&b[i].witness, &b[i].tx, &b[i].id);
        must(petro_tx_result_hash(&b[i].result_leaf, &b[i].id, &b[i].result), "result hash");
        size = block_append(block, size, &b[i].tx);
    }
    if (b[2].result.code != PETRO_ERR_OP_FAILED) die("the failing transaction did not fail");
    must(petro_ledger_finish(lg.l, &h1, &K[K_VALIDATOR].pk), "finish");
    must(petro_block_sign(&h1, &NETWORK_ID, &K[K_VALIDATOR].sk), "block sign");
    must(petro_ledger_commit(lg.l), "commit");
    petro_block_header_encode(block, &h1);
    check_root("tx_root", &h1.tx_root, b, offsetof(block_tx, id));
    check_root("witness_root", &h1.witness_root, b, offsetof(block_tx, witness));
    check_root("result_root", &h1.result_root, b, offsetof(block_tx, result_leaf));
    ledger_open(&replay, g, &again);
    must(petro_ledger_apply_block(replay.l, block, size), "replaying block 1");
    must(petro_ledger_commit(replay.l), "commit replay");
    petro_ledger_tip tip;
    must(petro_ledger_tip_get(&replay.store, &tip), "tip");
    if (!petro_hash_equal(&tip.state_hash, &h1.state_hash)) die("the replay's state hash differs");
    jset(root, "genesis", jhex(genesis, genesis_size));
    jset(root, "network_id", jhex(NETWORK_ID.bytes, 32));
    jset(root, "block0", header_json(&h0));
    for (size_t i = 0; i < BLOCK_TXS; i++) jpush(txs, block_tx_json(&b[i]));
    json_t *b1 = header_json(&h1);
    jset(b1, "transactions", txs);
    jset(b1, "block", jhex(block, size));
    jset(root, "block1", b1);
    ledger_close(&lg);
    ledger_close(&replay);
    free(b);
    free(block);
    free(genesis);
    return root;
}

/* ------------------------------------------------------------------ signature domains */

typedef struct domain_info {
    petro_sig_domain d;
    const char *enum_name, *what, *who, *layout;
} domain_info;

static const domain_info DOMAINS[] = {
#define D(e, tag, what, who, msg) {e, #e, what, who, msg},
    PETRO_SIG_DOMAINS(D)
#undef D
};
#define DOMAIN_COUNT (sizeof DOMAINS / sizeof DOMAINS[0])
_Static_assert(DOMAIN_COUNT == PETRO_DOMAIN_COUNT, "every domain has its vector");

typedef struct example {
    uint8_t msg[PETRO_SIGNED_MESSAGE_MAX];
    size_t size;
    int signer;
    const char *about;
} example;

static void put(example *e, const void *bytes, size_t n) {
    memcpy(e->msg + e->size, bytes, n);
    e->size += n;
}

static void put_u64(example *e, uint64_t v) {
    for (int i = 0; i < 8; i++) e->msg[e->size++] = (uint8_t)(v >> (8 * i));
}

/* The example message of domain d: the real layout where block.json and transactions.json
 * hold its parts; a stand-in of 32 bytes where the message is a document of its own section
 * (checkpoint bytes, state root bytes). */
static void example_of(example *e, petro_sig_domain d, const petro_hash *tx_id,
                       const petro_block_header *h1) {
    memset(e, 0, sizeof *e);
    petro_hash hash;
    petro_block_hash(&hash, h1);
    e->signer = K_VALIDATOR;
    switch (d) {
    case PETRO_DOMAIN_TX:
        put(e, tx_id->bytes, 32);
        e->signer = K_ALICE;
        e->about = "the id of transactions.json's first transaction (its signature is there too)";
        return;
    case PETRO_DOMAIN_BLOCK:
        put(e, NETWORK_ID.bytes, 32);
        put(e, hash.bytes, 32);
        e->about = "network id || hash of block.json's block 1 (the signature is its header's)";
        return;
    case PETRO_DOMAIN_ATTESTATION:
        put(e, NETWORK_ID.bytes, 32);
        put_u64(e, h1->height);
        put(e, hash.bytes, 32);
        put(e, h1->state_hash.bytes, 32);
        e->about = "network id || u64 LE height 1 || block 1 hash || block 1 state hash";
        return;
    case PETRO_DOMAIN_TRADE_AMEND:
        petro_trade_amend_message(e->msg, 1, 0, 3600 * PETRO_UNIT, GENESIS_MS + 30 * DAY_MS,
                                  GENESIS_MS + 60 * DAY_MS);
        e->size = PETRO_TRADE_AMEND_MESSAGE_SIZE;
        e->signer = K_BOB;
        e->about = "contract 1, amend count 0, amount 3600 PTR, deadline and expiry 30 and 60 "
                   "days after genesis (little-endian)";
        return;
    default: {
        const char *tag = petro_sig_domain_tag(d);
        petro_hash_bytes(&hash, (const uint8_t *)tag, strlen(tag));
        put(e, hash.bytes, 32);
        e->about = "a stand-in message (BLAKE2b-256 of the tag): the bytes this domain signs are "
                   "specified in their own section of docs/protocol.md";
        return;
    }
    }
}

static json_t *domains_json(const petro_hash *tx_id, const petro_block_header *h1) {
    json_t *root = json_object(), *list = json_array();
    for (size_t i = 0; i < DOMAIN_COUNT; i++) {
        const domain_info *di = &DOMAINS[i];
        const char *tag = petro_sig_domain_tag(di->d);
        example e;
        example_of(&e, di->d, tx_id, h1);
        uint8_t signed_bytes[1 + 64 + PETRO_SIGNED_MESSAGE_MAX];
        size_t tag_len = strlen(tag);
        signed_bytes[0] = (uint8_t)tag_len;
        memcpy(signed_bytes + 1, tag, tag_len);
        memcpy(signed_bytes + 1 + tag_len, e.msg, e.size);
        petro_sig sig;
        petro_sign_in(&sig, di->d, e.msg, e.size, &K[e.signer].sk);
        if (!petro_verify_in(&sig, di->d, e.msg, e.size, &K[e.signer].pk)) die("domain sig");
        json_t *o = json_object();
        char name[64];
        size_t n = 0;
        for (const char *p = di->enum_name + strlen("PETRO_DOMAIN_"); *p && n + 1 < sizeof name;)
            name[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p++ - 'A' + 'a' : *p++);
        name[n] = '\0';
        jset(o, "name", json_string(name));
        jset(o, "tag", json_string(tag));
        jset(o, "signs", json_string(di->what));
        jset(o, "signer_role", json_string(di->who));
        jset(o, "message_layout", json_string(di->layout));
        jset(o, "example", json_string(e.about));
        jset(o, "signer", json_string(KEY_NAMES[e.signer]));
        jset(o, "public_key", jhex(K[e.signer].pk.bytes, 32));
        jset(o, "message", jhex(e.msg, e.size));
        jset(o, "signed_bytes", jhex(signed_bytes, 1 + tag_len + e.size));
        jset(o, "signature", jhex(sig.bytes, 64));
        jpush(list, o);
    }
    jset(root, "rule", json_string("Ed25519 (RFC 8032) over u8 len(tag) || tag || message"));
    jset(root, "domains", list);
    return root;
}

/* ------------------------------------------------------------------ files */

typedef struct out_file {
    const char *name;
    char *text;
} out_file;

static char *dump(json_t *j) {
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (s == NULL) die("JSON dump");
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (t == NULL) die("out of memory");
    t[n] = '\n';
    t[n + 1] = '\0';
    json_decref(j);
    return t;
}

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t r;
    while (buf != NULL && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
    }
    fclose(f);
    if (buf == NULL) die("out of memory");
    buf[n] = '\0';
    return buf;
}

/* 0 if path holds text; else 1, naming the first differing line. */
static int check_file(const char *path, const char *text) {
    char *have = read_text(path);
    if (have != NULL && strcmp(have, text) == 0) {
        free(have);
        return 0;
    }
    if (have == NULL) {
        fprintf(stderr, "%s: missing\n", path);
    } else {
        size_t line = 1, i = 0;
        for (; have[i] != '\0' && have[i] == text[i]; i++) line += have[i] == '\n';
        size_t start = i;
        while (start > 0 && text[start - 1] != '\n') start--;
        size_t end = start;
        while (text[end] != '\0' && text[end] != '\n') end++;
        fprintf(stderr, "%s differs from what libpetro computes, from line %zu; expected:\n%.*s\n",
                path, line, (int)(end - start), text + start);
    }
    free(have);
    return 1;
}

static int write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        return 1;
    }
    printf("wrote %s\n", path);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[1], "--check") != 0 && strcmp(argv[1], "--write") != 0)) {
        fprintf(stderr, "usage: gen_vectors [--check DIR | --write DIR]\n");
        return 2;
    }
    must(petro_crypto_init(), "crypto");
    keys_init();
    petro_genesis *g = xcalloc(sizeof *g);
    make_genesis(g);
    must(petro_genesis_network_id(&NETWORK_ID, g), "network id");
    petro_hash first_id;
    out_file files[4] = {{"keys.json", dump(keys_json())},
                         {"transactions.json", dump(transactions_json(&first_id))},
                         {"block.json", NULL},
                         {"domains.json", NULL}};
    json_t *block = block_json(g);
    petro_block_header h1;
    memset(&h1, 0, sizeof h1);
    /* The domains' examples need block 1's header: read it back from the block's bytes. */
    const char *hex = json_string_value(json_object_get(json_object_get(block, "block1"),
                                                        "header"));
    uint8_t enc[PETRO_BLOCK_HEADER_SIZE];
    must(petro_hex_decode(enc, sizeof enc, hex, strlen(hex)), "header hex");
    must(petro_block_header_decode(&h1, enc, sizeof enc), "header");
    files[2].text = dump(block);
    files[3].text = dump(domains_json(&first_id, &h1));
    bool write = strcmp(argv[1], "--write") == 0;
    int bad = 0;
    for (size_t i = 0; i < 4; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[2], files[i].name);
        bad |= write ? write_file(path, files[i].text) : check_file(path, files[i].text);
        free(files[i].text);
    }
    if (bad && !write) {
        fprintf(stderr, "docs/vectors is out of date: rewrite it with `make docs-vectors` "
                        "(gen_vectors --write docs/vectors) if the change is meant, and say so "
                        "in the commit: these values are protocol\n");
    }
    free(g);
    return bad;
}
