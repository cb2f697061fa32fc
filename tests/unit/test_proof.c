/* Unit tests of the proof of reserves: the Merkle sum tree (shapes, padding, sum bounds,
 * determinism, lock leaves after balance leaves), a checkpoint over a ledger of 1,000+ holders
 * with a proof generated and verified for every one of them, and tampered proofs (changed
 * balance, changed sibling sum, swapped order, wrong salt, forged checkpoint, total above the
 * reserves) each rejected by the check that names what is wrong; then funded trade contracts
 * (issue #15): the checkpoint still builds, its total is the supply, each escrow is a lock
 * leaf its importer can prove, and a tampered lock is refused. */
#include "test.h"
#include "op_build.h"

#include "petro/petro.h"

#define UNIT PETRO_UNIT
#define T0 1700000000000ull
#define HOLDERS 1000

typedef struct keypair { petro_pubkey pk; petro_seckey sk; } keypair;
static keypair treas, aud, validator;
static keypair holders[HOLDERS];

static void keypair_init(keypair *k, uint32_t n) {
    uint8_t seed[32];
    memset(seed, 0, sizeof seed);
    for (int i = 0; i < 4; i++) seed[i] = (uint8_t)(n >> (8 * i));
    seed[31] = 0x5e;
    ASSERT_OK(petro_keypair_from_seed(&k->pk, &k->sk, seed));
}

static petro_sum_leaf *sorted_leaves(uint64_t n) {
    petro_sum_leaf *l = calloc(n ? n : 1, sizeof *l);
    ASSERT_TRUE(l != NULL);
    for (uint64_t i = 0; i < n; i++) {
        /* Ascending accounts: the index big-endian in the first bytes. */
        for (int b = 0; b < 8; b++) l[i].account.bytes[b] = (uint8_t)(i >> (56 - 8 * b));
        l[i].account.bytes[31] = 0x11;
        l[i].balance = (petro_amount)(i * 7 + 1) * UNIT;
    }
    return l;
}

static void sign_cp(petro_checkpoint *c) { petro_checkpoint_sign(c, &validator.pk, &validator.sk); }

/* A proof for index of a tree built over leaves, with a signed checkpoint. */
static void proof_for(petro_proof *p, const petro_sum_tree *t, const petro_sum_leaf *leaves,
                      const petro_hash *block_hash, uint64_t index) {
    memset(p, 0, sizeof *p);
    ASSERT_OK(petro_sum_tree_proof(t, leaves, index, p));
    petro_checkpoint *c = &p->checkpoint;
    c->height = 100;
    c->block_hash = *block_hash;
    c->asset = petro_asset_native();
    petro_proof_salt(&p->salt, block_hash, &c->asset);
    petro_sum_node root = petro_sum_tree_root(t);
    c->root = root.hash;
    c->total = root.sum;
    c->leaf_count = t->leaf_count;
    c->lock_count = t->lock_count;
    c->attested = root.sum + UNIT;
    c->cap = root.sum + UNIT;
    sign_cp(c);
}

