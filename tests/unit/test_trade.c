/* Unit tests of the trade family over the in-memory store: the happy path (create, fund,
 * present every document, approve m of n, release), every failure path with its own code,
 * partial shipments summing exactly to the amount, refund, dispute and resolution,
 * amendments with one and two signatures (and a countersignature for another network), the
 * receiving zone's policy on releases, the invariants after every block (escrow counted), and
 * the turnover aggregates equal to a recomputation from the releases applied. */
#include "trade_fixture.h"

static petro_op_trade_create terms(petro_amount amount, uint8_t threshold, uint8_t partial) {
    petro_op_trade_create t;
    memset(&t, 0, sizeof t);
    t.exporter = K[K_EXP].pk;
    t.asset = petro_asset_native();
    t.amount = amount;
    t.hs_code = 870899; /* 87: vehicles, parts and accessories */
    snprintf(t.description, sizeof t.description, "Truck brake assemblies");
    t.quantity = 400 * UNIT;
    snprintf(t.unit, sizeof t.unit, "pcs");
    t.incoterm = 6; /* CIF */
    memcpy(t.origin, "BR", 3);
    memcpy(t.destination, "VE", 3);
    t.doc_count = 2;
    t.doc_types[0] = PETRO_DOC_BILL_OF_LADING;
    t.doc_types[1] = PETRO_DOC_INSPECTION_CERTIFICATE;
    t.approver_count = 3;
    t.approvers[0] = K[K_INS1].pk;
    t.approvers[1] = K[K_INS2].pk;
    t.approvers[2] = K[K_BANK].pk;
    t.threshold = threshold;
    t.allow_partial = partial;
    t.shipment_deadline_ms = T0 + 30 * DAY;
    t.expiry_ms = T0 + 60 * DAY;
    return t;
}

/* The same terms with dates from the open block's time. */
static petro_op_trade_create fresh(const fx *f, petro_op_trade_create t) {
    t.shipment_deadline_ms = f->ts + 30 * DAY;
    t.expiry_ms = f->ts + 60 * DAY;
    return t;
}

static petro_op op_create(petro_op_trade_create t) {
    return OP_PAYLOAD("trade_create", &t);
}
static petro_op op_id(uint8_t type, uint64_t id) {
    return OP_MAKE(op_name_of(type), OP_V("contract_id", &id));
}
static petro_op op_present(uint64_t id, uint8_t type, const char *ref) {
    petro_hash hash;
    petro_hash_bytes(&hash, (const uint8_t *)ref, strlen(ref));
    return OP_MAKE("trade_present", OP_V("contract_id", &id), OP_V("document", &type),
                   OP_V("document_hash", &hash), OP_V("reference", ref));
}
static petro_op op_approve(uint64_t id, uint8_t approve, uint16_t reason) {
    return OP_MAKE("trade_approve", OP_V("contract_id", &id), OP_V("approve", &approve),
                   OP_V("reason", &reason));
}
static petro_op op_release(uint64_t id, petro_amount amount) {
    return OP_MAKE("trade_release", OP_V("contract_id", &id), OP_V("amount", &amount));
}
static petro_op op_dispute(uint64_t id, uint16_t reason) {
    return OP_MAKE("trade_dispute", OP_V("contract_id", &id), OP_V("reason", &reason));
}
static petro_op op_resolve(uint64_t id, petro_amount to_exporter) {
    return OP_MAKE("trade_resolve", OP_V("contract_id", &id),
                   OP_V("exporter_amount", &to_exporter));
}
/* An amendment countersigned (counter_sig) by signer for the network net, or left unsigned if
 * signer < 0. */
static petro_op op_amend_on(fx *f, const petro_hash *net, uint64_t id, petro_amount amount,
                            uint64_t deadline, uint64_t expiry, int signer) {
    petro_trade_contract c;
    ASSERT_OK(petro_trade_get(&f->store, &c, id));
    petro_sig sig;
    memset(&sig, 0, sizeof sig);
    if (signer >= 0) {
        petro_trade_amend_sign(&sig, net, id, c.amend_count, amount, deadline, expiry,
                               &K[signer].sk);
    }
    return OP_MAKE("trade_amend", OP_V("contract_id", &id), OP_V("amount", &amount),
                   OP_V("shipment_deadline_ms", &deadline), OP_V("expiry_ms", &expiry),
                   OP_V("counter_sig", &sig));
}
/* The same on the fixture's own network. */
static petro_op op_amend(fx *f, uint64_t id, petro_amount amount, uint64_t deadline,
                         uint64_t expiry, int signer) {
    return op_amend_on(f, &f->net, id, amount, deadline, expiry, signer);
}

static petro_trade_contract contract(fx *f, uint64_t id) {
    petro_trade_contract c;
    ASSERT_OK(petro_trade_get(&f->store, &c, id));
    return c;
}

