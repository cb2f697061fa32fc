/* The protocol test vectors of docs/vectors/ (issue #15): keys, one signed transaction of every
 * registered operation type, a block with a failed operation and its roots, an example
 * signature in every signature domain, and on a fixture chain with a trade escrow a proof of
 * reserves (tree, checkpoint, proof file with a lock leaf) and a state commitment (records,
 * signed state root, state proofs), so that someone writing another implementation can
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
#include "proof_json.h"
#include "state_proof_json.h"
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

static void tx_init_on(petro_tx *tx, const petro_hash *network_id, int source,
                       uint64_t sequence) {
    memset(tx, 0, sizeof *tx);
    tx->version = PETRO_TX_VERSION;
    tx->network_id = *network_id;
    tx->source = K[source].pk;
    tx->sequence = sequence;
}

static void tx_init(petro_tx *tx, int source, uint64_t sequence) {
    tx_init_on(tx, &NETWORK_ID, source, sequence);
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

/* Block 1 of n transactions b on lg (at genesis), proposed and signed by the validator at
 * time ms: applies them (filling ids, witnesses, results), finishes and commits; block gets
 * the encoded block (BLOCK_MAX bytes); returns its size. */
static size_t build_block(ledger *lg, petro_block_header *h1, uint8_t *block, block_tx *b,
                          size_t n, const petro_hash *network_id, uint64_t ms) {
    size_t size = PETRO_BLOCK_HEADER_SIZE;
    must(petro_ledger_begin(lg->l, 1, ms), "begin");
    for (size_t i = 0; i < n; i++) {
        must(petro_tx_id(&b[i].id, &b[i].tx), "id");
        uint32_t mask = petro_tx_verify_sigs(&b[i].tx, &b[i].id);
        must(petro_ledger_apply_tx(lg->l, &b[i].result, &b[i].tx, &b[i].id, mask), "apply_tx");
        petro_tx_witness_hash(&b[i].witness, &b[i].tx, &b[i].id);
        must(petro_tx_result_hash(&b[i].result_leaf, &b[i].id, &b[i].result), "result hash");
        size = block_append(block, size, &b[i].tx);
    }
    must(petro_ledger_finish(lg->l, h1, &K[K_VALIDATOR].pk), "finish");
    must(petro_block_sign(h1, network_id, &K[K_VALIDATOR].sk), "block sign");
    must(petro_ledger_commit(lg->l), "commit");
    petro_block_header_encode(block, h1);
    return size;
}

/* The block replays on a fresh ledger of genesis g to the header's state hash. */
static void replay_check(const petro_genesis *g, const uint8_t *block, size_t size,
                         const petro_block_header *h1) {
    ledger replay;
    petro_block_header again;
    ledger_open(&replay, g, &again);
    must(petro_ledger_apply_block(replay.l, block, size), "replaying block 1");
    must(petro_ledger_commit(replay.l), "commit replay");
    petro_ledger_tip tip;
    must(petro_ledger_tip_get(&replay.store, &tip), "tip");
    if (!petro_hash_equal(&tip.state_hash, &h1->state_hash)) die("the replay's state hash differs");
    ledger_close(&replay);
}

