/* Seed corpora for the fuzz targets, made by project code: gen_corpus DIR writes
 * DIR/<target>/seed-NNN for every target of tests/fuzz. The committed corpora under
 * tests/fuzz/corpus/ were made with it (make fuzz-seeds regenerates them); CTest also runs it
 * into a temporary directory and replays the result, so the generator keeps working.
 *
 * Two sources of transactions. The story (make_txs) is a scenario over the fixture whose
 * transactions must succeed in order (accounts, trust, issue, reserves, zones, a trade
 * settled): it reaches deep ledger states no random operation does, so it stays written out.
 * Coverage of every operation type comes from the registry instead (make_schema_txs): one
 * valid transaction per registered type, its operation drawn within its field schema by the
 * shared builder (tests/harness/op_build.h) from a fixed seed, so a new family's operations
 * get seeds with no edit here. Seeds are emitted after the story's, so regenerating keeps the
 * numbering of the committed files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_fixture.h"
#include "op_build.h"
#include "petro/schema.h"
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
#define SEED_TXS 22
#define SEED_TX_FIRST_RESERVES 10 /* txs 10..13: reserves */
#define SEED_TX_ZONES 14           /* tx 14: every zones op */
#define SEED_TX_FIRST_TRADE 15     /* txs 15..21: trade */

/* The seed txs whose operation fails on purpose (the fee is still charged); every other one
 * applies with PETRO_OK in make_block, which checks it. */
static bool seed_op_fails(size_t i) { return i == 8 || i == 21; }