static void test_tree_shapes(void) {
    petro_hash bh;
    petro_hash_bytes(&bh, (const uint8_t *)"block", 5);
    petro_hash salt;
    petro_asset ptr = petro_asset_native();
    petro_proof_salt(&salt, &bh, &ptr);
    /* Empty tree: the empty node. */
    petro_sum_tree t;
    ASSERT_OK(petro_sum_tree_build(&t, &salt, NULL, 0));
    petro_sum_node empty, root = petro_sum_tree_root(&t);
    petro_proof_empty(&empty);
    ASSERT_MEMEQ(root.hash.bytes, empty.hash.bytes, 32);
    ASSERT_EQ(root.sum, 0);
    petro_sum_tree_free(&t);
    /* Every size from 1 to 33: depth, total, and every proof verifies. */
    for (uint64_t n = 1; n <= 33; n++) {
        petro_sum_leaf *l = sorted_leaves(n);
        ASSERT_OK(petro_sum_tree_build(&t, &salt, l, n));
        uint32_t depth = 0;
        while (((uint64_t)1 << depth) < n) depth++;
        ASSERT_EQ(t.depth, depth);
        root = petro_sum_tree_root(&t);
        petro_amount want = 0;
        for (uint64_t i = 0; i < n; i++) want += l[i].balance;
        ASSERT_EQ(root.sum, want);
        for (uint64_t i = 0; i < n; i++) {
            petro_proof p;
            proof_for(&p, &t, l, &bh, i);
            ASSERT_EQ(petro_proof_verify(&p), 0);
        }
        if (n == 1) { /* a single leaf is the root */
            petro_sum_node leaf;
            petro_proof_leaf(&leaf, &salt, &l[0].account, l[0].balance);
            ASSERT_MEMEQ(root.hash.bytes, leaf.hash.bytes, 32);
        }
        if (n == 3) { /* padding: root = node(node(l0, l1), node(l2, empty)) */
            petro_sum_node a, b, c, ab, cd, r;
            petro_proof_leaf(&a, &salt, &l[0].account, l[0].balance);
            petro_proof_leaf(&b, &salt, &l[1].account, l[1].balance);
            petro_proof_leaf(&c, &salt, &l[2].account, l[2].balance);
            ASSERT_OK(petro_proof_parent(&ab, &a, &b));
            ASSERT_OK(petro_proof_parent(&cd, &c, &empty));
            ASSERT_OK(petro_proof_parent(&r, &ab, &cd));
            ASSERT_MEMEQ(root.hash.bytes, r.hash.bytes, 32);
            ASSERT_EQ(root.sum, r.sum);
        }
        petro_sum_tree_free(&t);
        free(l);
    }
    /* Unsorted or duplicate accounts, negative balances, overflowing totals: refused. */
    petro_sum_leaf *l = sorted_leaves(4);
    petro_sum_leaf keep = l[1];
    l[1] = l[2];
    l[2] = keep;
    ASSERT_RESULT(petro_sum_tree_build(&t, &salt, l, 4), PETRO_ERR_MALFORMED);
    l[2] = l[1];
    ASSERT_RESULT(petro_sum_tree_build(&t, &salt, l, 4), PETRO_ERR_MALFORMED);
    free(l);
    l = sorted_leaves(4);
    l[3].balance = -1;
    ASSERT_RESULT(petro_sum_tree_build(&t, &salt, l, 4), PETRO_ERR_AMOUNT_NEGATIVE);
    l[3].balance = PETRO_SUPPLY_MAX;
    ASSERT_RESULT(petro_sum_tree_build(&t, &salt, l, 4), PETRO_ERR_AMOUNT_TOO_LARGE);
    free(l);
    petro_sum_node big = {.sum = PETRO_SUPPLY_MAX}, neg = {.sum = -5}, out;
    ASSERT_RESULT(petro_proof_parent(&out, &big, &big), PETRO_ERR_AMOUNT_TOO_LARGE);
    ASSERT_RESULT(petro_proof_parent(&out, &neg, &empty), PETRO_ERR_AMOUNT_NEGATIVE);
    /* Salt: another block, another asset, another salt. */
    petro_hash bh2, salt2;
    petro_hash_bytes(&bh2, (const uint8_t *)"other", 5);
    petro_proof_salt(&salt2, &bh2, &ptr);
    ASSERT_TRUE(!petro_hash_equal(&salt, &salt2));
}

/* ---------------------------------------------------------------- a ledger of 1,000 holders */

static int acct_cmp(const void *a, const void *b) {
    return petro_pubkey_cmp(&((const petro_genesis_account *)a)->id,
                            &((const petro_genesis_account *)b)->id);
}

typedef struct chain {
    petro_store store;
    petro_store_mem *mem;
    petro_ledger *l;
    petro_hash net;
    uint64_t height, ts, seq;
} chain;

static void chain_init(chain *c) {
    memset(c, 0, sizeof *c);
    petro_genesis *g = calloc(1, sizeof *g);
    ASSERT_TRUE(g != NULL);
    snprintf(g->network_name, sizeof g->network_name, "petro-proof-test");
    g->net_kind = PETRO_NET_TEST;
    g->timestamp_ms = T0;
    g->treasury = treas.pk;
    g->account_count = 2;
    g->accounts[0].id = treas.pk;
    g->accounts[0].balance = 5000000 * UNIT;
    g->accounts[0].master_weight = 1;
    g->accounts[1].id = aud.pk;
    g->accounts[1].balance = 100 * UNIT;
    g->accounts[1].master_weight = 1;
    qsort(g->accounts, 2, sizeof g->accounts[0], acct_cmp);
    g->auditors = aud.pk;
    g->reserve_count = 1;
    g->reserves[0].asset = petro_asset_native();
    g->reserves[0].commodity = PETRO_COMMODITY_OIL;
    g->reserves[0].units_per_commodity = 1;
    g->reserves[0].coverage_bps = 10000;
    snprintf(g->reserves[0].quote, sizeof g->reserves[0].quote, "USD");
    g->attestation_count = 1;
    g->attestations[0].commodity = PETRO_COMMODITY_OIL;
    g->attestations[0].quantity = 6000000 * UNIT;
    snprintf(g->attestations[0].custodian, sizeof g->attestations[0].custodian, "tank farm");
    g->attestations[0].valid_from_ms = T0;
    g->attestations[0].valid_until_ms = T0 + 86400000ull;
    ASSERT_OK(petro_store_mem_create(&c->mem, &c->store));
    ASSERT_OK(petro_ledger_create(&c->l, &c->store));
    petro_block_header b0;
    ASSERT_OK(petro_ledger_genesis(c->l, &b0, g));
    ASSERT_OK(petro_ledger_commit(c->l));
    ASSERT_OK(petro_genesis_network_id(&c->net, g));
    c->ts = T0;
    free(g);
}