static json_t *block_json(const petro_genesis *g) {
    json_t *root = json_object(), *txs = json_array();
    uint8_t *genesis = xcalloc(PETRO_GENESIS_SIZE_MAX), *block = xcalloc(BLOCK_MAX);
    size_t genesis_size = 0, size = PETRO_BLOCK_HEADER_SIZE;
    must(petro_genesis_encode(genesis, PETRO_GENESIS_SIZE_MAX, &genesis_size, g), "genesis");
    ledger lg;
    petro_block_header h0, h1;
    ledger_open(&lg, g, &h0);
    block_tx *b = xcalloc(sizeof *b * BLOCK_TXS);
    block_txs(b);
    size = build_block(&lg, &h1, block, b, BLOCK_TXS, &NETWORK_ID, BLOCK1_MS);
    if (b[2].result.code != PETRO_ERR_OP_FAILED) die("the failing transaction did not fail");
    check_root("tx_root", &h1.tx_root, b, offsetof(block_tx, id));
    check_root("witness_root", &h1.witness_root, b, offsetof(block_tx, witness));
    check_root("result_root", &h1.result_root, b, offsetof(block_tx, result_leaf));
    replay_check(g, block, size, &h1);
    jset(root, "genesis", jhex(genesis, genesis_size));
    jset(root, "network_id", jhex(NETWORK_ID.bytes, 32));
    jset(root, "block0", header_json(&h0));
    for (size_t i = 0; i < BLOCK_TXS; i++) jpush(txs, block_tx_json(&b[i]));
    json_t *b1 = header_json(&h1);
    jset(b1, "transactions", txs);
    jset(b1, "block", jhex(block, size));
    jset(root, "block1", b1);
    ledger_close(&lg);
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
        petro_trade_amend_message(e->msg, &NETWORK_ID, 1, 0, 3600 * PETRO_UNIT,
                                  GENESIS_MS + 30 * DAY_MS, GENESIS_MS + 60 * DAY_MS);
        e->size = PETRO_TRADE_AMEND_MESSAGE_SIZE;
        e->signer = K_BOB;
        e->about = "network id || contract 1, amend count 0, amount 3600 PTR, deadline and "
                   "expiry 30 and 60 days after genesis (little-endian)";
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

/* ------------------------------------------------------------------ the reserves fixture */

/* Proof of reserves needs a reserve-backed asset, and block.json's genesis declares none, so
 * proof.json and state_proof.json share a fixture of their own: block.json's accounts on a
 * genesis named "petro-vectors-por" whose PTR is backed by crude oil (1 PTR = 1 barrel, 100%
 * coverage, quoted in USD; the bank is the auditors account; one attestation of exactly the
 * genesis supply, valid for a year), and a block 1 in which alice proposes a trade contract
 * (exporter bob, approver carol) and funds it: 200 PTR in escrow, the tree's lock leaf. */

#define POR_TXS 2
#define POR_ESCROW (200 * PETRO_UNIT)
#define YEAR_MS (365 * DAY_MS)

typedef struct fixture {
    petro_genesis *g;
    petro_hash network_id;
    ledger lg;
    petro_block_header h0, h1;
    block_tx b[POR_TXS];
    uint8_t *block;
    size_t block_size;
} fixture;

static void make_por_genesis(petro_genesis *g) {
    make_genesis(g);
    snprintf(g->network_name, sizeof g->network_name, "petro-vectors-por");
    g->auditors = K[K_BANK].pk;
    g->reserve_count = 1;
    g->reserves[0].asset = petro_asset_native();
    g->reserves[0].commodity = PETRO_COMMODITY_OIL;
    g->reserves[0].units_per_commodity = 1;
    g->reserves[0].coverage_bps = 10000;
    snprintf(g->reserves[0].quote, sizeof g->reserves[0].quote, "USD");
    petro_amount supply = 0;
    for (uint32_t i = 0; i < g->account_count; i++) supply += g->accounts[i].balance;
    petro_attestation_terms *a = &g->attestations[g->attestation_count++];
    a->commodity = PETRO_COMMODITY_OIL;
    a->quantity = supply;
    snprintf(a->custodian, sizeof a->custodian, "vector tank farm");
    const char doc[] = "vector oil certificate";
    petro_hash_bytes(&a->document_hash, (const uint8_t *)doc, strlen(doc));
    a->valid_from_ms = GENESIS_MS;
    a->valid_until_ms = GENESIS_MS + YEAR_MS;
}

/* alice (importer) proposes contract 1 to bob (exporter) with carol approving, 200 PTR, and
 * funds it in the next transaction. */
static void por_block_txs(block_tx *b, const petro_hash *network_id) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_TRADE_CREATE;
    petro_op_trade_create *c = &op.u.trade_create;
    c->exporter = K[K_BOB].pk;
    c->asset = petro_asset_native();
    c->amount = POR_ESCROW;
    c->hs_code = 270900;
    snprintf(c->description, sizeof c->description, "vector crude oil");
    c->quantity = 200 * PETRO_UNIT;
    snprintf(c->unit, sizeof c->unit, "bbl");
    c->incoterm = 4; /* FOB */
    memcpy(c->origin, "VE", 3);
    memcpy(c->destination, "BR", 3);
    c->doc_count = 1;
    c->doc_types[0] = PETRO_DOC_BILL_OF_LADING;
    c->approver_count = 1;
    c->approvers[0] = K[K_CAROL].pk;
    c->threshold = 1;
    c->shipment_deadline_ms = GENESIS_MS + 30 * DAY_MS;
    c->expiry_ms = GENESIS_MS + 60 * DAY_MS;
    tx_init_on(&b[0].tx, network_id, K_ALICE, 1);
    tx_add_op(&b[0].tx, &op);
    tx_sign(&b[0].tx, K_ALICE);
    b[0].about = "alice proposes contract 1: 200 PTR to bob for crude oil, carol approves";
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_TRADE_FUND;
    op.u.trade_id.contract_id = 1;
    tx_init_on(&b[1].tx, network_id, K_ALICE, 2);
    tx_add_op(&b[1].tx, &op);
    tx_sign(&b[1].tx, K_ALICE);
    b[1].about = "alice funds contract 1: 200 PTR locked in escrow";
}