/* Reserves (ops 10..14, txs 10..13 of the story) and zones (ops 40..44, tx 14). */
static size_t make_reserves_txs(petro_tx *tx, uint8_t txs[SEED_TXS][PETRO_TX_SIZE_MAX],
                                size_t sizes[SEED_TXS], size_t k) {
    /* 10: the auditors (key 3, 2 of 2 with key 2) attest 200 more barrels of oil. */
    tx_init(tx, 3, 2);
    tx->op_count = 1;
    tx->ops[0].type = PETRO_OP_ATTEST_RESERVE;
    petro_op_attest_reserve *att = &tx->ops[0].u.attest_reserve;
    att->commodity = PETRO_COMMODITY_OIL;
    att->quantity = 200 * PETRO_UNIT;
    snprintf(att->custodian, sizeof att->custodian, "Jose terminal, tank 12");
    petro_hash_bytes(&att->document_hash, (const uint8_t *)"audit 2", 7);
    att->valid_from_ms = FUZZ_GENESIS_TS;
    att->valid_until_ms = FUZZ_GENESIS_TS + 60 * FUZZ_DAY_MS;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(3, 2)); k++;
    /* 11: the treasury issues reserve-backed PTR to key 1. */
    tx_init(tx, 0, 3);
    tx->op_count = 1;
    tx->ops[0].type = PETRO_OP_ISSUE_RESERVE;
    tx->ops[0].u.issue_reserve.asset = petro_asset_native();
    tx->ops[0].u.issue_reserve.destination = FUZZ_KEYS[1].pk;
    tx->ops[0].u.issue_reserve.amount = 100 * PETRO_UNIT;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(0)); k++;
    /* 12: key 1, an oracle, prices oil in USD, then redeems 5 PTR for delivery. */
    tx_init(tx, 1, 5);
    tx->op_count = 2;
    tx->ops[0].type = PETRO_OP_ORACLE_PRICE;
    tx->ops[0].u.oracle_price.commodity = PETRO_COMMODITY_OIL;
    snprintf(tx->ops[0].u.oracle_price.quote, sizeof tx->ops[0].u.oracle_price.quote, "USD");
    tx->ops[0].u.oracle_price.price = 75 * PETRO_UNIT;
    tx->ops[0].u.oracle_price.timestamp_ms = FUZZ_GENESIS_TS + 500;
    tx->ops[1].type = PETRO_OP_REDEEM_RESERVE;
    tx->ops[1].u.redeem_reserve.asset = petro_asset_native();
    tx->ops[1].u.redeem_reserve.amount = 5 * PETRO_UNIT;
    snprintf(tx->ops[1].u.redeem_reserve.delivery, sizeof tx->ops[1].u.redeem_reserve.delivery,
             "FOB Jose, berth 3");
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(1)); k++;
    /* 13: the treasury marks redemption 1 delivered. */
    tx_init(tx, 0, 4);
    tx->op_count = 1;
    tx->ops[0].type = PETRO_OP_FULFILL_REDEMPTION;
    tx->ops[0].u.fulfill_redemption.request_id = 1;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(0)); k++;
    /* 14: the zone authority (key 2) creates zone 7 (CO), sets its policy, puts key 4 in it
     * at KYC tier 1 and sets a VE -> CO turnover target. */
    tx_init(tx, 2, 2);
    tx->op_count = 5;
    tx->ops[0].type = PETRO_OP_ZONE_CREATE;
    tx->ops[0].u.zone_create.zone_id = 7;
    snprintf(tx->ops[0].u.zone_create.name, sizeof tx->ops[0].u.zone_create.name,
             "Barranquilla fuzz zone");
    memcpy(tx->ops[0].u.zone_create.country, "CO", 3);
    tx->ops[1].type = PETRO_OP_ZONE_POLICY;
    petro_op_zone_policy *pol = &tx->ops[1].u.zone_policy;
    pol->zone_id = 7;
    pol->fee_bps = 25;
    pol->tx_limit = 100000 * PETRO_UNIT;
    pol->min_kyc_tier = 1;
    pol->asset_count = 2;
    pol->assets[0] = petro_asset_native();
    pol->assets[1] = issued("USD");
    tx->ops[2].type = PETRO_OP_ZONE_ASSIGN;
    tx->ops[2].u.zone_assign.account = FUZZ_KEYS[4].pk;
    tx->ops[2].u.zone_assign.zone_id = 7;
    tx->ops[3].type = PETRO_OP_SET_KYC_TIER;
    tx->ops[3].u.set_kyc_tier.account = FUZZ_KEYS[4].pk;
    tx->ops[3].u.set_kyc_tier.tier = 1;
    tx->ops[4].type = PETRO_OP_TRADE_TARGET;
    petro_op_trade_target *tgt = &tx->ops[4].u.trade_target;
    memcpy(tgt->origin, "VE", 3);
    memcpy(tgt->destination, "CO", 3);
    tgt->asset = issued("USD");
    tgt->base_year = 2023;
    tgt->target_year = 2024;
    tgt->growth_bps = 1500;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(2)); k++;
    return k;
}

/* A USD contract from importer key 1 to exporter key 4 (zone 7), shipped within 10 days. */
static void trade_terms(petro_op *op, petro_amount amount, uint8_t allow_partial,
                        uint8_t doc_count, uint8_t approver_count, const int *approvers) {
    op->type = PETRO_OP_TRADE_CREATE;
    petro_op_trade_create *c = &op->u.trade_create;
    c->exporter = FUZZ_KEYS[4].pk;
    c->asset = issued("USD");
    c->amount = amount;
    c->hs_code = 270900;
    snprintf(c->description, sizeof c->description, "crude oil, Merey 16");
    c->quantity = 500 * PETRO_UNIT;
    snprintf(c->unit, sizeof c->unit, "bbl");
    c->incoterm = 4; /* FOB */
    memcpy(c->origin, "VE", 3);
    memcpy(c->destination, "CO", 3);
    static const uint8_t docs[] = {PETRO_DOC_COMMERCIAL_INVOICE, PETRO_DOC_BILL_OF_LADING};
    c->doc_count = doc_count;
    memcpy(c->doc_types, docs, doc_count);
    c->approver_count = approver_count;
    for (uint8_t i = 0; i < approver_count; i++) c->approvers[i] = FUZZ_KEYS[approvers[i]].pk;
    c->threshold = 1;
    c->allow_partial = allow_partial;
    c->shipment_deadline_ms = FUZZ_GENESIS_TS + 10 * FUZZ_DAY_MS;
    c->expiry_ms = FUZZ_GENESIS_TS + 20 * FUZZ_DAY_MS;
}