static void chain_free(chain *c) {
    petro_ledger_destroy(c->l);
    petro_store_mem_destroy(c->mem);
}

/* One block creating holders [from, to) with distinct balances, 16 per transaction. */
static void chain_create_holders(chain *c, int from, int to) {
    c->ts += 1000;
    ASSERT_OK(petro_ledger_begin(c->l, c->height + 1, c->ts));
    for (int i = from; i < to;) {
        petro_tx tx;
        memset(&tx, 0, sizeof tx);
        tx.version = PETRO_TX_VERSION;
        tx.network_id = c->net;
        tx.source = treas.pk;
        tx.sequence = ++c->seq;
        while (i < to && tx.op_count < PETRO_TX_OPS_MAX) {
            petro_op *op = &tx.ops[tx.op_count++];
            op->type = PETRO_OP_CREATE_ACCOUNT;
            op->u.create_account.destination = holders[i].pk;
            op->u.create_account.starting_balance = (petro_amount)(i + 1) * UNIT + i;
            i++;
        }
        tx.fee = PETRO_BASE_FEE * tx.op_count;
        ASSERT_OK(petro_tx_sign(&tx, &treas.pk, &treas.sk));
        petro_hash id;
        ASSERT_OK(petro_tx_id(&id, &tx));
        petro_tx_result res;
        ASSERT_OK(petro_ledger_apply_tx(c->l, &res, &tx, &id, petro_tx_verify_sigs(&tx, &id)));
        ASSERT_OK(res.code);
    }
    petro_block_header h;
    ASSERT_OK(petro_ledger_finish(c->l, &h, &validator.pk));
    ASSERT_OK(petro_ledger_commit(c->l));
    c->height++;
}

/* One block with one transaction of one operation from k (its next sequence); the
 * operation's result must be want. */
static void chain_apply(chain *c, const keypair *k, petro_op op, petro_result want) {
    petro_account acct;
    ASSERT_OK(petro_state_get_account(&c->store, &acct, &k->pk));
    c->ts += 1000;
    ASSERT_OK(petro_ledger_begin(c->l, c->height + 1, c->ts));
    petro_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.network_id = c->net;
    tx.source = k->pk;
    tx.sequence = acct.sequence + 1;
    tx.fee = PETRO_BASE_FEE;
    tx.op_count = 1;
    tx.ops[0] = op;
    ASSERT_OK(petro_tx_sign(&tx, &k->pk, &k->sk));
    petro_hash id;
    ASSERT_OK(petro_tx_id(&id, &tx));
    petro_tx_result res;
    ASSERT_OK(petro_ledger_apply_tx(c->l, &res, &tx, &id, petro_tx_verify_sigs(&tx, &id)));
    ASSERT_EQ(res.op_codes[0], want);
    petro_block_header h;
    ASSERT_OK(petro_ledger_finish(c->l, &h, &validator.pk));
    ASSERT_OK(petro_ledger_commit(c->l));
    c->height++;
    if (k == &treas) c->seq = tx.sequence;
}