/* Create and fund a contract in the open block; returns its id (committed). */
static uint64_t funded(fx *f, petro_op_trade_create t) {
    EXPECT_OP(f, K_IMP, op_create(t), PETRO_OK);
    fx_sync(f, 1000);
    uint64_t id = 0;
    for (uint64_t i = 1;; i++) {
        petro_trade_contract c;
        if (petro_trade_get(&f->store, &c, i) != PETRO_OK) break;
        id = i;
    }
    ASSERT_TRUE(id > 0);
    EXPECT_OP(f, K_IMP, op_id(PETRO_OP_TRADE_FUND, id), PETRO_OK);
    return id;
}

static void present_all(fx *f, uint64_t id, const char *suffix) {
    char ref[64];
    snprintf(ref, sizeof ref, "BL-SSZ-%s", suffix);
    EXPECT_OP(f, K_EXP, op_present(id, PETRO_DOC_BILL_OF_LADING, ref), PETRO_OK);
    snprintf(ref, sizeof ref, "SGS-INS-%s", suffix);
    EXPECT_OP(f, K_EXP, op_present(id, PETRO_DOC_INSPECTION_CERTIFICATE, ref), PETRO_OK);
}

/* ---------------------------------------------------------------- turnover recomputation */

typedef struct release_rec {
    uint32_t month;
    uint32_t zone;
    char pair[5];
    uint8_t chapter;
    petro_amount value;
} release_rec;
static release_rec RELEASES[64];
static size_t RELEASE_COUNT;

static void note_release(fx *f, uint64_t id, petro_amount value) {
    petro_trade_contract c = contract(f, id);
    petro_account exp;
    ASSERT_OK(petro_state_get_account(&f->store, &exp, &c.terms.exporter));
    release_rec *r = &RELEASES[RELEASE_COUNT++];
    r->month = petro_trade_month(f->ts);
    r->zone = exp.zone_id;
    snprintf(r->pair, sizeof r->pair, "%s%s", c.terms.origin, c.terms.destination);
    r->chapter = (uint8_t)(c.terms.hs_code / 10000);
    r->value = value;
}

typedef struct stat_check {
    uint8_t group;
    uint64_t records, count_sum;
    petro_amount value_sum;
} stat_check;

static int check_stat(void *v, const petro_trade_stat *s) {
    stat_check *sc = v;
    uint64_t count = 0;
    petro_amount value = 0;
    for (size_t i = 0; i < RELEASE_COUNT; i++) {
        const release_rec *r = &RELEASES[i];
        if (r->month != s->month) continue;
        bool match = true;
        if (s->group == PETRO_STATS_ZONE) match = r->zone == s->zone_id;
        if (s->group == PETRO_STATS_COUNTRY_PAIR) {
            char pair[5];
            snprintf(pair, sizeof pair, "%s%s", s->origin, s->destination);
            match = strcmp(pair, r->pair) == 0;
        }
        if (s->group == PETRO_STATS_HS_CHAPTER) match = r->chapter == s->hs_chapter;
        if (!match) continue;
        count++;
        value += r->value;
    }
    ASSERT_EQ(s->group, sc->group);
    ASSERT_EQ(s->count, count);
    ASSERT_EQ(s->value, value);
    ASSERT_TRUE(petro_asset_equal(&s->asset, &(petro_asset){.kind = PETRO_ASSET_NATIVE,
                                                             .code = "PTR"}) ||
                s->asset.kind == PETRO_ASSET_NATIVE);
    sc->records++;
    sc->count_sum += s->count;
    sc->value_sum += s->value;
    return 0;
}

static void check_stats(fx *f) {
    static const uint8_t groups[] = {PETRO_STATS_TOTAL, PETRO_STATS_ZONE,
                                     PETRO_STATS_COUNTRY_PAIR, PETRO_STATS_HS_CHAPTER};
    petro_amount total = 0;
    for (size_t i = 0; i < RELEASE_COUNT; i++) total += RELEASES[i].value;
    for (size_t g = 0; g < sizeof groups; g++) {
        stat_check sc = {groups[g], 0, 0, 0};
        ASSERT_OK(petro_trade_each_stat(&f->store, groups[g], check_stat, &sc));
        /* Every release lands in exactly one record of each group. */
        ASSERT_EQ(sc.count_sum, RELEASE_COUNT);
        ASSERT_EQ(sc.value_sum, total);
    }
}

/* ---------------------------------------------------------------- tests */

static void test_pure_helpers(void) {
    ASSERT_EQ(petro_trade_month(0), 197001u);
    ASSERT_EQ(petro_trade_month(T0), 202601u);
    ASSERT_EQ(petro_trade_month(T0 - 1), 202512u);
    ASSERT_EQ(petro_trade_month(951782400000ull), 200002u);  /* 2000-02-29 */
    ASSERT_EQ(petro_trade_month(951868800000ull), 200003u);  /* 2000-03-01 */
    ASSERT_EQ(petro_trade_month(4107542400000ull), 210003u); /* 2100-03-01 */
    uint8_t v;
    ASSERT_TRUE(petro_trade_doc_from_name(&v, "bill_of_lading") && v == PETRO_DOC_BILL_OF_LADING);
    ASSERT_TRUE(!petro_trade_doc_from_name(&v, "receipt"));
    ASSERT_TRUE(petro_trade_incoterm_from_name(&v, "FOB") && v == 4);
    ASSERT_STREQ(petro_trade_state_name(PETRO_TRADE_FUNDED), "funded");
}