static void trade_present(petro_op *op, uint64_t id, uint8_t doc_type, const char *ref) {
    op->type = PETRO_OP_TRADE_PRESENT;
    op->u.trade_present.contract_id = id;
    op->u.trade_present.doc_type = doc_type;
    petro_hash_bytes(&op->u.trade_present.doc_hash, (const uint8_t *)ref, strlen(ref));
    snprintf(op->u.trade_present.reference, sizeof op->u.trade_present.reference, "%s", ref);
}

/* Trade (ops 30..38), txs 15..21 of the story: contract 1 is released in part, contract 2 is
 * amended, disputed and resolved; the refund of contract 1 fails (not expired). */
static size_t make_trade_txs(petro_tx *tx, uint8_t txs[SEED_TXS][PETRO_TX_SIZE_MAX],
                             size_t sizes[SEED_TXS], size_t k) {
    /* 15: key 1 creates and funds contracts 1 (partial, two documents, approver key 2) and
     * 2 (whole, the invoice only, approvers keys 0 and 2; one approval is enough). */
    tx_init(tx, 1, 6);
    tx->op_count = 4;
    trade_terms(&tx->ops[0], 40 * PETRO_UNIT, 1, 2, 1, (const int[]){2});
    tx->ops[1].type = PETRO_OP_TRADE_FUND;
    tx->ops[1].u.trade_id.contract_id = 1;
    trade_terms(&tx->ops[2], 20 * PETRO_UNIT, 0, 1, 2, (const int[]){0, 2});
    tx->ops[3].type = PETRO_OP_TRADE_FUND;
    tx->ops[3].u.trade_id.contract_id = 2;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(1)); k++;
    /* 16: the exporter presents both documents of contract 1. */
    tx_init(tx, 4, 3);
    tx->op_count = 2;
    trade_present(&tx->ops[0], 1, PETRO_DOC_COMMERCIAL_INVOICE, "INV-2023-0117");
    trade_present(&tx->ops[1], 1, PETRO_DOC_BILL_OF_LADING, "BL MRY-77/3");
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(4)); k++;
    /* 17: key 2 approves contract 1. */
    tx_init(tx, 2, 3);
    tx->op_count = 1;
    tx->ops[0].type = PETRO_OP_TRADE_APPROVE;
    tx->ops[0].u.trade_approve.contract_id = 1;
    tx->ops[0].u.trade_approve.approve = 1;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(2)); k++;
    /* 18: the exporter releases 15 USD of contract 1 (zone 7 takes its fee). */
    tx_init(tx, 4, 4);
    tx->op_count = 1;
    tx->ops[0].type = PETRO_OP_TRADE_RELEASE;
    tx->ops[0].u.trade_release.contract_id = 1;
    tx->ops[0].u.trade_release.amount = 15 * PETRO_UNIT;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(4)); k++;
    /* 19: key 1 raises contract 2 to 25 USD (countersigned by the exporter), then disputes. */
    tx_init(tx, 1, 7);
    tx->op_count = 2;
    tx->ops[0].type = PETRO_OP_TRADE_AMEND;
    petro_op_trade_amend *am = &tx->ops[0].u.trade_amend;
    am->contract_id = 2;
    am->amount = 25 * PETRO_UNIT;
    am->shipment_deadline_ms = FUZZ_GENESIS_TS + 12 * FUZZ_DAY_MS;
    am->expiry_ms = FUZZ_GENESIS_TS + 25 * FUZZ_DAY_MS;
    petro_hash net;
    fuzz_network_id(&net);
    petro_trade_amend_sign(&am->counter_sig, &net, 2, 0, am->amount, am->shipment_deadline_ms,
                           am->expiry_ms, &FUZZ_KEYS[4].sk);
    tx->ops[1].type = PETRO_OP_TRADE_DISPUTE;
    tx->ops[1].u.trade_dispute.contract_id = 2;
    tx->ops[1].u.trade_dispute.reason = 3;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(1)); k++;
    /* 20: approver key 0 settles contract 2: 10 USD to the exporter, the rest back. */
    tx_init(tx, 0, 5);
    tx->op_count = 1;
    tx->ops[0].type = PETRO_OP_TRADE_RESOLVE;
    tx->ops[0].u.trade_resolve.contract_id = 2;
    tx->ops[0].u.trade_resolve.exporter_amount = 10 * PETRO_UNIT;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(0)); k++;
    /* 21: key 1 asks a refund of contract 1 before its expiry: the op fails. */
    tx_init(tx, 1, 8);
    tx->op_count = 1;
    tx->ops[0].type = PETRO_OP_TRADE_REFUND;
    tx->ops[0].u.trade_id.contract_id = 1;
    sizes[k] = tx_finish(tx, txs[k], SIGNERS(1)); k++;
    return k;
}