static void fixture_open(fixture *fx) {
    memset(fx, 0, sizeof *fx);
    fx->g = xcalloc(sizeof *fx->g);
    make_por_genesis(fx->g);
    must(petro_genesis_network_id(&fx->network_id, fx->g), "fixture network id");
    ledger_open(&fx->lg, fx->g, &fx->h0);
    por_block_txs(fx->b, &fx->network_id);
    fx->block = xcalloc(BLOCK_MAX);
    fx->block_size = build_block(&fx->lg, &fx->h1, fx->block, fx->b, POR_TXS, &fx->network_id,
                                 BLOCK1_MS);
    for (size_t i = 0; i < POR_TXS; i++) {
        if (fx->b[i].result.code != PETRO_OK) die("fixture transaction %zu failed", i);
    }
    replay_check(fx->g, fx->block, fx->block_size, &fx->h1);
}

static void fixture_close(fixture *fx) {
    ledger_close(&fx->lg);
    free(fx->block);
    free(fx->g);
}

/* The fixture's chain: genesis, network id, block 1 (its transactions, header and bytes). */
static json_t *fixture_json(const fixture *fx) {
    json_t *o = json_object(), *txs = json_array();
    uint8_t *genesis = xcalloc(PETRO_GENESIS_SIZE_MAX);
    size_t genesis_size = 0;
    must(petro_genesis_encode(genesis, PETRO_GENESIS_SIZE_MAX, &genesis_size, fx->g), "genesis");
    jset(o, "genesis", jhex(genesis, genesis_size));
    jset(o, "network_id", jhex(fx->network_id.bytes, 32));
    for (size_t i = 0; i < POR_TXS; i++) jpush(txs, block_tx_json(&fx->b[i]));
    json_t *b1 = header_json(&fx->h1);
    jset(b1, "transactions", txs);
    jset(b1, "block", jhex(fx->block, fx->block_size));
    jset(o, "block1", b1);
    free(genesis);
    return o;
}

/* ------------------------------------------------------------------ proof of reserves */

static json_t *jnode(const petro_sum_node *n) {
    json_t *o = json_object();
    jset(o, "hash", jhex(n->hash.bytes, 32));
    jset(o, "sum", jamount(n->sum));
    return o;
}

static void put_i64(example *e, int64_t v) { put_u64(e, (uint64_t)v); }

/* A leaf's node and the bytes its hash is of ("Proof of reserves", Nodes); the node is
 * checked against petro_proof_leaf / petro_proof_lock_leaf. */