static void test_static(void) {
    petro_op ops[9];
    ops[0] = op_create(terms(100 * UNIT, 2, 1));
    ops[1] = op_id(PETRO_OP_TRADE_FUND, 7);
    ops[2] = op_present(7, PETRO_DOC_BILL_OF_LADING, "BL-1");
    ops[3] = op_approve(7, 0, 12);
    ops[4] = op_release(7, 5 * UNIT);
    ops[5] = op_id(PETRO_OP_TRADE_REFUND, 7);
    ops[6] = op_dispute(7, 3);
    ops[7] = op_resolve(7, 0);
    memset(&ops[8], 0, sizeof ops[8]);
    ops[8].type = PETRO_OP_TRADE_AMEND;
    ops[8].u.trade_amend.contract_id = 7;
    ops[8].u.trade_amend.amount = UNIT;
    ops[8].u.trade_amend.shipment_deadline_ms = 1;
    ops[8].u.trade_amend.expiry_ms = 2;
    for (size_t i = 0; i < 9; i++) roundtrip(&ops[i]);

    petro_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.fee = PETRO_BASE_FEE;
    tx.op_count = 1;
    petro_op_trade_create t = terms(100 * UNIT, 2, 0);
#define BAD_TERMS(mutate, want)                                                               \
    do {                                                                                      \
        t = terms(100 * UNIT, 2, 0);                                                          \
        mutate;                                                                               \
        tx.ops[0] = op_create(t);                                                             \
        ASSERT_RESULT(petro_tx_check(&tx), want);                                             \
    } while (0)
    BAD_TERMS(t.threshold = 4, PETRO_ERR_TRADE_BAD_TERMS);
    BAD_TERMS(t.threshold = 0, PETRO_ERR_TRADE_BAD_TERMS);
    BAD_TERMS(t.doc_types[1] = PETRO_DOC_BILL_OF_LADING, PETRO_ERR_TRADE_BAD_TERMS);
    BAD_TERMS(t.doc_types[1] = 9, PETRO_ERR_TRADE_BAD_TERMS);
    BAD_TERMS(t.doc_count = 0, PETRO_ERR_TRADE_BAD_TERMS);
    BAD_TERMS(t.approvers[1] = t.approvers[0], PETRO_ERR_TRADE_BAD_TERMS);
    BAD_TERMS(t.expiry_ms = t.shipment_deadline_ms, PETRO_ERR_TRADE_BAD_TERMS);
    BAD_TERMS(t.hs_code = 999, PETRO_ERR_TRADE_BAD_TERMS);
    BAD_TERMS(t.incoterm = 12, PETRO_ERR_TRADE_BAD_TERMS);
    BAD_TERMS(t.amount = 0, PETRO_ERR_AMOUNT_ZERO);
    BAD_TERMS(memcpy(t.origin, "ve", 3), PETRO_ERR_ZONE_BAD_COUNTRY);
    BAD_TERMS(t.description[0] = '\n', PETRO_ERR_BAD_TEXT);
    tx.ops[0] = op_approve(7, 0, 0);
    ASSERT_RESULT(petro_tx_check(&tx), PETRO_ERR_TRADE_BAD_REASON);
    tx.ops[0] = op_dispute(7, 0);
    ASSERT_RESULT(petro_tx_check(&tx), PETRO_ERR_TRADE_BAD_REASON);
    tx.ops[0] = op_id(PETRO_OP_TRADE_FUND, 0);
    ASSERT_RESULT(petro_tx_check(&tx), PETRO_ERR_TRADE_NO_CONTRACT);
    tx.ops[0] = op_present(7, 0, "x");
    ASSERT_RESULT(petro_tx_check(&tx), PETRO_ERR_TRADE_DOC_NOT_REQUIRED);
}