static void test_checkpoint_every_holder(void) {
    chain c;
    chain_init(&c);
    for (int i = 0; i < HOLDERS; i += 250) chain_create_holders(&c, i, i + 250);
    char msg[256];
    ASSERT_OK(petro_ledger_check_invariants(&c.store, msg, sizeof msg));

    petro_asset ptr = petro_asset_native();
    petro_checkpoint_tree cp;
    ASSERT_OK(petro_checkpoint_build(&cp, &c.store, &ptr));
    sign_cp(&cp.checkpoint);
    ASSERT_TRUE(petro_checkpoint_verify(&cp.checkpoint));
    ASSERT_EQ(cp.checkpoint.leaf_count, HOLDERS + 2);
    ASSERT_EQ(cp.checkpoint.height, 4);
    petro_ledger_tip tip;
    ASSERT_OK(petro_ledger_tip_get(&c.store, &tip));
    ASSERT_MEMEQ(cp.checkpoint.block_hash.bytes, tip.block_hash.bytes, 32);
    petro_asset_info info;
    ASSERT_OK(petro_state_get_asset(&c.store, &info, &ptr));
    ASSERT_EQ(cp.checkpoint.total, info.issued - info.redeemed - info.burned);
    ASSERT_EQ(cp.checkpoint.attested, 6000000 * UNIT);
    ASSERT_EQ(cp.checkpoint.cap, 6000000 * UNIT);

    /* Same state, same root (determinism); a rebuild gives identical bytes. */
    petro_checkpoint_tree again;
    ASSERT_OK(petro_checkpoint_build(&again, &c.store, &ptr));
    ASSERT_MEMEQ(again.checkpoint.root.bytes, cp.checkpoint.root.bytes, 32);
    petro_checkpoint_tree_free(&again);

    /* Every holder's proof verifies, and carries its exact balance. */
    petro_proof *p = malloc(sizeof *p);
    ASSERT_TRUE(p != NULL);
    for (int i = 0; i < HOLDERS; i++) {
        ASSERT_OK(petro_checkpoint_tree_proof(&cp, &holders[i].pk, p));
        ASSERT_EQ(p->balance, (petro_amount)(i + 1) * UNIT + i);
        ASSERT_EQ(p->depth, 10);
        uint32_t failed = petro_proof_verify(p);
        if (failed != 0) fprintf(stderr, "holder %d: failed 0x%x\n", i, failed);
        ASSERT_EQ(failed, 0);
    }
    ASSERT_OK(petro_checkpoint_tree_proof(&cp, &treas.pk, p));
    ASSERT_EQ(petro_proof_verify(p), 0);
    ASSERT_RESULT(petro_checkpoint_tree_proof(&cp, &validator.pk, p), PETRO_ERR_NOT_FOUND);

    /* Tampering, each rejected with the check that names it. */
    petro_proof good;
    ASSERT_OK(petro_checkpoint_tree_proof(&cp, &holders[123].pk, &good));
    ASSERT_EQ(petro_proof_verify(&good), 0);

    *p = good; /* changed balance (larger, to claim more) */
    p->balance += 1;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_SUMS | PETRO_PROOF_CHECK_ROOT);
    /* changed balance with the sibling sum lowered to keep the total: the hashes catch it */
    *p = good;
    p->balance += UNIT;
    p->siblings[0].sum -= UNIT;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_ROOT);
    *p = good; /* changed sibling sum */
    p->siblings[3].sum -= 1;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_SUMS | PETRO_PROOF_CHECK_ROOT);
    *p = good; /* negative sibling sum */
    p->siblings[2].sum = -p->siblings[2].sum;
    ASSERT_TRUE((petro_proof_verify(p) & PETRO_PROOF_CHECK_SUMS) != 0);
    *p = good; /* swapped order: the leaf claimed on the other side */
    p->index ^= 1u;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_ROOT);
    *p = good; /* swapped order: two path entries exchanged */
    petro_sum_node tmp = p->siblings[1];
    p->siblings[1] = p->siblings[2];
    p->siblings[2] = tmp;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_ROOT);
    *p = good; /* wrong salt */
    p->salt.bytes[0] ^= 1;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_SALT | PETRO_PROOF_CHECK_ROOT);
    *p = good; /* another account claiming this leaf */
    p->account = holders[124].pk;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_ROOT);
    *p = good; /* checkpoint total understated: sums and signature */
    p->checkpoint.total -= 1;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_SUMS | PETRO_PROOF_CHECK_SIGNATURE);
    *p = good; /* forged root */
    p->checkpoint.root.bytes[5] ^= 0x80;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_ROOT | PETRO_PROOF_CHECK_SIGNATURE);
    *p = good; /* cap raised by the prover: the signature no longer verifies */
    p->checkpoint.cap += UNIT;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_SIGNATURE);
    *p = good; /* leaf count that does not fit the path */
    p->checkpoint.leaf_count = 5000;
    ASSERT_TRUE((petro_proof_verify(p) & PETRO_PROOF_CHECK_SHAPE) != 0);
    *p = good; /* truncated path */
    p->depth -= 1;
    ASSERT_TRUE((petro_proof_verify(p) & PETRO_PROOF_CHECK_SHAPE) != 0);
    *p = good; /* a validly signed checkpoint whose total exceeds the reserves */
    p->checkpoint.cap = p->checkpoint.total - 1;
    sign_cp(&p->checkpoint);
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_RESERVES);
    ASSERT_STREQ(petro_proof_check_name(PETRO_PROOF_CHECK_RESERVES), "reserves");

    /* After another block, the root changes (new salt) and old proofs stay valid for their
     * own checkpoint. */
    chain_create_holders(&c, HOLDERS, HOLDERS);
    petro_checkpoint_tree next;
    ASSERT_OK(petro_checkpoint_build(&next, &c.store, &ptr));
    ASSERT_TRUE(!petro_hash_equal(&next.checkpoint.root, &cp.checkpoint.root));
    ASSERT_EQ(next.checkpoint.total, cp.checkpoint.total); /* an empty block burns nothing */
    ASSERT_EQ(petro_proof_verify(&good), 0);
    petro_checkpoint_tree_free(&next);

    free(p);
    petro_checkpoint_tree_free(&cp);
    chain_free(&c);
}