static petro_sum_node leaf_node(const petro_sum_leaf *l, const petro_hash *salt, example *pre) {
    memset(pre, 0, sizeof *pre);
    petro_sum_node n, again;
    if (l->kind == PETRO_LEAF_BALANCE) {
        put(pre, "petro-por-leaf-v2", 17);
        put(pre, salt->bytes, 32);
        put(pre, l->account.bytes, 32);
        petro_proof_leaf(&n, salt, &l->account, l->balance);
    } else {
        size_t len = strlen(l->family);
        uint8_t len8 = (uint8_t)len;
        put(pre, "petro-por-lock-v2", 17);
        put(pre, salt->bytes, 32);
        put(pre, &len8, 1);
        put(pre, l->family, len);
        put_u64(pre, l->lock_id);
        put(pre, l->account.bytes, 32);
        petro_proof_lock_leaf(&n, salt, l->family, l->lock_id, &l->account, l->balance);
    }
    put_i64(pre, l->balance);
    petro_hash_bytes(&again.hash, pre->msg, pre->size);
    if (!petro_hash_equal(&again.hash, &n.hash)) die("a leaf's bytes do not hash to its node");
    return n;
}

static json_t *leaf_json(const petro_sum_leaf *l, uint64_t index, const petro_hash *salt) {
    example pre;
    petro_sum_node n = leaf_node(l, salt, &pre);
    json_t *o = json_object();
    jset(o, "index", ju64(index));
    if (l->kind == PETRO_LEAF_BALANCE) {
        jset(o, "kind", json_string("balance"));
        jset(o, "account", jaddr(&l->account, NET));
        jset(o, "account_key", jhex(l->account.bytes, 32));
        jset(o, "balance", jamount(l->balance));
    } else {
        jset(o, "kind", json_string("lock"));
        jset(o, "family", json_string(l->family));
        jset(o, "id", ju64(l->lock_id));
        jset(o, "owner", jaddr(&l->account, NET));
        jset(o, "owner_key", jhex(l->account.bytes, 32));
        jset(o, "amount", jamount(l->balance));
    }
    jset(o, "hashed", jhex(pre.msg, pre.size));
    jset(o, "hash", jhex(n.hash.bytes, 32));
    jset(o, "sum", jamount(n.sum));
    return o;
}

/* Every level of the tree, level 0 (the leaf nodes) to the root, computed here from the leaves
 * by the rule of docs/protocol.md (a last node without a partner is paired with empty) and
 * checked against the root petro_checkpoint_build made. */
static json_t *levels_json(const petro_checkpoint_tree *ct) {
    uint64_t n = ct->tree.leaf_count;
    petro_sum_node *level = xcalloc(sizeof *level * (n + 1));
    example pre;
    for (uint64_t i = 0; i < n; i++) level[i] = leaf_node(&ct->leaves[i], &ct->salt, &pre);
    json_t *levels = json_array();
    for (;;) {
        json_t *l = json_array();
        for (uint64_t i = 0; i < n; i++) jpush(l, jnode(&level[i]));
        jpush(levels, l);
        if (n <= 1) break;
        if (n % 2 != 0) petro_proof_empty(&level[n++]);
        for (uint64_t i = 0; i < n / 2; i++) {
            petro_sum_node left = level[2 * i], right = level[2 * i + 1];
            must(petro_proof_parent(&level[i], &left, &right), "parent");
        }
        n /= 2;
    }
    petro_sum_node root = petro_sum_tree_root(&ct->tree);
    if (!petro_hash_equal(&root.hash, &level[0].hash) || root.sum != level[0].sum) {
        die("the levels do not give the checkpoint's root");
    }
    free(level);
    return levels;
}