static void test_happy_path(void) {
    fx f;
    fx_init(&f);
    RELEASE_COUNT = 0;
    const petro_asset ptr = petro_asset_native();
    petro_amount imp0 = balance(&f, K_IMP, ptr), exp0 = balance(&f, K_EXP, ptr);
    petro_asset_info info0 = asset_info(&f, ptr);
    uint64_t id = funded(&f, terms(1000 * UNIT, 2, 0));
    ASSERT_EQ(id, 1u);
    fx_sync(&f, 1000);
    petro_trade_contract c = contract(&f, id);
    ASSERT_EQ(c.state, PETRO_TRADE_FUNDED);
    ASSERT_EQ(c.locked, 1000 * UNIT);
    ASSERT_TRUE(petro_pubkey_equal(&c.importer, &K[K_IMP].pk));
    /* create + fund: two fees and the locked amount. */
    ASSERT_EQ(balance(&f, K_IMP, ptr), imp0 - 1000 * UNIT - 2 * PETRO_BASE_FEE);

    present_all(&f, id, "1");
    fx_sync(&f, 1000);
    EXPECT_OP(&f, K_INS1, op_approve(id, 1, 0), PETRO_OK);
    EXPECT_OP(&f, K_BANK, op_approve(id, 1, 0), PETRO_OK);
    fx_sync(&f, 1000);
    EXPECT_OP(&f, K_EXP, op_release(id, 0), PETRO_OK);
    note_release(&f, id, 1000 * UNIT);
    fx_sync(&f, 1000);
    c = contract(&f, id);
    ASSERT_EQ(c.state, PETRO_TRADE_RELEASED);
    ASSERT_EQ(c.locked, 0);
    ASSERT_EQ(c.released, 1000 * UNIT);
    ASSERT_EQ(c.release_count, 1u);
    /* The exporter has no zone: no fee; it paid 3 tx fees (2 presents, 1 release). */
    ASSERT_EQ(balance(&f, K_EXP, ptr), exp0 + 1000 * UNIT - 3 * PETRO_BASE_FEE);
    petro_asset_info info1 = asset_info(&f, ptr);
    ASSERT_EQ(info1.burned - info0.burned, 7 * PETRO_BASE_FEE); /* 7 transactions */

    /* The documents record who presented what and when. */
    ASSERT_OK(petro_trade_get(&f.store, &c, id));
    check_stats(&f);
    fx_free(&f);
}

static int count_docs(void *v, const petro_trade_document *d) {
    int *n = v;
    ASSERT_TRUE(petro_pubkey_equal(&d->presenter, &K[K_EXP].pk));
    ASSERT_TRUE(d->time_ms > T0);
    (*n)++;
    return 0;
}