/* The root by the protocol's rule, level by level over every node (the way the tree was
 * first built), independent of how petro_sum_tree keeps its levels. */
static petro_sum_node reference_root(const petro_hash *salt, const petro_sum_leaf *l, uint64_t n) {
    petro_sum_node empty;
    petro_proof_empty(&empty);
    if (n == 0) return empty;
    petro_sum_node *level = calloc(n, sizeof *level);
    ASSERT_TRUE(level != NULL);
    for (uint64_t i = 0; i < n; i++) {
        if (l[i].kind == PETRO_LEAF_LOCK) {
            petro_proof_lock_leaf(&level[i], salt, l[i].family, l[i].lock_id, &l[i].account,
                                  l[i].balance);
        } else {
            petro_proof_leaf(&level[i], salt, &l[i].account, l[i].balance);
        }
    }
    while (n > 1) {
        uint64_t up = (n + 1) / 2;
        for (uint64_t i = 0; i < up; i++) {
            petro_sum_node parent;
            ASSERT_OK(petro_proof_parent(&parent, &level[2 * i],
                                         2 * i + 1 < n ? &level[2 * i + 1] : &empty));
            level[i] = parent;
        }
        n = up;
    }
    petro_sum_node root = level[0];
    free(level);
    return root;
}

/* Trees larger than one recomputed chunk (PETRO_SUM_TREE_BASE): sizes on both sides of chunk
 * and power-of-two boundaries give the reference root, and proofs for leaves in the first,
 * a middle, and the last (partial) chunk verify. */
static void test_tree_chunks(void) {
    petro_hash bh, salt;
    petro_hash_bytes(&bh, (const uint8_t *)"chunks", 6);
    petro_asset ptr = petro_asset_native();
    petro_proof_salt(&salt, &bh, &ptr);
    const uint64_t chunk = (uint64_t)1 << PETRO_SUM_TREE_BASE;
    const uint64_t sizes[] = {chunk - 1, chunk, chunk + 1, 2 * chunk - 1, 2 * chunk,
                              2 * chunk + 1, 3 * chunk + 5, 1000, 4095, 4096, 4097};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint64_t n = sizes[s];
        petro_sum_leaf *l = sorted_leaves(n);
        petro_sum_tree t;
        ASSERT_OK(petro_sum_tree_build(&t, &salt, l, n));
        petro_sum_node want = reference_root(&salt, l, n), root = petro_sum_tree_root(&t);
        ASSERT_MEMEQ(root.hash.bytes, want.hash.bytes, 32);
        ASSERT_EQ(root.sum, want.sum);
        const uint64_t picks[] = {0, 1, chunk - 1, n / 2, n - chunk / 2, n - 2, n - 1};
        for (size_t k = 0; k < sizeof picks / sizeof picks[0]; k++) {
            if (picks[k] >= n) continue;
            petro_proof p;
            proof_for(&p, &t, l, &bh, picks[k]);
            ASSERT_EQ(petro_proof_verify(&p), 0);
            /* A proof for another leaf's balance must not verify. */
            p.balance += 1;
            ASSERT_TRUE(petro_proof_verify(&p) != 0);
        }
        petro_proof p;
        ASSERT_RESULT(petro_sum_tree_proof(&t, l, n, &p), PETRO_ERR_NOT_FOUND);
        /* Leaves changed after the build: refused, not a path to another root. */
        l[n - 1].balance += 1;
        ASSERT_RESULT(petro_sum_tree_proof(&t, l, n - 1, &p), PETRO_ERR_CORRUPT);
        l[n - 1].balance -= 1;
        petro_sum_tree_free(&t);
        free(l);
    }
}

