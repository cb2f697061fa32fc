/* Seed corpora for the fuzz targets, made by project code: gen_corpus DIR writes
 * DIR/<target>/seed-NNN for every target of tests/fuzz. The committed corpora under
 * tests/fuzz/corpus/ were made with it (make fuzz-seeds regenerates them); CTest also runs it
 * into a temporary directory and replays the result, so the generator keeps working. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_fixture.h"
#include "wallet.h"

static const char *out_root;

static void die(const char *what) {
    fprintf(stderr, "gen_corpus: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void make_dir(const char *path) {
    if (mkdir(path, 0755) != 0 && errno != EEXIST) die(path);
}

static void emit(const char *target, const void *bytes, size_t size) {
    static char last_target[64];
    static int counter;
    if (strcmp(last_target, target) != 0) {
        snprintf(last_target, sizeof last_target, "%s", target);
        counter = 0;
    }
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s/%s", out_root, target);
    make_dir(dir);
    snprintf(path, sizeof path, "%s/seed-%03d", dir, counter++);
    FILE *f = fopen(path, "wb");
    if (f == NULL) die(path);
    if (size > 0 && fwrite(bytes, 1, size, f) != size) die(path);
    if (fclose(f) != 0) die(path);
}

static void emit_text(const char *target, const char *text) { emit(target, text, strlen(text)); }

/* ---------------------------------------------------------------- transactions */

static petro_asset issued(const char *code) {
    petro_asset a;
    memset(&a, 0, sizeof a);
    a.kind = PETRO_ASSET_ISSUED;
    snprintf(a.code, sizeof a.code, "%s", code);
    a.issuer = FUZZ_KEYS[0].pk;
    return a;
}

static void tx_init(petro_tx *tx, int src, uint64_t seq) {
    memset(tx, 0, sizeof *tx);
    tx->version = PETRO_TX_VERSION;
    fuzz_network_id(&tx->network_id);
    tx->source = FUZZ_KEYS[src].pk;
    tx->sequence = seq;
}

static size_t tx_finish(petro_tx *tx, uint8_t *out, const int *signers) {
    tx->fee = PETRO_BASE_FEE * tx->op_count;
    for (const int *s = signers; *s >= 0; s++) {
        if (petro_tx_sign(tx, &FUZZ_KEYS[*s].pk, &FUZZ_KEYS[*s].sk) != PETRO_OK) {
            fuzz_fail("sign", NULL);
        }
    }
    size_t n = 0;
    if (petro_tx_encode(out, PETRO_TX_SIZE_MAX, &n, tx) != PETRO_OK) fuzz_fail("encode", NULL);
    return n;
}

#define SIGNERS(...) ((const int[]){__VA_ARGS__, -1})
#define SEED_TXS 10