static void test_failure_paths(void) {
    fx f;
    fx_init(&f);
    RELEASE_COUNT = 0;
    const petro_asset ptr = petro_asset_native();
    /* Creation. */
    petro_op_trade_create t = terms(1000 * UNIT, 2, 0);
    t.exporter = K[K_IMP].pk;
    EXPECT_OP(&f, K_IMP, op_create(t), PETRO_ERR_TRADE_SELF_DEALING);
    t = terms(1000 * UNIT, 2, 0);
    t.approvers[0] = K[K_EXP].pk;
    EXPECT_OP(&f, K_IMP, op_create(t), PETRO_ERR_TRADE_SELF_DEALING);
    t = terms(1000 * UNIT, 2, 0);
    memset(t.exporter.bytes, 0x42, 32);
    EXPECT_OP(&f, K_IMP, op_create(t), PETRO_ERR_TRADE_NO_EXPORTER);
    t = terms(1000 * UNIT, 2, 0);
    memset(t.approvers[2].bytes, 0x43, 32);
    EXPECT_OP(&f, K_IMP, op_create(t), PETRO_ERR_TRADE_NO_APPROVER_ACCOUNT);
    t = terms(1000 * UNIT, 2, 0);
    t.shipment_deadline_ms = T0; /* already passed */
    EXPECT_OP(&f, K_IMP, op_create(t), PETRO_ERR_TRADE_DEADLINE_PASSED);
    t = terms(1000 * UNIT, 2, 0);
    t.asset = usd();
    snprintf(t.asset.code, sizeof t.asset.code, "EUR");
    EXPECT_OP(&f, K_IMP, op_create(t), PETRO_ERR_NO_ASSET);
    EXPECT_OP(&f, K_IMP, op_id(PETRO_OP_TRADE_FUND, 99), PETRO_ERR_TRADE_NO_CONTRACT);

    /* A created, unfunded contract. */
    EXPECT_OP(&f, K_IMP, op_create(terms(1000 * UNIT, 2, 0)), PETRO_OK);
    fx_sync(&f, 1000);
    const uint64_t id = 1;
    EXPECT_OP(&f, K_EXP, op_present(id, PETRO_DOC_BILL_OF_LADING, "BL"),
              PETRO_ERR_TRADE_NOT_FUNDED);
    EXPECT_OP(&f, K_EXP, op_release(id, 0), PETRO_ERR_TRADE_NOT_FUNDED);
    EXPECT_OP(&f, K_EXP, op_id(PETRO_OP_TRADE_FUND, id), PETRO_ERR_TRADE_NOT_IMPORTER);
    EXPECT_OP(&f, K_IMP, op_id(PETRO_OP_TRADE_REFUND, id), PETRO_ERR_TRADE_NOT_FUNDED);
    EXPECT_OP(&f, K_IMP, op_id(PETRO_OP_TRADE_FUND, id), PETRO_OK);
    EXPECT_OP(&f, K_IMP, op_id(PETRO_OP_TRADE_FUND, id), PETRO_ERR_TRADE_ALREADY_FUNDED);
    fx_sync(&f, 1000);

    /* Documents. */
    EXPECT_OP(&f, K_IMP, op_present(id, PETRO_DOC_BILL_OF_LADING, "BL"),
              PETRO_ERR_TRADE_NOT_EXPORTER);
    EXPECT_OP(&f, K_EXP, op_present(id, PETRO_DOC_CERTIFICATE_OF_ORIGIN, "CO"),
              PETRO_ERR_TRADE_DOC_NOT_REQUIRED); /* wrong document type */
    EXPECT_OP(&f, K_EXP, op_present(id, PETRO_DOC_BILL_OF_LADING, "BL-1"), PETRO_OK);
    EXPECT_OP(&f, K_EXP, op_present(id, PETRO_DOC_BILL_OF_LADING, "BL-2"),
              PETRO_ERR_TRADE_DOC_PRESENTED);
    /* Missing document: approvals and release refused. */
    EXPECT_OP(&f, K_INS1, op_approve(id, 1, 0), PETRO_ERR_TRADE_DOCS_MISSING);
    EXPECT_OP(&f, K_EXP, op_release(id, 0), PETRO_ERR_TRADE_DOCS_MISSING);
    EXPECT_OP(&f, K_EXP, op_present(id, PETRO_DOC_INSPECTION_CERTIFICATE, "SGS-1"), PETRO_OK);
    fx_sync(&f, 1000);
    int docs = 0;
    ASSERT_OK(petro_trade_each_document(&f.store, id, count_docs, &docs));
    ASSERT_EQ(docs, 2);

    /* Approvals: release before approval, insufficient approvals, not an approver, twice. */
    EXPECT_OP(&f, K_EXP, op_release(id, 0), PETRO_ERR_TRADE_APPROVALS_LOW);
    EXPECT_OP(&f, K_OTHER, op_approve(id, 1, 0), PETRO_ERR_TRADE_NOT_APPROVER);
    EXPECT_OP(&f, K_INS1, op_approve(id, 1, 0), PETRO_OK);
    EXPECT_OP(&f, K_INS1, op_approve(id, 1, 0), PETRO_ERR_TRADE_ALREADY_VOTED);
    EXPECT_OP(&f, K_EXP, op_release(id, 0), PETRO_ERR_TRADE_APPROVALS_LOW);
    EXPECT_OP(&f, K_INS2, op_approve(id, 0, 17), PETRO_OK); /* a rejection does not count */
    EXPECT_OP(&f, K_EXP, op_release(id, 0), PETRO_ERR_TRADE_APPROVALS_LOW);
    fx_sync(&f, 1000);
    ASSERT_EQ(contract(&f, id).last_reason, 17);
    ASSERT_EQ(contract(&f, id).rejected_mask, 2);
    EXPECT_OP(&f, K_INS2, op_approve(id, 1, 0), PETRO_OK); /* changes its mind */
    /* Not a party; partial release not allowed; above the escrow. */
    EXPECT_OP(&f, K_OTHER, op_release(id, 0), PETRO_ERR_TRADE_NOT_PARTY);
    EXPECT_OP(&f, K_EXP, op_release(id, 10 * UNIT), PETRO_ERR_TRADE_PARTIAL_NOT_ALLOWED);
    EXPECT_OP(&f, K_EXP, op_release(id, 2000 * UNIT), PETRO_ERR_TRADE_EXCEEDS_ESCROW);
    /* Refund before expiry. */
    EXPECT_OP(&f, K_IMP, op_id(PETRO_OP_TRADE_REFUND, id), PETRO_ERR_TRADE_NOT_EXPIRED);
    EXPECT_OP(&f, K_EXP, op_id(PETRO_OP_TRADE_REFUND, id), PETRO_ERR_TRADE_NOT_IMPORTER);
    EXPECT_OP(&f, K_IMP, op_release(id, 0), PETRO_OK);
    note_release(&f, id, 1000 * UNIT);
    /* Double release; refund, dispute, fund after release. */
    EXPECT_OP(&f, K_EXP, op_release(id, 0), PETRO_ERR_TRADE_CLOSED);
    fx_sync(&f, 1000);
    EXPECT_OP(&f, K_EXP, op_release(id, 0), PETRO_ERR_TRADE_CLOSED);
    EXPECT_OP(&f, K_IMP, op_id(PETRO_OP_TRADE_REFUND, id), PETRO_ERR_TRADE_CLOSED);
    EXPECT_OP(&f, K_IMP, op_dispute(id, 1), PETRO_ERR_TRADE_CLOSED);
    EXPECT_OP(&f, K_IMP, op_id(PETRO_OP_TRADE_FUND, id), PETRO_ERR_TRADE_CLOSED);

    /* Refund after expiry, then release after refund. */
    fx_sync(&f, 1000);
    petro_amount before = balance(&f, K_IMP, ptr);
    uint64_t id2 = funded(&f, terms(300 * UNIT, 1, 0));
    fx_sync(&f, 1000);
    present_all(&f, id2, "2");
    EXPECT_OP(&f, K_INS1, op_approve(id2, 1, 0), PETRO_OK);
    fx_sync(&f, 61 * DAY); /* past the expiry */
    EXPECT_OP(&f, K_EXP, op_dispute(id2, 0 + 1), PETRO_OK);
    EXPECT_OP(&f, K_IMP, op_id(PETRO_OP_TRADE_REFUND, id2), PETRO_ERR_TRADE_DISPUTED);
    fx_sync(&f, 1000);
    /* Undo by resolution with everything back to the importer needs the threshold (1). */
    EXPECT_OP(&f, K_IMP, op_resolve(id2, 0), PETRO_ERR_TRADE_NOT_APPROVER);
    EXPECT_OP(&f, K_INS2, op_resolve(id2, 0), PETRO_OK);
    fx_sync(&f, 1000);
    ASSERT_EQ(contract(&f, id2).state, PETRO_TRADE_RESOLVED);
    ASSERT_EQ(balance(&f, K_IMP, ptr), before - 2 * PETRO_BASE_FEE - 2 * PETRO_BASE_FEE);
    EXPECT_OP(&f, K_EXP, op_release(id2, 0), PETRO_ERR_TRADE_CLOSED);

    uint64_t id3 = funded(&f, fresh(&f, terms(300 * UNIT, 1, 0)));
    fx_sync(&f, 1000);
    present_all(&f, id3, "3");
    EXPECT_OP(&f, K_INS1, op_approve(id3, 1, 0), PETRO_OK);
    fx_sync(&f, 61 * DAY);
    EXPECT_OP(&f, K_IMP, op_id(PETRO_OP_TRADE_REFUND, id3), PETRO_OK);
    fx_sync(&f, 1000);
    ASSERT_EQ(contract(&f, id3).state, PETRO_TRADE_REFUNDED);
    ASSERT_EQ(contract(&f, id3).refunded, 300 * UNIT);
    EXPECT_OP(&f, K_EXP, op_release(id3, 0), PETRO_ERR_TRADE_REFUNDED);     /* after refund */
    EXPECT_OP(&f, K_IMP, op_id(PETRO_OP_TRADE_REFUND, id3), PETRO_ERR_TRADE_REFUNDED);
    /* Funding after expiry. */
    EXPECT_OP(&f, K_IMP, op_create(terms(10 * UNIT, 1, 0)), PETRO_ERR_TRADE_DEADLINE_PASSED);
    /* Not enough balance to fund. */
    petro_op_trade_create big = terms(10 * UNIT, 1, 0);
    big.amount = 200000 * UNIT;
    big.shipment_deadline_ms = f.ts + DAY;
    big.expiry_ms = f.ts + 2 * DAY;
    EXPECT_OP(&f, K_IMP, op_create(big), PETRO_OK);
    fx_sync(&f, 1000);
    EXPECT_OP(&f, K_IMP, op_id(PETRO_OP_TRADE_FUND, id3 + 1), PETRO_ERR_BALANCE_LOW);
    fx_sync(&f, 1000);
    check_stats(&f);
    fx_free(&f);
}