/* ---------------------------------------------------------------- escrow (issue #15) */

/* A trade contract of amount PTR from importer to exporter, one approver. */
static petro_op op_trade_create(const chain *c, const petro_pubkey *exporter,
                                const petro_pubkey *approver, petro_amount amount) {
    petro_asset ptr = petro_asset_native();
    uint32_t hs = 870830;
    petro_amount quantity = 400 * UNIT;
    uint8_t incoterm = 6, threshold = 1;
    uint8_t docs[1] = {2}; /* bill of lading */
    uint64_t deadline = c->ts + 30 * 86400000ull, expiry = c->ts + 60 * 86400000ull;
    return OP_MAKE("trade_create", OP_V("exporter", exporter), OP_V("asset", &ptr),
                   OP_V("amount", &amount), OP_V("hs_code", &hs),
                   OP_V("description", "Brake assemblies"), OP_V("quantity", &quantity),
                   OP_V("unit", "pcs"), OP_V("incoterm", &incoterm), OP_V("origin", "BR"),
                   OP_V("destination", "VE"), OP_LIST("documents", docs, 1),
                   OP_LIST("approvers", approver, 1), OP_V("threshold", &threshold),
                   OP_V("shipment_deadline_ms", &deadline), OP_V("expiry_ms", &expiry));
}

static void fund(chain *c, const keypair *importer, uint64_t id) {
    chain_apply(c, importer, OP_MAKE("trade_fund", OP_V("contract_id", &id)), PETRO_OK);
    petro_trade_contract tc;
    ASSERT_OK(petro_trade_get(&c->store, &tc, id));
    ASSERT_TRUE(tc.locked > 0);
}

/* The bug of issue #15: with any escrow funded, the holders' balances no longer add up to the
 * supply and every checkpoint failed (corrupt). Now each escrow is a lock leaf after the
 * balances: the checkpoint builds, its total is the supply, and each importer proves its
 * locked amount with a proof that fails when tampered. */