/* A small story over the fixture: new accounts, trust, issue, pay, multisig, thresholds. */
static size_t make_txs(uint8_t txs[SEED_TXS][PETRO_TX_SIZE_MAX], size_t sizes[SEED_TXS]) {
    petro_tx *tx = malloc(sizeof *tx);
    if (tx == NULL) die("malloc");
    size_t k = 0;
    /* 0: treasury creates key 4 and pays key 1. */
    tx_init(tx, 0, 1);
    tx->op_count = 2;
    tx->ops[0].type = PETRO_OP_CREATE_ACCOUNT;
    tx->ops[0].u.create_account.destination = FUZZ_KEYS[4].pk;
    tx->ops[0].u.create_account.starting_balance = 50 * PETRO_UNIT;
    tx->ops[1].type = PETRO_OP_PAYMENT;
    tx->ops[1].u.payment.destination = FUZZ_KEYS[1].pk;
    tx->ops[1].u.payment.asset = petro_asset_native();
    tx->ops[1].u.payment.amount = 7 * PETRO_UNIT;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(0)); k++;
    /* 1: key 1 trusts USD and EUR, with a memo and time bounds. */
    tx_init(tx, 1, 1);
    tx->op_count = 2;
    tx->ops[0].type = PETRO_OP_CHANGE_TRUST;
    tx->ops[0].u.change_trust.asset = issued("USD");
    tx->ops[0].u.change_trust.limit = 1000 * PETRO_UNIT;
    tx->ops[1].type = PETRO_OP_CHANGE_TRUST;
    tx->ops[1].u.change_trust.asset = issued("EUR");
    tx->ops[1].u.change_trust.limit = 500 * PETRO_UNIT;
    tx->memo_size = 5;
    memcpy(tx->memo, "hello", 5);
    tx->valid_until_ms = FUZZ_GENESIS_TS + 3600000u;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(1)); k++;
    /* 2: treasury issues USD to key 1 and authorises its EUR line. */
    tx_init(tx, 0, 2);
    tx->op_count = 2;
    tx->ops[0].type = PETRO_OP_ISSUE;
    tx->ops[0].u.issue.destination = FUZZ_KEYS[1].pk;
    snprintf(tx->ops[0].u.issue.code, sizeof tx->ops[0].u.issue.code, "USD");
    tx->ops[0].u.issue.amount = 300 * PETRO_UNIT;
    tx->ops[1].type = PETRO_OP_AUTHORIZE_TRUST;
    tx->ops[1].u.authorize_trust.trustor = FUZZ_KEYS[1].pk;
    snprintf(tx->ops[1].u.authorize_trust.code, sizeof tx->ops[1].u.authorize_trust.code, "EUR");
    tx->ops[1].u.authorize_trust.authorize = 1;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(0)); k++;
    /* 3: key 1 redeems some USD and pays PTR to key 2. */
    tx_init(tx, 1, 2);
    tx->op_count = 2;
    tx->ops[0].type = PETRO_OP_REDEEM;
    tx->ops[0].u.redeem.asset = issued("USD");
    tx->ops[0].u.redeem.amount = 10 * PETRO_UNIT;
    tx->ops[1].type = PETRO_OP_PAYMENT;
    tx->ops[1].u.payment.destination = FUZZ_KEYS[2].pk;
    tx->ops[1].u.payment.asset = petro_asset_native();
    tx->ops[1].u.payment.amount = 1;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(1)); k++;
    /* 4: multisig account 3 (keys 3 + 2) pays key 4. */
    tx_init(tx, 3, 1);
    tx->op_count = 1;
    tx->ops[0].type = PETRO_OP_PAYMENT;
    tx->ops[0].u.payment.destination = FUZZ_KEYS[4].pk;
    tx->ops[0].u.payment.asset = petro_asset_native();
    tx->ops[0].u.payment.amount = 3 * PETRO_UNIT;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(3, 2)); k++;
    /* 5: key 2 adds key 5 as a signer and raises its thresholds. */
    tx_init(tx, 2, 1);
    tx->op_count = 2;
    tx->ops[0].type = PETRO_OP_SET_SIGNER;
    tx->ops[0].u.set_signer.signer = FUZZ_KEYS[5].pk;
    tx->ops[0].u.set_signer.weight = 1;
    tx->ops[1].type = PETRO_OP_SET_THRESHOLDS;
    tx->ops[1].u.set_thresholds.master_weight = 1;
    tx->ops[1].u.set_thresholds.low = 1;
    tx->ops[1].u.set_thresholds.medium = 1;
    tx->ops[1].u.set_thresholds.high = 2;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(2)); k++;
    /* 6: key 4 creates an asset, trusts USD; key 1 pays it USD (next tx). */
    tx_init(tx, 4, 1);
    tx->op_count = 2;
    tx->ops[0].type = PETRO_OP_CREATE_ASSET;
    snprintf(tx->ops[0].u.create_asset.code, sizeof tx->ops[0].u.create_asset.code, "GLD");
    tx->ops[0].u.create_asset.flags = PETRO_ASSET_FLAG_AUTH_REQUIRED;
    tx->ops[1].type = PETRO_OP_CHANGE_TRUST;
    tx->ops[1].u.change_trust.asset = issued("USD");
    tx->ops[1].u.change_trust.limit = PETRO_SUPPLY_MAX;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(4)); k++;
    /* 7: key 1 pays USD to key 4. */
    tx_init(tx, 1, 3);
    tx->op_count = 1;
    tx->ops[0].type = PETRO_OP_PAYMENT;
    tx->ops[0].u.payment.destination = FUZZ_KEYS[4].pk;
    tx->ops[0].u.payment.asset = issued("USD");
    tx->ops[0].u.payment.amount = 25 * PETRO_UNIT;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(1)); k++;
    /* 8: a failing op (overdraft) still charges the fee. */
    tx_init(tx, 4, 2);
    tx->op_count = 1;
    tx->ops[0].type = PETRO_OP_PAYMENT;
    tx->ops[0].u.payment.destination = FUZZ_KEYS[0].pk;
    tx->ops[0].u.payment.asset = petro_asset_native();
    tx->ops[0].u.payment.amount = 10000 * PETRO_UNIT;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(4)); k++;
    /* 9: key 1 removes its EUR line. */
    tx_init(tx, 1, 4);
    tx->op_count = 1;
    tx->ops[0].type = PETRO_OP_CHANGE_TRUST;
    tx->ops[0].u.change_trust.asset = issued("EUR");
    tx->ops[0].u.change_trust.limit = 0;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(1)); k++;
    free(tx);
    return k;
}

