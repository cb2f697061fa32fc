/* The fuzz fixture (fuzz_fixture.h). */
#include "fuzz_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

fuzz_key FUZZ_KEYS[FUZZ_KEY_COUNT];
static bool initialised;

_Noreturn void fuzz_fail(const char *what, const char *detail) {
    fprintf(stderr, "FUZZ FINDING: %s (%s)\n", what, detail != NULL ? detail : "");
    abort();
}

void fuzz_init(void) {
    if (initialised) return;
    if (petro_crypto_init() != PETRO_OK) fuzz_fail("petro_crypto_init", NULL);
    for (int i = 0; i < FUZZ_KEY_COUNT; i++) {
        uint8_t seed[32];
        memset(seed, 0, sizeof seed);
        seed[0] = (uint8_t)(i + 1);
        seed[1] = 0xf2;
        if (petro_keypair_from_seed(&FUZZ_KEYS[i].pk, &FUZZ_KEYS[i].sk, seed) != PETRO_OK) {
            fuzz_fail("petro_keypair_from_seed", NULL);
        }
    }
    initialised = true;
}

static int account_cmp(const void *a, const void *b) {
    return petro_pubkey_cmp(&((const petro_genesis_account *)a)->id,
                            &((const petro_genesis_account *)b)->id);
}

void fuzz_genesis(petro_genesis *g) {
    fuzz_init();
    memset(g, 0, sizeof *g);
    snprintf(g->network_name, sizeof g->network_name, "petro-fuzz");
    g->net_kind = PETRO_NET_TEST;
    g->timestamp_ms = FUZZ_GENESIS_TS;
    g->treasury = FUZZ_KEYS[0].pk;
    for (int i = 0; i < FUZZ_GENESIS_ACCOUNTS; i++) {
        petro_genesis_account *a = &g->accounts[g->account_count++];
        a->id = FUZZ_KEYS[i].pk;
        a->balance = (i == 0 ? 1000000 : 1000) * PETRO_UNIT;
        a->master_weight = 1;
    }
    /* Key 3: 2-of-2 multisig with key 2 as the second signer. */
    petro_genesis_account *ms = &g->accounts[3];
    ms->threshold_low = ms->threshold_medium = ms->threshold_high = 2;
    ms->signer_count = 1;
    ms->signers[0].key = FUZZ_KEYS[2].pk;
    ms->signers[0].weight = 1;
    qsort(g->accounts, g->account_count, sizeof g->accounts[0], account_cmp);
    g->asset_count = 2;
    snprintf(g->assets[0].code, sizeof g->assets[0].code, "USD");
    g->assets[0].issuer = FUZZ_KEYS[0].pk;
    snprintf(g->assets[1].code, sizeof g->assets[1].code, "EUR");
    g->assets[1].issuer = FUZZ_KEYS[0].pk;
    g->assets[1].flags = PETRO_ASSET_FLAG_AUTH_REQUIRED | PETRO_ASSET_FLAG_REVOCABLE;
    /* Reserves: the multisig key 3 is the auditors account, keys 1 and 2 are oracles, PTR is
     * backed by oil (one barrel per PTR) attested for 30 days with 500 barrels of headroom. */
    g->auditors = FUZZ_KEYS[3].pk;
    g->oracle_count = 2;
    g->oracles[0] = FUZZ_KEYS[1].pk;
    g->oracles[1] = FUZZ_KEYS[2].pk;
    g->oracle_max_age_ms = 3600000u;
    g->reserve_count = 1;
    g->reserves[0].asset = petro_asset_native();
    g->reserves[0].commodity = PETRO_COMMODITY_OIL;
    g->reserves[0].units_per_commodity = 1;
    g->reserves[0].coverage_bps = 10000;
    snprintf(g->reserves[0].quote, sizeof g->reserves[0].quote, "USD");
    g->attestation_count = 1;
    petro_op_attest_reserve *att = &g->attestations[0];
    att->commodity = PETRO_COMMODITY_OIL;
    att->quantity = (1000000 + 3 * 1000 + 500) * PETRO_UNIT;
    snprintf(att->custodian, sizeof att->custodian, "fuzz tank farm");
    petro_hash_bytes(&att->document_hash, (const uint8_t *)"fuzz certificate", 16);
    att->valid_from_ms = FUZZ_GENESIS_TS;
    att->valid_until_ms = FUZZ_GENESIS_TS + FUZZ_DAY_MS * 30u;
    /* Zones: key 2 is the zone authority; zone 1 (VE) holds key 1 at KYC tier 2. */
    g->zone_authority_count = 1;
    g->zone_authorities[0] = FUZZ_KEYS[2].pk;
    g->zone_count = 1;
    g->zones[0].id = 1;
    snprintf(g->zones[0].name, sizeof g->zones[0].name, "fuzz free zone");
    memcpy(g->zones[0].country, "VE", 3);
    g->zones[0].authority = FUZZ_KEYS[2].pk;
    g->member_count = 1;
    g->members[0].account = FUZZ_KEYS[1].pk;
    g->members[0].zone_id = 1;
    g->members[0].kyc_tier = 2;
}

void fuzz_network_id(petro_hash *id) {
    petro_genesis g;
    fuzz_genesis(&g);
    if (petro_genesis_network_id(id, &g) != PETRO_OK) fuzz_fail("network id", NULL);
}

int fuzz_key_index(const petro_pubkey *pk) {
    for (int i = 0; i < FUZZ_KEY_COUNT; i++) {
        if (petro_pubkey_equal(pk, &FUZZ_KEYS[i].pk)) return i;
    }
    return -1;
}

bool fuzz_take_u8(const uint8_t **p, size_t *left, uint8_t *out) {
    if (*left < 1) return false;
    *out = (*p)[0];
    *p += 1;
    *left -= 1;
    return true;
}

bool fuzz_take_u16(const uint8_t **p, size_t *left, uint16_t *out) {
    if (*left < 2) return false;
    *out = (uint16_t)((*p)[0] | ((*p)[1] << 8));
    *p += 2;
    *left -= 2;
    return true;
}