static void test_checkpoint_with_escrow(void) {
    chain c;
    chain_init(&c);
    chain_create_holders(&c, 0, 600);
    petro_asset ptr = petro_asset_native();
    /* Contract 1: the treasury buys from holder 1 (approver holder 2); contract 2: holder 500
     * buys from holder 3, approver holder 4. Contract 3 is created, never funded. */
    chain_apply(&c, &treas, op_trade_create(&c, &holders[1].pk, &holders[2].pk, 1000 * UNIT),
                PETRO_OK);
    chain_apply(&c, &holders[500],
                op_trade_create(&c, &holders[3].pk, &holders[4].pk, 250 * UNIT), PETRO_OK);
    chain_apply(&c, &holders[7], op_trade_create(&c, &holders[3].pk, &holders[4].pk, UNIT),
                PETRO_OK);
    fund(&c, &treas, 1);
    fund(&c, &holders[500], 2);
    char msg[256];
    ASSERT_OK(petro_ledger_check_invariants(&c.store, msg, sizeof msg));

    petro_checkpoint_tree cp;
    ASSERT_OK(petro_checkpoint_build(&cp, &c.store, &ptr));
    sign_cp(&cp.checkpoint);
    petro_asset_info info;
    ASSERT_OK(petro_state_get_asset(&c.store, &info, &ptr));
    ASSERT_EQ(cp.checkpoint.total, info.issued - info.redeemed - info.burned);
    ASSERT_EQ(cp.checkpoint.lock_count, 2);
    ASSERT_EQ(cp.checkpoint.leaf_count, 600 + 2 + 2);
    /* The locks are the last leaves, in (family, id) order. */
    const petro_sum_leaf *l = cp.leaves;
    uint64_t n = cp.checkpoint.leaf_count;
    ASSERT_EQ(l[n - 2].kind, PETRO_LEAF_LOCK);
    ASSERT_STREQ(l[n - 2].family, "trade");
    ASSERT_EQ(l[n - 2].lock_id, 1);
    ASSERT_MEMEQ(l[n - 2].account.bytes, treas.pk.bytes, 32);
    ASSERT_EQ(l[n - 2].balance, 1000 * UNIT);
    ASSERT_EQ(l[n - 1].lock_id, 2);
    ASSERT_EQ(l[n - 3].kind, PETRO_LEAF_BALANCE);

    /* The treasury's balance proof and its lock proof: both verify, and sum to what it owns. */
    petro_proof *bal = malloc(sizeof *bal), *lock = malloc(sizeof *lock), *p = malloc(sizeof *p);
    ASSERT_TRUE(bal != NULL && lock != NULL && p != NULL);
    ASSERT_OK(petro_checkpoint_tree_proof(&cp, &treas.pk, bal));
    ASSERT_EQ(bal->kind, PETRO_LEAF_BALANCE);
    ASSERT_EQ(petro_proof_verify(bal), 0);
    uint64_t from = 0;
    ASSERT_OK(petro_checkpoint_tree_lock_proof(&cp, &treas.pk, &from, lock));
    ASSERT_EQ(lock->kind, PETRO_LEAF_LOCK);
    ASSERT_EQ(lock->balance, 1000 * UNIT);
    ASSERT_EQ(lock->lock_id, 1);
    ASSERT_STREQ(lock->family, "trade");
    ASSERT_EQ(lock->index, n - 2);
    ASSERT_EQ(petro_proof_verify(lock), 0);
    ASSERT_RESULT(petro_checkpoint_tree_lock_proof(&cp, &treas.pk, &from, p),
                  PETRO_ERR_NOT_FOUND);
    /* Holder 500's lock; holder 7 created a contract but funded nothing: no lock. */
    from = 0;
    ASSERT_OK(petro_checkpoint_tree_lock_proof(&cp, &holders[500].pk, &from, p));
    ASSERT_EQ(p->lock_id, 2);
    ASSERT_EQ(petro_proof_verify(p), 0);
    from = 0;
    ASSERT_RESULT(petro_checkpoint_tree_lock_proof(&cp, &holders[7].pk, &from, p),
                  PETRO_ERR_NOT_FOUND);

    /* Tampered lock proofs, each refused by the check that names it. */
    *p = *lock; /* a larger locked amount */
    p->balance += 1;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_SUMS | PETRO_PROOF_CHECK_ROOT);
    *p = *lock; /* a smaller one, the sibling raised to keep the total: the hashes catch it */
    p->balance -= UNIT;
    p->siblings[0].sum += UNIT;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_ROOT);
    *p = *lock; /* another contract's id, another family, another owner */
    p->lock_id = 3;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_ROOT);
    *p = *lock;
    snprintf(p->family, sizeof p->family, "trades");
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_ROOT);
    *p = *lock;
    p->account = holders[1].pk;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_ROOT);
    *p = *lock; /* the lock leaf passed off as a balance: out of the balance range */
    p->kind = PETRO_LEAF_BALANCE;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_SHAPE | PETRO_PROOF_CHECK_ROOT);
    *p = *bal; /* a balance leaf passed off as a lock */
    p->kind = PETRO_LEAF_LOCK;
    snprintf(p->family, sizeof p->family, "trade");
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_SHAPE | PETRO_PROOF_CHECK_ROOT);
    *p = *lock; /* an unknown leaf kind, a family name that cannot be one */
    p->kind = 7;
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_SHAPE | PETRO_PROOF_CHECK_ROOT);
    *p = *lock;
    memset(p->family, 0, sizeof p->family);
    ASSERT_EQ(petro_proof_verify(p), PETRO_PROOF_CHECK_SHAPE | PETRO_PROOF_CHECK_ROOT);
    *p = *lock; /* fewer locks claimed by the checkpoint: the signature no longer verifies */
    p->checkpoint.lock_count = 1;
    ASSERT_TRUE((petro_proof_verify(p) & PETRO_PROOF_CHECK_SIGNATURE) != 0);

    /* The lock leaf's form, by the protocol's formula. */
    petro_sum_node leaf;
    petro_proof_lock_leaf(&leaf, &cp.salt, "trade", 1, &treas.pk, 1000 * UNIT);
    uint8_t buf[17 + 32 + 1 + 5 + 8 + 32 + 8];
    size_t k = 0;
    memcpy(buf, "petro-por-lock-v2", 17);
    k += 17;
    memcpy(buf + k, cp.salt.bytes, 32);
    k += 32;
    buf[k++] = 5;
    memcpy(buf + k, "trade", 5);
    k += 5;
    for (int i = 0; i < 8; i++) buf[k++] = i == 0 ? 1 : 0;
    memcpy(buf + k, treas.pk.bytes, 32);
    k += 32;
    for (int i = 0; i < 8; i++) buf[k++] = (uint8_t)((uint64_t)(1000 * UNIT) >> (8 * i));
    ASSERT_EQ(k, sizeof buf);
    petro_hash want;
    petro_hash_bytes(&want, buf, sizeof buf);
    ASSERT_MEMEQ(leaf.hash.bytes, want.bytes, 32);
    ASSERT_EQ(leaf.sum, 1000 * UNIT);

    free(bal);
    free(lock);
    free(p);
    petro_checkpoint_tree_free(&cp);
    chain_free(&c);
}