static void hex_of(char *out, const uint8_t *bytes, size_t size) { petro_hex_encode(out, bytes, size); }

/* ---------------------------------------------------------------- blocks */

/* Apply txs 0..count-1 to a fresh fixture ledger as one block; write the encoded block. */
static size_t make_block(uint8_t *out, size_t cap, uint8_t txs[SEED_TXS][PETRO_TX_SIZE_MAX],
                         const size_t *sizes, size_t count) {
    petro_genesis g;
    fuzz_genesis(&g);
    petro_store store;
    petro_store_mem *mem = NULL;
    petro_ledger *l = NULL;
    petro_block_header h;
    if (petro_store_mem_create(&mem, &store) != PETRO_OK ||
        petro_ledger_create(&l, &store) != PETRO_OK || petro_ledger_genesis(l, &h, &g) != PETRO_OK ||
        petro_ledger_commit(l) != PETRO_OK ||
        petro_ledger_begin(l, 1, FUZZ_GENESIS_TS + 1000) != PETRO_OK) {
        fuzz_fail("block fixture", NULL);
    }
    petro_tx *tx = malloc(sizeof *tx);
    if (tx == NULL) die("malloc");
    size_t used = PETRO_BLOCK_HEADER_SIZE;
    for (size_t i = 0; i < count; i++) {
        petro_hash id;
        petro_tx_result res;
        if (petro_tx_decode(tx, txs[i], sizes[i]) != PETRO_OK || petro_tx_id(&id, tx) != PETRO_OK) {
            fuzz_fail("decode seed tx", NULL);
        }
        uint32_t mask = petro_tx_verify_sigs(tx, &id);
        if (petro_ledger_apply_tx(l, &res, tx, &id, mask) != PETRO_OK) continue;
        if (used + 4 + sizes[i] > cap) fuzz_fail("block cap", NULL);
        uint32_t n = (uint32_t)sizes[i];
        out[used] = (uint8_t)n;
        out[used + 1] = (uint8_t)(n >> 8);
        out[used + 2] = (uint8_t)(n >> 16);
        out[used + 3] = (uint8_t)(n >> 24);
        memcpy(out + used + 4, txs[i], sizes[i]);
        used += 4 + sizes[i];
    }
    if (petro_ledger_finish(l, &h, &FUZZ_KEYS[0].pk) != PETRO_OK) fuzz_fail("finish", NULL);
    petro_block_header_encode(out, &h);
    petro_ledger_abort(l);
    petro_ledger_destroy(l);
    petro_store_mem_destroy(mem);
    free(tx);
    return used;
}

/* ---------------------------------------------------------------- wallets */