/* The checkpoint as the API shows it, plus its message, the signed bytes and the signer. */
static json_t *checkpoint_json(const petro_checkpoint *c) {
    json_t *o = checkpoint_to_json(c, NET);
    if (o == NULL) die("checkpoint JSON");
    uint8_t msg[PETRO_CHECKPOINT_MESSAGE_MAX], signed_bytes[1 + 64 + PETRO_CHECKPOINT_MESSAGE_MAX];
    size_t size = petro_checkpoint_message(msg, c);
    const char *tag = petro_sig_domain_tag(PETRO_DOMAIN_CHECKPOINT);
    size_t tag_len = strlen(tag);
    signed_bytes[0] = (uint8_t)tag_len;
    memcpy(signed_bytes + 1, tag, tag_len);
    memcpy(signed_bytes + 1 + tag_len, msg, size);
    if (!petro_checkpoint_verify(c)) die("the checkpoint signature does not verify");
    jset(o, "message", jhex(msg, size));
    jset(o, "signed_bytes", jhex(signed_bytes, 1 + tag_len + size));
    jset(o, "signer", json_string(KEY_NAMES[K_VALIDATOR]));
    return o;
}

/* A proof's walk to the root: its leaf node, then per level the sibling's side and the node
 * on the path above (the last is the root). */
static json_t *walk_json(const petro_proof *p, const char *what) {
    json_t *o = json_object(), *steps = json_array();
    petro_sum_node node;
    example pre;
    petro_sum_leaf l;
    memset(&l, 0, sizeof l);
    l.account = p->account;
    l.balance = p->balance;
    l.kind = p->kind;
    memcpy(l.family, p->family, sizeof l.family);
    l.lock_id = p->lock_id;
    node = leaf_node(&l, &p->salt, &pre);
    jset(o, "leaf", json_string(what));
    jset(o, "index", ju64(p->index));
    jset(o, "hashed", jhex(pre.msg, pre.size));
    jset(o, "leaf_node", jnode(&node));
    for (uint32_t i = 0; i < p->depth; i++) {
        bool right = ((p->index >> i) & 1u) != 0; /* the path node is a right child */
        petro_sum_node up;
        must(petro_proof_parent(&up, right ? &p->siblings[i] : &node,
                                right ? &node : &p->siblings[i]),
             "path parent");
        json_t *s = jnode(&up);
        jset(s, "sibling_side", json_string(right ? "left" : "right"));
        jpush(steps, s);
        node = up;
    }
    if (!petro_hash_equal(&node.hash, &p->checkpoint.root)) die("a proof walks to another root");
    jset(o, "path_nodes", steps);
    return o;
}

static json_t *proof_json(fixture *fx) {
    petro_checkpoint_tree ct;
    petro_asset ptr = petro_asset_native();
    must(petro_checkpoint_build(&ct, &fx->lg.store, &ptr), "checkpoint build");
    petro_checkpoint_sign(&ct.checkpoint, &K[K_VALIDATOR].pk, &K[K_VALIDATOR].sk);
    proof_set *s = xcalloc(sizeof *s);
    must(petro_checkpoint_tree_proof(&ct, &K[K_ALICE].pk, &s->balance), "balance proof");
    s->has_balance = true;
    uint64_t from = 0;
    must(petro_checkpoint_tree_lock_proof(&ct, &K[K_ALICE].pk, &from, &s->locks[0]), "lock proof");
    s->lock_count = 1;
    if (petro_checkpoint_tree_lock_proof(&ct, &K[K_ALICE].pk, &from, &s->locks[1]) !=
        PETRO_ERR_NOT_FOUND) {
        die("alice owns one lock");
    }
    if (petro_proof_verify(&s->balance) != 0 || petro_proof_verify(&s->locks[0]) != 0) {
        die("a vector proof does not verify");
    }
    json_t *file = proof_set_to_json(s, NET);
    char why[64];
    proof_set *back = xcalloc(sizeof *back);
    if (file == NULL || proof_set_from_json(back, file, why, sizeof why) != PETRO_OK) {
        die("the proof file does not parse back: %s", why);
    }
    uint8_t salt_in[17 + 32 + 1];
    memcpy(salt_in, "petro-por-salt-v1", 17);
    memcpy(salt_in + 17, ct.checkpoint.block_hash.bytes, 32);
    salt_in[49] = 0x00; /* the asset encoding of PTR */
    petro_hash salt;
    petro_hash_bytes(&salt, salt_in, sizeof salt_in);
    if (!petro_hash_equal(&salt, &ct.salt)) die("the salt's bytes do not hash to the salt");
    petro_sum_node empty;
    petro_proof_empty(&empty);
    json_t *root = fixture_json(fx), *leaves = json_array(), *walks = json_array();
    jset(root, "asset", json_string("PTR"));
    jset(root, "salt_hashed", jhex(salt_in, sizeof salt_in));
    jset(root, "salt", jhex(ct.salt.bytes, 32));
    for (uint64_t i = 0; i < ct.tree.leaf_count; i++) {
        jpush(leaves, leaf_json(&ct.leaves[i], i, &ct.salt));
    }
    jset(root, "leaves", leaves);
    jset(root, "empty", jnode(&empty));
    jset(root, "levels", levels_json(&ct));
    jset(root, "checkpoint", checkpoint_json(&ct.checkpoint));
    jset(root, "proof_file", file);
    jpush(walks, walk_json(&s->balance, "balance"));
    jpush(walks, walk_json(&s->locks[0], "lock"));
    jset(root, "proof_walks", walks);
    free(back);
    free(s);
    petro_checkpoint_tree_free(&ct);
    return root;
}