static void test_partial_shipments(void) {
    fx f;
    fx_init(&f);
    RELEASE_COUNT = 0;
    const petro_asset ptr = petro_asset_native();
    petro_amount exp0 = balance(&f, K_EXP, ptr);
    uint64_t id = funded(&f, terms(1000 * UNIT, 2, 1));
    fx_sync(&f, 1000);
    static const petro_amount parts[] = {250 * UNIT, 333 * UNIT + 33333333, 0};
    petro_amount paid = 0;
    for (int i = 0; i < 3; i++) {
        char sfx[8];
        snprintf(sfx, sizeof sfx, "P%d", i);
        /* Each shipment needs its own documents and approvals. */
        EXPECT_OP(&f, K_INS1, op_approve(id, 1, 0), PETRO_ERR_TRADE_DOCS_MISSING);
        present_all(&f, id, sfx);
        EXPECT_OP(&f, K_INS1, op_approve(id, 1, 0), PETRO_OK);
        EXPECT_OP(&f, K_EXP, op_release(id, parts[i] == 0 ? UNIT : parts[i]),
                  PETRO_ERR_TRADE_APPROVALS_LOW);
        EXPECT_OP(&f, K_INS2, op_approve(id, 1, 0), PETRO_OK);
        petro_amount amount = parts[i] == 0 ? 1000 * UNIT - paid : parts[i];
        if (parts[i] == 0) {
            EXPECT_OP(&f, K_EXP, op_release(id, amount + 1), PETRO_ERR_TRADE_EXCEEDS_ESCROW);
        }
        EXPECT_OP(&f, K_EXP, op_release(id, amount), PETRO_OK);
        note_release(&f, id, amount);
        paid += amount;
        fx_sync(&f, 1000);
        petro_trade_contract c = contract(&f, id);
        ASSERT_EQ(c.locked + c.released, 1000 * UNIT);
        ASSERT_EQ(c.shipment, (uint32_t)(i + 2));
    }
    petro_trade_contract c = contract(&f, id);
    ASSERT_EQ(c.state, PETRO_TRADE_RELEASED);
    ASSERT_EQ(c.released, 1000 * UNIT);
    ASSERT_EQ(c.release_count, 3u);
    ASSERT_EQ(balance(&f, K_EXP, ptr), exp0 + 1000 * UNIT - 13 * PETRO_BASE_FEE);
    int docs = 0;
    ASSERT_OK(petro_trade_each_document(&f.store, id, count_docs, &docs));
    ASSERT_EQ(docs, 6);
    check_stats(&f);
    fx_free(&f);
}