/* A small story over the fixture: new accounts, trust, issue, pay, multisig, thresholds, then
 * (txs 10..21) reserves, zones and trade settlement. */
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
    k = make_reserves_txs(tx, txs, sizes, k);
    k = make_trade_txs(tx, txs, sizes, k);
    if (k != SEED_TXS) fuzz_fail("seed tx count", NULL);
    free(tx);
    return k;
}

/* ---------------------------------------------------------------- one tx per op type */

#define SCHEMA_SEED UINT64_C(0x5C4E3A14) /* issue #14; changing it churns the seeds */
#define SCHEMA_TXS_MAX 256

/* One signed transaction per registered operation type, in registry order: key 0 (a funded
 * genesis account) sends it with sequences 1, 2, ... so the fuzz_block_apply seed includes
 * them all and each operation reaches its apply (which will mostly refuse random values). */
static size_t make_schema_txs(uint8_t (*txs)[PETRO_TX_SIZE_MAX], size_t *sizes) {
    petro_tx *tx = malloc(sizeof *tx);
    if (tx == NULL) die("malloc");
    op_build_rng rng = {SCHEMA_SEED};
    size_t k = 0;
    for (size_t f = 0; f < petro_family_count(); f++) {
        const petro_family_info *fam = petro_family_at(f);
        for (size_t i = 0; i < fam->op_count; i++) {
            const petro_op_schema *s = petro_family_op(fam, i);
            if (k >= SCHEMA_TXS_MAX) fuzz_fail("schema tx count", NULL);
            tx_init(tx, 0, k + 1);
            tx->op_count = 1;
            petro_result rc = op_build(&rng, &tx->ops[0], s, NULL);
            if (rc != PETRO_OK) fuzz_fail(s->name, petro_result_name(rc));
            sizes[k] = tx_finish(tx, txs[k], SIGNERS(0));
            k++;
        }
    }
    free(tx);
    return k;
}