/* ------------------------------------------------------------------ state commitment */

typedef struct records {
    json_t *list;
} records;

static int record_cb(void *ctx, const uint8_t *rkey, size_t key_size, const uint8_t *value,
                     size_t value_size) {
    records *r = ctx;
    if (!petro_state_key_committed(rkey, key_size)) return 0;
    petro_hash leaf;
    petro_state_leaf(&leaf, rkey, key_size, value, value_size);
    json_t *o = json_object();
    jset(o, "key", jhex(rkey, key_size));
    jset(o, "value", jhex(value, value_size));
    jset(o, "leaf", jhex(leaf.bytes, 32));
    jpush(r->list, o);
    return 0;
}

static json_t *state_root_json(const petro_state_root *sr) {
    json_t *o = state_root_to_json(sr, NET);
    if (o == NULL) die("state root JSON");
    uint8_t msg[PETRO_STATE_ROOT_MESSAGE_SIZE], signed_bytes[1 + 64 + sizeof msg];
    petro_state_root_message(msg, sr);
    const char *tag = petro_sig_domain_tag(PETRO_DOMAIN_STATE_ROOT);
    size_t tag_len = strlen(tag);
    signed_bytes[0] = (uint8_t)tag_len;
    memcpy(signed_bytes + 1, tag, tag_len);
    memcpy(signed_bytes + 1 + tag_len, msg, sizeof msg);
    if (!petro_state_root_verify(sr)) die("the state root signature does not verify");
    jset(o, "message", jhex(msg, sizeof msg));
    jset(o, "signed_bytes", jhex(signed_bytes, 1 + tag_len + sizeof msg));
    jset(o, "signer", json_string(KEY_NAMES[K_VALIDATOR]));
    return o;
}

/* The proof of the record with key (bucket_bits 0: a bucket is one record). */
static json_t *state_proof_of(fixture *fx, const petro_state_tree *t, const petro_state_root *sr,
                              const uint8_t *rkey, size_t key_size) {
    uint64_t bucket, first;
    uint32_t count;
    if (!petro_state_tree_locate(t, rkey, key_size, &bucket, &first, &count) || count != 1) {
        die("state record not found");
    }
    uint8_t value[PETRO_STORE_VALUE_SIZE_MAX];
    size_t value_size = 0;
    bool found = false;
    must(fx->lg.store.get(fx->lg.store.ctx, rkey, key_size, value, sizeof value, &value_size,
                          &found),
         "state get");
    if (!found) die("state record missing");
    petro_hash leaf;
    petro_state_leaf(&leaf, rkey, key_size, value, value_size);
    petro_state_proof *p = xcalloc(sizeof *p);
    must(petro_state_tree_proof(p, t, sr, bucket, &leaf, 1, 0, rkey, key_size, value, value_size),
         "state proof");
    if (petro_state_proof_verify(p) != 0) die("a vector state proof does not verify");
    json_t *j = state_proof_to_json(p, NET);
    char why[64];
    petro_state_proof *back = xcalloc(sizeof *back);
    if (j == NULL || state_proof_from_json(back, j, why, sizeof why) != PETRO_OK) {
        die("the state proof does not parse back: %s", why);
    }
    free(back);
    free(p);
    return j;
}