static void test_amend(void) {
    fx f;
    fx_init(&f);
    RELEASE_COUNT = 0;
    const petro_asset ptr = petro_asset_native();
    uint64_t id = funded(&f, terms(1000 * UNIT, 1, 1));
    fx_sync(&f, 1000);
    petro_amount imp = balance(&f, K_IMP, ptr);
    /* One signature only (none, or the source's own): refused. */
    EXPECT_OP(&f, K_IMP, op_amend(&f, id, 1200 * UNIT, T0 + 40 * DAY, T0 + 70 * DAY, -1),
              PETRO_ERR_TRADE_BAD_COUNTER_SIG);
    EXPECT_OP(&f, K_IMP, op_amend(&f, id, 1200 * UNIT, T0 + 40 * DAY, T0 + 70 * DAY, K_IMP),
              PETRO_ERR_TRADE_BAD_COUNTER_SIG);
    EXPECT_OP(&f, K_OTHER, op_amend(&f, id, 1200 * UNIT, T0 + 40 * DAY, T0 + 70 * DAY, K_EXP),
              PETRO_ERR_TRADE_NOT_PARTY);
    /* The other party's countersignature for another network (same keys, contract id and
     * amend count, e.g. a test network's): refused. */
    petro_hash other_net = f.net;
    other_net.bytes[0] ^= 1;
    EXPECT_OP(&f, K_IMP,
              op_amend_on(&f, &other_net, id, 1200 * UNIT, T0 + 40 * DAY, T0 + 70 * DAY, K_EXP),
              PETRO_ERR_TRADE_BAD_COUNTER_SIG);
    /* Both: the importer submits, the exporter countersigns; the extra 200 is locked. */
    petro_op amend = op_amend(&f, id, 1200 * UNIT, T0 + 40 * DAY, T0 + 70 * DAY, K_EXP);
    EXPECT_OP(&f, K_IMP, amend, PETRO_OK);
    fx_sync(&f, 1000);
    /* Replaying the same countersignature fails: it covered amend_count 0. */
    EXPECT_OP(&f, K_IMP, amend, PETRO_ERR_TRADE_BAD_COUNTER_SIG);
    petro_trade_contract c = contract(&f, id);
    ASSERT_EQ(c.terms.amount, 1200 * UNIT);
    ASSERT_EQ(c.locked, 1200 * UNIT);
    ASSERT_EQ(c.terms.expiry_ms, T0 + 70 * DAY);
    ASSERT_EQ(c.amend_count, 1u);
    ASSERT_EQ(balance(&f, K_IMP, ptr), imp - 200 * UNIT - 4 * PETRO_BASE_FEE);
    /* Release 500, then the exporter lowers the amount (the importer countersigns). */
    present_all(&f, id, "A");
    EXPECT_OP(&f, K_INS1, op_approve(id, 1, 0), PETRO_OK);
    EXPECT_OP(&f, K_EXP, op_release(id, 500 * UNIT), PETRO_OK);
    note_release(&f, id, 500 * UNIT);
    fx_sync(&f, 1000);
    EXPECT_OP(&f, K_EXP, op_amend(&f, id, 400 * UNIT, T0 + 40 * DAY, T0 + 70 * DAY, K_IMP),
              PETRO_ERR_TRADE_AMEND_BELOW_RELEASED);
    imp = balance(&f, K_IMP, ptr);
    EXPECT_OP(&f, K_EXP, op_amend(&f, id, 900 * UNIT, T0 + 40 * DAY, T0 + 70 * DAY, K_IMP),
              PETRO_OK);
    fx_sync(&f, 1000);
    c = contract(&f, id);
    ASSERT_EQ(c.locked, 400 * UNIT);
    ASSERT_EQ(balance(&f, K_IMP, ptr), imp + 300 * UNIT);
    check_stats(&f);
    fx_free(&f);
}