static void hex_of(char *out, const uint8_t *bytes, size_t size) {
    petro_hex_encode(out, bytes, size);
}

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
        petro_ledger_create(&l, &store) != PETRO_OK ||
        petro_ledger_genesis(l, &h, &g) != PETRO_OK ||
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
        petro_result rc = petro_ledger_apply_tx(l, &res, tx, &id, mask);
        if (rc != PETRO_OK) fuzz_fail("seed tx refused", petro_result_name(rc));
        if (res.code != (seed_op_fails(i) ? PETRO_ERR_OP_FAILED : PETRO_OK)) {
            char what[96];
            snprintf(what, sizeof what, "seed tx %zu: op 0 %s, op 1 %s", i,
                     petro_result_name((petro_result)res.op_codes[0]),
                     petro_result_name((petro_result)res.op_codes[1]));
            fuzz_fail("seed tx result", what);
        }
        if (used + 4 + sizes[i] > cap) fuzz_fail("block cap", NULL);
        uint32_t n = (uint32_t)sizes[i];
        out[used] = (uint8_t)n;
        out[used + 1] = (uint8_t)(n >> 8);
        out[used + 2] = (uint8_t)(n >> 16);
        out[used + 3] = (uint8_t)(n >> 24);
        memcpy(out + used + 4, txs[i], sizes[i]);
        used += 4 + sizes[i];
    }
    petro_ledger_tip tip;
    if (petro_ledger_tip_get(&store, &tip) != PETRO_OK) fuzz_fail("tip", NULL);
    if (petro_ledger_finish(l, &h, &FUZZ_KEYS[0].pk) != PETRO_OK) fuzz_fail("finish", NULL);
    if (petro_block_sign(&h, &tip.network_id, &FUZZ_KEYS[0].sk) != PETRO_OK) {
        fuzz_fail("sign", NULL);
    }
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

    static uint8_t schema_txs[SCHEMA_TXS_MAX][PETRO_TX_SIZE_MAX];
    size_t schema_sizes[SCHEMA_TXS_MAX];
    size_t schema_count = make_schema_txs(schema_txs, schema_sizes);

    /* fuzz_tx_decode: every story tx, a truncated one, then one tx per operation type. */
    for (size_t i = 0; i < count; i++) emit("fuzz_tx_decode", txs[i], sizes[i]);
    emit("fuzz_tx_decode", txs[0], sizes[0] / 2);
    for (size_t i = 0; i < schema_count; i++) {
        emit("fuzz_tx_decode", schema_txs[i], schema_sizes[i]);
    }

    /* fuzz_tx_body: bodies around one tx: the first three, then one of reserves, zones and
     * trade each. */
    static char hex[2 * PETRO_TX_SIZE_MAX + 1];
    static char body[2 * PETRO_TX_SIZE_MAX + 64];
    static const size_t body_txs[] = {0, 1, 2, SEED_TX_FIRST_RESERVES, SEED_TX_ZONES,
                                      SEED_TX_FIRST_TRADE};
    for (size_t j = 0; j < sizeof body_txs / sizeof body_txs[0]; j++) {
        size_t i = body_txs[j];
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

    /* fuzz_block_apply: records [flags][u16 size][envelope]; blocks of 1..5 txs; the story up
     * to tx 2, up to tx 9 and in full. */
    {
        static uint8_t rec[SEED_TXS * (3 + PETRO_TX_SIZE_MAX)];
        size_t used = 0;
        static const uint8_t ends[SEED_TXS] = {0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0,
                                               1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1};
        for (size_t i = 0; i < count; i++) {
            rec[used] = (uint8_t)(ends[i] ? 0x04u | ((i & 7u) << 3) : 0u);
            rec[used + 1] = (uint8_t)sizes[i];
            rec[used + 2] = (uint8_t)(sizes[i] >> 8);
            memcpy(rec + used + 3, txs[i], sizes[i]);
            used += 3 + sizes[i];
            if (i == 2 || i == SEED_TX_FIRST_RESERVES - 1 || i == count - 1) {
                emit("fuzz_block_apply", rec, used);
            }
        }
        /* The same story with the re-sign flag: the fuzzer may then mutate bodies freely. */
        for (size_t off = 0; off < used;) {
            rec[off] |= 0x03u;
            size_t n = (size_t)rec[off + 1] | ((size_t)rec[off + 2] << 8);
            off += 3 + n;
        }
        emit("fuzz_block_apply", rec, used);
        emit("fuzz_block_apply", block + 1, bsize); /* a valid block as raw input */
        /* One tx per operation type, one block (the fixture's network id, already signed). */
        used = 0;
        for (size_t i = 0; i < schema_count; i++) {
            if (used + 3 + schema_sizes[i] > sizeof rec) fuzz_fail("schema records", NULL);
            rec[used] = i + 1 == schema_count ? 0x04u : 0u;
            rec[used + 1] = (uint8_t)schema_sizes[i];
            rec[used + 2] = (uint8_t)(schema_sizes[i] >> 8);
            memcpy(rec + used + 3, schema_txs[i], schema_sizes[i]);
            used += 3 + schema_sizes[i];
        }
        emit("fuzz_block_apply", rec, used);
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