static void emit_wallet(const char *passphrase, const char *name) {
    wallet_key key;
    if (wallet_key_generate(&key, name) != PETRO_OK) fuzz_fail("wallet key", NULL);
    char path[128];
    snprintf(path, sizeof path, "/tmp/petro-gen-corpus-%ld.json", (long)getpid());
    unlink(path);
    if (wallet_write(path, &key, passphrase, false) != PETRO_OK) fuzz_fail("wallet write", path);
    wallet_key_deinit(&key);
    FILE *f = fopen(path, "rb");
    if (f == NULL) die(path);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    unlink(path);
    emit("fuzz_wallet", buf, n);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: gen_corpus DIR\n");
        return 2;
    }
    out_root = argv[1];
    make_dir(out_root);
    fuzz_init();

    static uint8_t txs[SEED_TXS][PETRO_TX_SIZE_MAX];
    size_t sizes[SEED_TXS];
    size_t count = make_txs(txs, sizes);

    /* fuzz_tx_decode: every seed tx, and a truncated one. */
    for (size_t i = 0; i < count; i++) emit("fuzz_tx_decode", txs[i], sizes[i]);
    emit("fuzz_tx_decode", txs[0], sizes[0] / 2);

    /* fuzz_tx_body: bodies around one tx. */
    static char hex[2 * PETRO_TX_SIZE_MAX + 1];
    static char body[2 * PETRO_TX_SIZE_MAX + 64];
    for (size_t i = 0; i < 3; i++) {
        hex_of(hex, txs[i], sizes[i]);
        snprintf(body, sizeof body, "{\"tx\": \"%s\"}", hex);
        emit_text("fuzz_tx_body", body);
    }
    emit_text("fuzz_tx_body", "{\"tx\": \"0a0B\", \"extra\": [1, {\"a\": null}]}");
    emit_text("fuzz_tx_body", "[[[[[\"tx\"]]]]]");
    emit_text("fuzz_tx_body", "{\"tx\": \"zz\\u00e9\\\"\"}");

    /* fuzz_block_decode: mode byte, then a block / a result / a genesis. */
    static uint8_t block[PETRO_BLOCK_HEADER_SIZE + SEED_TXS * (4 + PETRO_TX_SIZE_MAX) + 1];
    block[0] = 0;
    size_t bsize = make_block(block + 1, sizeof block - 1, txs, sizes, count);
    emit("fuzz_block_decode", block, bsize + 1);
    emit("fuzz_block_decode", block, PETRO_BLOCK_HEADER_SIZE + 1);
    {
        petro_tx_result r;
        memset(&r, 0, sizeof r);
        r.code = PETRO_ERR_OP_FAILED;
        r.fee_charged = 200;
        r.op_count = 2;
        r.op_codes[0] = PETRO_OK;
        r.op_codes[1] = PETRO_ERR_BALANCE_LOW;
        uint8_t out[1 + PETRO_TX_RESULT_SIZE_MAX];
        size_t n = 0;
        out[0] = 1;
        if (petro_tx_result_encode(out + 1, sizeof out - 1, &n, &r) != PETRO_OK) {
            fuzz_fail("result encode", NULL);
        }
        emit("fuzz_block_decode", out, n + 1);
    }
    {
        petro_genesis g;
        fuzz_genesis(&g);
        static uint8_t out[1 + PETRO_GENESIS_SIZE_MAX];
        size_t n = 0;
        out[0] = 2;
        if (petro_genesis_encode(out + 1, sizeof out - 1, &n, &g) != PETRO_OK) {
            fuzz_fail("genesis encode", NULL);
        }
        emit("fuzz_block_decode", out, n + 1);
    }

    /* fuzz_block_apply: records [flags][u16 size][envelope]; blocks of 1..4 txs. */
    {
        static uint8_t rec[SEED_TXS * (3 + PETRO_TX_SIZE_MAX)];
        size_t used = 0;
        static const uint8_t ends[SEED_TXS] = {0, 1, 0, 1, 1, 0, 1, 0, 1, 1};
        for (size_t i = 0; i < count; i++) {
            rec[used] = (uint8_t)(ends[i] ? 0x04u | ((i & 7u) << 3) : 0u);
            rec[used + 1] = (uint8_t)sizes[i];
            rec[used + 2] = (uint8_t)(sizes[i] >> 8);
            memcpy(rec + used + 3, txs[i], sizes[i]);
            used += 3 + sizes[i];
            if (i == 2 || i == count - 1) emit("fuzz_block_apply", rec, used);
        }
        /* The same story with the re-sign flag: the fuzzer may then mutate bodies freely. */
        for (size_t off = 0; off < used;) {
            rec[off] |= 0x03u;
            size_t n = (size_t)rec[off + 1] | ((size_t)rec[off + 2] << 8);
            off += 3 + n;
        }
        emit("fuzz_block_apply", rec, used);
        emit("fuzz_block_apply", block + 1, bsize); /* a valid block as raw input */
    }

    /* fuzz_amount: first byte = allow_negative. */
    static const char *const amounts[] = {
        "\x00" "12.5", "\x00" "0.00000001", "\x01" "-0.00000005", "\x00" "100",
        "\x00" "92233720368", "\x00" "92233720368.00000001", "\x00" "0.123456789",
        "\x00" "007.5", "\x00" "1e5", "\x01" "-", "\x00" ".5", "\x00" "5.",
        "\x00" "9223372036854775807", "\x01" "-92233720368"};
    for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
        emit("fuzz_amount", amounts[i], 1 + strlen(amounts[i] + 1));
    }

    /* fuzz_address: valid addresses of both kinds, upper case, a typo. */
    for (int i = 0; i < 3; i++) {
        char a[PETRO_ADDRESS_SIZE_MAX];
        petro_address_encode(a, &FUZZ_KEYS[i].pk, i == 1 ? PETRO_NET_MAIN : PETRO_NET_TEST);
        emit_text("fuzz_address", a);
        if (i == 2) {
            for (char *c = a; *c != '\0'; c++) {
                if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 'a' + 'A');
            }
            emit_text("fuzz_address", a);
            a[10] = a[10] == 'Q' ? 'P' : 'Q';
            emit_text("fuzz_address", a);
        }
    }

    /* fuzz_wallet: the devnet form, the encrypted form (passphrase "fuzz", the target's) and
     * one sealed under another passphrase. */
    emit_wallet(NULL, "devnet-seed");
    emit_wallet("fuzz", "encrypted-seed");
    emit_wallet("other", "wrong-passphrase");
    emit_text("fuzz_wallet", "{\"petro_wallet\": 1, \"name\": \"x\"}");
    return 0;
}