/* Lock leaves in a tree: after the balances, in (family, id, owner) order; anything else is
 * refused. */
static void test_tree_lock_order(void) {
    petro_hash bh, salt;
    petro_hash_bytes(&bh, (const uint8_t *)"locks", 5);
    petro_asset ptr = petro_asset_native();
    petro_proof_salt(&salt, &bh, &ptr);
    petro_sum_leaf *l = sorted_leaves(6);
    for (int i = 3; i < 6; i++) {
        l[i].kind = PETRO_LEAF_LOCK;
        snprintf(l[i].family, sizeof l[i].family, i == 5 ? "trades" : "trade");
        l[i].lock_id = (uint64_t)(i == 4 ? 9 : 2);
    }
    petro_sum_tree t;
    ASSERT_OK(petro_sum_tree_build(&t, &salt, l, 6));
    ASSERT_EQ(t.lock_count, 3);
    petro_sum_node want = reference_root(&salt, l, 6), root = petro_sum_tree_root(&t);
    ASSERT_MEMEQ(root.hash.bytes, want.hash.bytes, 32);
    for (uint64_t i = 0; i < 6; i++) {
        petro_proof p;
        proof_for(&p, &t, l, &bh, i);
        ASSERT_EQ(petro_proof_verify(&p), 0);
    }
    petro_sum_tree_free(&t);
    /* The balance search skips the locks. */
    uint64_t index;
    ASSERT_OK(petro_sum_tree_build(&t, &salt, l, 6));
    ASSERT_RESULT(petro_sum_tree_find(&t, l, &l[4].account, &index), PETRO_ERR_NOT_FOUND);
    ASSERT_OK(petro_sum_tree_find(&t, l, &l[2].account, &index));
    ASSERT_EQ(index, 2);
    petro_sum_tree_free(&t);
    petro_sum_leaf keep = l[4]; /* ids out of order */
    l[4] = l[3];
    l[3] = keep;
    ASSERT_RESULT(petro_sum_tree_build(&t, &salt, l, 6), PETRO_ERR_MALFORMED);
    l[3] = l[4]; /* a duplicate lock */
    ASSERT_RESULT(petro_sum_tree_build(&t, &salt, l, 6), PETRO_ERR_MALFORMED);
    free(l);
    l = sorted_leaves(6);
    l[2].kind = PETRO_LEAF_LOCK; /* a balance after a lock */
    snprintf(l[2].family, sizeof l[2].family, "trade");
    ASSERT_RESULT(petro_sum_tree_build(&t, &salt, l, 6), PETRO_ERR_MALFORMED);
    l[5].kind = PETRO_LEAF_LOCK;
    l[3].kind = l[4].kind = PETRO_LEAF_LOCK;
    snprintf(l[3].family, sizeof l[3].family, "trade");
    snprintf(l[4].family, sizeof l[4].family, "trade");
    snprintf(l[5].family, sizeof l[5].family, "trade");
    l[2].kind = PETRO_LEAF_BALANCE;
    l[5].balance = 0; /* a lock of nothing */
    ASSERT_RESULT(petro_sum_tree_build(&t, &salt, l, 6), PETRO_ERR_MALFORMED);
    l[5].balance = UNIT;
    snprintf(l[5].family, sizeof l[5].family, "tr de"); /* not a family name */
    ASSERT_RESULT(petro_sum_tree_build(&t, &salt, l, 6), PETRO_ERR_MALFORMED);
    l[5].family[2] = 'a';
    ASSERT_OK(petro_sum_tree_build(&t, &salt, l, 6));
    petro_sum_tree_free(&t);
    free(l);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    ASSERT_OK(petro_crypto_init());
    keypair_init(&treas, 1000001);
    keypair_init(&aud, 1000002);
    keypair_init(&validator, 1000003);
    for (uint32_t i = 0; i < HOLDERS; i++) keypair_init(&holders[i], i);
    RUN_TEST(test_tree_shapes);
    RUN_TEST(test_tree_chunks);
    RUN_TEST(test_checkpoint_every_holder);
    RUN_TEST(test_tree_lock_order);
    RUN_TEST(test_checkpoint_with_escrow);
    return 0;
}