static void test_dispute(void) {
    fx f;
    fx_init(&f);
    RELEASE_COUNT = 0;
    const petro_asset ptr = petro_asset_native();
    uint64_t id = funded(&f, terms(1000 * UNIT, 2, 0));
    fx_sync(&f, 1000);
    EXPECT_OP(&f, K_INS1, op_resolve(id, 0), PETRO_ERR_TRADE_NOT_DISPUTED);
    EXPECT_OP(&f, K_OTHER, op_dispute(id, 4), PETRO_ERR_TRADE_NOT_PARTY);
    EXPECT_OP(&f, K_IMP, op_dispute(id, 4), PETRO_OK);
    EXPECT_OP(&f, K_EXP, op_dispute(id, 4), PETRO_ERR_TRADE_DISPUTED);
    EXPECT_OP(&f, K_EXP, op_present(id, PETRO_DOC_BILL_OF_LADING, "BL"), PETRO_ERR_TRADE_DISPUTED);
    fx_sync(&f, 1000);
    petro_amount imp = balance(&f, K_IMP, ptr), exp = balance(&f, K_EXP, ptr);
    EXPECT_OP(&f, K_INS1, op_resolve(id, 600 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_INS1, op_resolve(id, 600 * UNIT), PETRO_ERR_TRADE_ALREADY_VOTED);
    EXPECT_OP(&f, K_INS2, op_resolve(id, 2000 * UNIT), PETRO_ERR_TRADE_EXCEEDS_ESCROW);
    EXPECT_OP(&f, K_INS2, op_resolve(id, 500 * UNIT), PETRO_OK); /* another split: restart */
    fx_sync(&f, 1000);
    ASSERT_EQ(contract(&f, id).state, PETRO_TRADE_DISPUTED);
    EXPECT_OP(&f, K_BANK, op_resolve(id, 500 * UNIT), PETRO_OK); /* 2 of 3 for 500 */
    note_release(&f, id, 500 * UNIT);
    fx_sync(&f, 1000);
    petro_trade_contract c = contract(&f, id);
    ASSERT_EQ(c.state, PETRO_TRADE_RESOLVED);
    ASSERT_EQ(c.released, 500 * UNIT);
    ASSERT_EQ(c.refunded, 500 * UNIT);
    ASSERT_EQ(balance(&f, K_IMP, ptr), imp + 500 * UNIT);
    ASSERT_EQ(balance(&f, K_EXP, ptr), exp + 500 * UNIT);
    EXPECT_OP(&f, K_INS1, op_resolve(id, 0), PETRO_ERR_TRADE_CLOSED);
    check_stats(&f);
    fx_free(&f);
}

static void test_zone_policy_on_release(void) {
    fx f;
    fx_init(&f);
    RELEASE_COUNT = 0;
    const petro_asset ptr = petro_asset_native();
    /* The exporter moves into zone CO (50 bps, limit 5000, tier 1); the importer has tier 2. */
    petro_op assign;
    memset(&assign, 0, sizeof assign);
    assign.type = PETRO_OP_ZONE_ASSIGN;
    assign.u.zone_assign.account = K[K_EXP].pk;
    assign.u.zone_assign.zone_id = ZONE_CO;
    EXPECT_OP(&f, K_ZAUTH, assign, PETRO_OK);
    fx_sync(&f, 1000);
    /* Above the zone's per-transaction limit: the release is refused, escrow intact. */
    uint64_t id = funded(&f, terms(6000 * UNIT, 1, 1));
    fx_sync(&f, 1000);
    present_all(&f, id, "Z");
    EXPECT_OP(&f, K_INS1, op_approve(id, 1, 0), PETRO_OK);
    EXPECT_OP(&f, K_EXP, op_release(id, 0), PETRO_ERR_ZONE_LIMIT_EXCEEDED);
    fx_sync(&f, 1000);
    petro_amount exp = balance(&f, K_EXP, ptr);
    petro_asset_info info = asset_info(&f, ptr);
    EXPECT_OP(&f, K_EXP, op_release(id, 4000 * UNIT), PETRO_OK);
    note_release(&f, id, 4000 * UNIT);
    fx_sync(&f, 1000);
    /* 0.5% of 4000 = 20 destroyed; the exporter gets 3980 less its fee. */
    ASSERT_EQ(balance(&f, K_EXP, ptr), exp + 3980 * UNIT - PETRO_BASE_FEE);
    ASSERT_EQ(asset_info(&f, ptr).burned - info.burned, 20 * UNIT + PETRO_BASE_FEE);
    ASSERT_EQ(contract(&f, id).locked, 2000 * UNIT);
    check_stats(&f);
    fx_free(&f);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    ASSERT_OK(petro_crypto_init());
    keys_init();
    RUN_TEST(test_pure_helpers);
    RUN_TEST(test_static);
    RUN_TEST(test_happy_path);
    RUN_TEST(test_failure_paths);
    RUN_TEST(test_partial_shipments);
    RUN_TEST(test_amend);
    RUN_TEST(test_dispute);
    RUN_TEST(test_zone_policy_on_release);
    return 0;
}