/* Its leaf node, then the node on the path above each step (the last is the root). */
static json_t *state_walk_json(const json_t *proof, const char *what) {
    petro_state_proof *p = xcalloc(sizeof *p);
    char why[64];
    must(state_proof_from_json(p, proof, why, sizeof why), "state proof parse");
    json_t *o = json_object(), *nodes = json_array();
    petro_hash node;
    petro_state_leaf_node(&node, &p->leaf);
    jset(o, "record", json_string(what));
    jset(o, "leaf_node", jhex(node.bytes, 32));
    for (uint32_t i = 0; i < p->step_count; i++) {
        petro_hash up;
        if (p->steps[i].side == PETRO_STATE_SIBLING_LEFT) {
            petro_state_inner_node(&up, &p->steps[i].hash, &node);
        } else {
            petro_state_inner_node(&up, &node, &p->steps[i].hash);
        }
        jpush(nodes, jhex(up.bytes, 32));
        node = up;
    }
    if (!petro_hash_equal(&node, &p->root.root)) die("a state proof walks to another root");
    jset(o, "path_nodes", nodes);
    free(p);
    return o;
}

static json_t *state_proof_json(fixture *fx) {
    petro_state_tree t;
    petro_state_root sr;
    must(petro_state_tree_build(&t, &sr, &fx->lg.store, 0), "state tree");
    petro_state_root_sign(&sr, &K[K_VALIDATOR].pk, &K[K_VALIDATOR].sk);
    records r = {json_array()};
    must(fx->lg.store.iter(fx->lg.store.ctx, (const uint8_t *)"", 0, record_cb, &r), "iter");
    if (json_array_size(r.list) != sr.record_count) die("record count");
    /* docs/protocol.md "State": 'A' pubkey, alice's account; 'T' pubkey 0x00, her PTR. */
    uint8_t account_key[33] = {'A'}, balance_key[34] = {'T'};
    memcpy(account_key + 1, K[K_ALICE].pk.bytes, 32);
    memcpy(balance_key + 1, K[K_ALICE].pk.bytes, 32);
    json_t *account = state_proof_of(fx, &t, &sr, account_key, sizeof account_key);
    json_t *balance = state_proof_of(fx, &t, &sr, balance_key, sizeof balance_key);
    json_t *root = fixture_json(fx), *answer = json_object(), *proofs = json_array();
    json_t *walks = json_array();
    jset(root, "record_count", ju64(sr.record_count));
    jset(root, "records", r.list);
    jset(root, "state_root", state_root_json(&sr));
    jpush(walks, state_walk_json(account, "account"));
    jpush(walks, state_walk_json(balance, "balance"));
    jset(answer, "account", jaddr(&K[K_ALICE].pk, NET));
    jset(answer, "height", ju64(sr.height));
    jpush(proofs, account);
    jpush(proofs, balance);
    jset(answer, "proofs", proofs);
    jset(root, "account_proof", answer);
    jset(root, "proof_walks", walks);
    petro_state_tree_free(&t);
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

#define FILE_COUNT 6

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
    out_file files[FILE_COUNT] = {{"keys.json", dump(keys_json())},
                                  {"transactions.json", dump(transactions_json(&first_id))},
                                  {"block.json", NULL},
                                  {"domains.json", NULL},
                                  {"proof.json", NULL},
                                  {"state_proof.json", NULL}};
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
    fixture fx;
    fixture_open(&fx);
    files[4].text = dump(proof_json(&fx));
    files[5].text = dump(state_proof_json(&fx));
    fixture_close(&fx);
    bool write = strcmp(argv[1], "--write") == 0;
    int bad = 0;
    for (size_t i = 0; i < FILE_COUNT; i++) {
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
