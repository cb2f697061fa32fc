/* petro CLI, reserves family: reserves (coverage table), attest, oracle-price, issue-reserve,
 * redeem-reserve (also `petro redeem --delivery`), fulfill, proof, verify-proof.
 *
 * The transaction commands are aliases of the family's operations (family.h), built by
 * cmd_op.c; attest and oracle-price first compute what the schema cannot default (the
 * document's hash, times from the clock). Multisig sources sign with several --wallet options
 * and --source, e.g. the auditors account with two auditor wallets. verify-proof works
 * offline: it reads a proof file written by `petro proof` (an account's balance leaf and the
 * lock leaves it owns, e.g. trade escrow) and runs petro_proof_verify from the core on each. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "family.h"
#include "http.h"
#include "output.h"
#include "parse.h"
#include "proof_json.h"

#define DAY_MS UINT64_C(86400000)
#define PROOF_FILE_SIZE_MAX (1u << 20)

/* ------------------------------------------------------------------ transactions */

static const cli_opt ATTEST_OPTS[] = {
    {"commodity", "oil|gold", .is_required = true, .field = "commodity"},
    {"quantity", "DECIMAL", .is_required = true, .field = "quantity"},
    {"custodian", "TEXT", .is_required = true, .field = "custodian"},
    {"document", "FILE", .is_required = false},
    {"document-hash", "HEX", .field = "document_hash"},
    {"valid-days", "N", .is_required = false},
    {"valid-from-ms", "MS", .field = "valid_from_ms"},
    {"supersedes", "ID", .field = "supersedes"},
    {.name = NULL},
};
/* cmd_attest computes the end of validity from --valid-from-ms and --valid-days. */
static const cli_field_map ATTEST_UNTIL[] = {
    {"valid-until-ms", "valid_until_ms", NULL},
    {NULL, NULL, NULL},
};
static const cli_alias ATTEST = {"attest_reserve", ATTEST_UNTIL};

static const cli_opt ORACLE_PRICE_OPTS[] = {
    {"commodity", "oil|gold", .is_required = true, .field = "commodity"},
    {"price", "DECIMAL", .is_required = true, .field = "price"},
    {"quote", "CODE", .field = "quote", .fallback = "USD"},
    {"timestamp-ms", "MS", .field = "timestamp_ms"},
    {.name = NULL},
};
static const cli_alias ORACLE_PRICE = {"oracle_price", NULL};

static const cli_opt ISSUE_RESERVE_OPTS[] = {
    {"asset", "PTR|CODE:ISSUER", .is_required = true, .field = "asset"},
    {"to", "ADDRESS", .is_required = true, .field = "destination"},
    {"amount", "DECIMAL", .is_required = true, .field = "amount"},
    {.name = NULL},
};
static const cli_alias ISSUE_RESERVE = {"issue_reserve", NULL};

static const cli_opt REDEEM_RESERVE_OPTS[] = {
    {"asset", "PTR|CODE:ISSUER", .is_required = true, .field = "asset"},
    {"amount", "DECIMAL", .is_required = true, .field = "amount"},
    {"delivery", "TEXT", .is_required = true, .field = "delivery"},
    {.name = NULL},
};
static const cli_alias REDEEM_RESERVE = {"redeem_reserve", NULL};

static const cli_opt FULFILL_OPTS[] = {
    {"request", "ID", .is_required = true, .field = "request_id"},
    {.name = NULL},
};
static const cli_alias FULFILL = {"fulfill_redemption", NULL};

/* The document's hash (hashing --document, or --document-hash), the validity window from now
 * (or --valid-from-ms) for --valid-days (default 90), then the alias. */
static int cmd_attest(const cli_config *cfg, const cli_args *args) {
    petro_hash doc;
    int rc = parse_file_or_hash(&doc, "--document", args_get(args, "document"),
                                "--document-hash", args_get(args, "document-hash"));
    if (rc != CLI_EXIT_OK) return rc;
    uint64_t days = 90, from = cli_now_ms();
    rc = parse_uint_opt(&days, "--valid-days", args_get(args, "valid-days"), 1, 3650);
    if (rc == CLI_EXIT_OK) {
        rc = parse_uint_opt(&from, "--valid-from-ms", args_get(args, "valid-from-ms"), 0,
                            UINT64_MAX / 2);
    }
    if (rc != CLI_EXIT_OK) return rc;
    char hash_hex[65], from_text[24], until_text[24];
    petro_hex_encode(hash_hex, doc.bytes, sizeof doc.bytes);
    (void)snprintf(from_text, sizeof from_text, "%" PRIu64, from);
    (void)snprintf(until_text, sizeof until_text, "%" PRIu64, from + days * DAY_MS);
    cli_args copy = *args;
    rc = args_set(&copy, "document-hash", hash_hex);
    if (rc == CLI_EXIT_OK) rc = args_set(&copy, "valid-from-ms", from_text);
    if (rc == CLI_EXIT_OK) rc = args_set(&copy, "valid-until-ms", until_text);
    return rc == CLI_EXIT_OK ? cmd_alias(cfg, &copy) : rc;
}

/* The timestamp defaults to now. */
static int cmd_oracle_price(const cli_config *cfg, const cli_args *args) {
    if (args_has(args, "timestamp-ms")) return cmd_alias(cfg, args);
    char now[24];
    (void)snprintf(now, sizeof now, "%" PRIu64, cli_now_ms());
    return cmd_alias_with(cfg, args, "timestamp-ms", now);
}

/* ------------------------------------------------------------------ petro reserves */

static const char *unit_short(const char *unit) {
    if (strcmp(unit, "barrel") == 0) return "bbl";
    if (strcmp(unit, "troy_ounce") == 0) return "ozt";
    return unit;
}

/* "XAU:tptr1...": the code only, for the table. */
static void asset_code(char *out, size_t cap, const char *asset) {
    const char *colon = strchr(asset, ':');
    size_t n = colon != NULL ? (size_t)(colon - asset) : strlen(asset);
    snprintf(out, cap, "%.*s", (int)n, asset);
}

/* "height 100, 7 blocks old (tip 107)": how far the checkpoint is behind the tip (proofs come
 * from it, not from the tip); "height 100" alone when the age is unknown (age < 0), e.g. a
 * proof file written before files carried the tip. when: " when fetched" for a file. */
static void checkpoint_age_text(char *out, size_t cap, long long height, long long age,
                                const char *when) {
    if (age < 0) {
        (void)snprintf(out, cap, "height %lld", height);
    } else {
        (void)snprintf(out, cap, "height %lld, %lld block%s old%s (tip %lld)", height, age,
                       age == 1 ? "" : "s", when, height + age);
    }
}

static int cmd_reserves(const cli_config *cfg, const cli_args *args) {
    (void)args;
    node_reply reply;
    int rc = node_get_ok(cfg, "/v1/reserves", "cannot read the reserves", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    bool under = false;
    (void)jbool(reply.body, "under_covered", &under);
    if (under) {
        fprintf(stderr, "petro: WARNING: %s\n",
                jstr_or(reply.body, "warning", "a reserve-backed asset is under-covered"));
    }
    if (cfg->json) return node_reply_out_json(&reply);
    long long height = -1;
    (void)jint(reply.body, "height", &height);
    char when[64] = "?";
    long long ts = 0;
    if (jint(reply.body, "timestamp_ms", &ts)) describe_time_ms(when, sizeof when, ts);
    printf("reserves at height %lld (%s)\n\n", height, when);
    const json_t *list = json_object_get(reply.body, "reserves");
    if (!json_is_array(list) || json_array_size(list) == 0) {
        printf("(no reserve-backed assets)\n");
        node_reply_deinit(&reply);
        return CLI_EXIT_OK;
    }
    printf("%-6s %-10s %20s %20s %20s %9s %8s %14s  %s\n", "ASSET", "BACKING", "ATTESTED",
           "SUPPLY", "CAP", "COVERAGE", "MIN", "PRICE", "STATUS");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *r = json_array_get(list, i);
        char code[16], backing[32], price[48];
        asset_code(code, sizeof code, jstr_or(r, "asset", "?"));
        snprintf(backing, sizeof backing, "%s (%s)", jstr_or(r, "commodity", "?"),
                 unit_short(jstr_or(r, "commodity_unit", "?")));
        const char *ref = jstr(r, "reference_price");
        snprintf(price, sizeof price, "%s %s", ref != NULL ? ref : "-",
                 ref != NULL ? jstr_or(r, "quote", "") : "");
        bool u = false;
        (void)jbool(r, "under_covered", &u);
        printf("%-6s %-10s %20s %20s %20s %9s %8s %14s  %s\n", code, backing,
               jstr_or(r, "attested", "?"), jstr_or(r, "supply", "?"), jstr_or(r, "cap", "?"),
               jstr_or(r, "coverage", "inf"), jstr_or(r, "min_coverage", "?"), price,
               u ? "UNDER-COVERED: issuance blocked" : "covered");
    }
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *r = json_array_get(list, i);
        putchar('\n');
        out_kv("asset", "%s", jstr_or(r, "asset", "?"));
        char code[16];
        asset_code(code, sizeof code, jstr_or(r, "asset", "?"));
        out_kv("backing", "1 %s of %s = %s %s", unit_short(jstr_or(r, "commodity_unit", "?")),
               jstr_or(r, "commodity", "?"), jstr_or(r, "asset_units_per_commodity_unit", "?"),
               code);
        out_kv("outstanding", "%s (issued - redeemed; supply %s after fee burns)",
               jstr_or(r, "outstanding", "?"), jstr_or(r, "supply", "?"));
        out_kv("headroom", "%s (can still be issued)", jstr_or(r, "headroom", "?"));
        const char *val = jstr(r, "valuation");
        long long fresh = 0;
        (void)jint(r, "fresh_prices", &fresh);
        out_kv("valuation", "%s %s (median of %lld fresh oracle prices)", val ? val : "-",
               val ? jstr_or(r, "quote", "") : "", fresh);
        const json_t *atts = json_object_get(r, "attestations");
        for (size_t k = 0; json_is_array(atts) && k < json_array_size(atts); k++) {
            const json_t *a = json_array_get(atts, k);
            long long id = 0, until = 0;
            (void)jint(a, "id", &id);
            (void)jint(a, "valid_until_ms", &until);
            char until_text[64];
            describe_time_ms(until_text, sizeof until_text, until);
            out_kv(k == 0 ? "attestations" : "", "#%lld %s %s, %s, until %s", id,
                   jstr_or(a, "quantity", "?"), unit_short(jstr_or(r, "commodity_unit", "?")),
                   jstr_or(a, "custodian", "?"), until_text);
        }
        const json_t *cp = json_object_get(r, "latest_checkpoint");
        if (json_is_object(cp)) {
            long long h = 0, leaves = 0, locks = 0, age = -1;
            (void)jint(cp, "height", &h);
            (void)jint(cp, "leaf_count", &leaves);
            (void)jint(cp, "lock_count", &locks);
            (void)jint(r, "checkpoint_age_blocks", &age);
            char old[96];
            checkpoint_age_text(old, sizeof old, h, age, "");
            out_kv("checkpoint",
                   "%s, %lld holders, %lld lock%s, total %s, root %.16s..., signed by %s", old,
                   leaves - locks, locks, locks == 1 ? "" : "s", jstr_or(cp, "total", "?"),
                   jstr_or(cp, "root", "?"), jstr_or(cp, "validator", "?"));
        } else {
            out_kv("checkpoint", "none");
        }
    }
    node_reply_deinit(&reply);
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ proofs */

static const uint32_t PROOF_CHECKS[] = {PETRO_PROOF_CHECK_SHAPE, PETRO_PROOF_CHECK_SALT,
                                        PETRO_PROOF_CHECK_SUMS, PETRO_PROOF_CHECK_ROOT,
                                        PETRO_PROOF_CHECK_SIGNATURE, PETRO_PROOF_CHECK_RESERVES};
#define PROOF_CHECK_COUNT (sizeof PROOF_CHECKS / sizeof PROOF_CHECKS[0])

/* The leaves of a proof file: its balance proof (if any), then its lock proofs. */
static uint32_t proof_leaf_count(const proof_set *s) {
    return (s->has_balance ? 1u : 0u) + s->lock_count;
}

static const petro_proof *proof_leaf(const proof_set *s, uint32_t i) {
    if (s->has_balance) return i == 0 ? &s->balance : &s->locks[i - 1];
    return &s->locks[i];
}

/* petro_proof_verify of every leaf: the OR of the failed checks (failed[i] each). */
static uint32_t proof_set_verify(const proof_set *s, uint32_t *failed) {
    uint32_t all = 0;
    for (uint32_t i = 0; i < proof_leaf_count(s); i++) {
        failed[i] = petro_proof_verify(proof_leaf(s, i));
        all |= failed[i];
    }
    return all;
}

/* The sum of the lock amounts (each in range: verified), for the summary lines. */
static petro_amount proof_set_locked(const proof_set *s) {
    petro_amount sum = 0;
    for (uint32_t i = 0; i < s->lock_count; i++) {
        if (petro_amount_add(&sum, sum, s->locks[i].balance) != PETRO_OK) return -1;
    }
    return sum;
}

/* "trade #7" for a lock leaf. */
static void lock_name(char *out, size_t cap, const petro_proof *p) {
    (void)snprintf(out, cap, "%s #%" PRIu64, p->family, p->lock_id);
}

static void proof_summary(FILE *f, const proof_set *s, const char *asset, const char *address,
                          long long age, bool is_valid, const char *out) {
    const petro_proof *first = proof_leaf(s, 0);
    char bal[PETRO_AMOUNT_TEXT_SIZE] = "no balance", locked[PETRO_AMOUNT_TEXT_SIZE];
    if (s->has_balance) petro_amount_format(bal, s->balance.balance);
    petro_amount_format(locked, proof_set_locked(s));
    char locks[PETRO_AMOUNT_TEXT_SIZE + 64] = "";
    if (s->lock_count > 0) {
        (void)snprintf(locks, sizeof locks, " and %u lock%s of %s", s->lock_count,
                       s->lock_count == 1 ? "" : "s", locked);
    }
    char old[96];
    checkpoint_age_text(old, sizeof old, (long long)first->checkpoint.height, age, "");
    fprintf(f, "proof of %s %s%s for %s (%s): checkpoint at %s%s%s\n", bal, asset, locks,
            address, is_valid ? "verifies" : "DOES NOT VERIFY", old, out ? "; written to " : "",
            out ? out : "");
}

static int cmd_proof(const cli_config *cfg, const cli_args *args) {
    const char *address = args_get(args, "address");
    const char *asset = args_get(args, "asset");
    if (asset == NULL) asset = "PTR";
    petro_pubkey pk;
    petro_net_kind kind;
    int rc = parse_address_any(&pk, &kind, "--address", address);
    if (rc != CLI_EXIT_OK) return rc;
    petro_asset parsed;
    rc = parse_asset(&parsed, &kind, "--asset", asset);
    if (rc != CLI_EXIT_OK) return rc;
    char path[512];
    int n = snprintf(path, sizeof path, "/v1/reserves/proof/%s?asset=%s", address, asset);
    if (n < 0 || (size_t)n >= sizeof path) return cli_fail(CLI_EXIT_USAGE, "arguments too long");
    node_reply reply;
    rc = node_get_ok(cfg, path, "no proof", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    /* Check it before saving: a proof that does not verify is reported at once. */
    proof_set *s = malloc(sizeof *s);
    if (s == NULL) {
        node_reply_deinit(&reply);
        return cli_fail(CLI_EXIT_FAILED, "out of memory");
    }
    char why[64];
    uint32_t each[1 + PROOF_JSON_LOCKS_MAX];
    petro_result pr = proof_set_from_json(s, reply.body, why, sizeof why);
    uint32_t failed = pr == PETRO_OK ? proof_set_verify(s, each) : PETRO_PROOF_CHECK_ALL;
    const char *out = args_get(args, "out");
    if (out != NULL) {
        if (json_dump_file(reply.body, out, JSON_INDENT(2)) != 0) {
            free(s);
            node_reply_deinit(&reply);
            return cli_fail(CLI_EXIT_FAILED, "--out %s: cannot write", out);
        }
    } else if (cfg->json) {
        rc = out_json(reply.body);
    }
    if (!cfg->json) {
        if (out == NULL) rc = out_json(reply.body);
        long long age = -1;
        (void)jint(reply.body, "checkpoint_age_blocks", &age);
        if (pr == PETRO_OK) {
            proof_summary(out != NULL ? stdout : stderr, s, asset, address, age, failed == 0,
                          out);
        }
    }
    free(s);
    node_reply_deinit(&reply);
    if (pr != PETRO_OK) {
        return cli_fail(CLI_EXIT_FAILED, "the node sent a malformed proof (%s)", why);
    }
    if (failed != 0) return cli_fail(CLI_EXIT_FAILED, "the node's proof does not verify");
    return rc;
}

/* The names of the checks failed in failed, comma-separated, into names. */
static void failed_names(char *names, size_t cap, uint32_t failed, bool validator_ok) {
    names[0] = '\0';
    for (size_t i = 0; i < PROOF_CHECK_COUNT; i++) {
        if ((failed & PROOF_CHECKS[i]) == 0) continue;
        size_t len = strlen(names);
        (void)snprintf(names + len, cap - len, "%s%s", len ? ", " : "",
                       petro_proof_check_name(PROOF_CHECKS[i]));
    }
    if (!validator_ok) {
        size_t len = strlen(names);
        (void)snprintf(names + len, cap - len, "%svalidator", len ? ", " : "");
    }
}

/* {"leaf": "balance"|"lock", ["family", "id"], "amount", "index", "valid", "failed": [...]}. */
static json_t *leaf_json(const petro_proof *p, uint32_t failed) {
    char amount[PETRO_AMOUNT_TEXT_SIZE];
    petro_amount_format(amount, p->balance);
    bool is_lock = p->kind == PETRO_LEAF_LOCK;
    json_t *o = json_pack("{s:s,s:s,s:I,s:b}", "leaf", is_lock ? "lock" : "balance", "amount",
                          amount, "index", (json_int_t)p->index, "valid", failed == 0);
    json_t *names = json_array();
    for (size_t i = 0; o != NULL && names != NULL && i < PROOF_CHECK_COUNT; i++) {
        if ((failed & PROOF_CHECKS[i]) != 0) {
            json_array_append_new(names, json_string(petro_proof_check_name(PROOF_CHECKS[i])));
        }
    }
    if (o != NULL && is_lock) {
        json_object_set_new(o, "family", json_string(p->family));
        json_object_set_new(o, "id", json_integer((json_int_t)p->lock_id));
    }
    if (o == NULL || names == NULL) {
        json_decref(o);
        json_decref(names);
        return NULL;
    }
    json_object_set_new(o, "failed", names);
    return o;
}

static void verify_report_json(const proof_set *s, const uint32_t *each, uint32_t failed,
                               bool has_expect, bool validator_ok, long long age) {
    const petro_proof *first = proof_leaf(s, 0);
    char bal[PETRO_AMOUNT_TEXT_SIZE], locked[PETRO_AMOUNT_TEXT_SIZE];
    char total[PETRO_AMOUNT_TEXT_SIZE], cap[PETRO_AMOUNT_TEXT_SIZE];
    petro_amount_format(bal, s->has_balance ? s->balance.balance : 0);
    petro_amount_format(locked, proof_set_locked(s));
    petro_amount_format(total, first->checkpoint.total);
    petro_amount_format(cap, first->checkpoint.cap);
    json_t *o = json_object(), *checks = json_array(), *leaves = json_array();
    bool ok = o != NULL && checks != NULL && leaves != NULL;
    for (size_t i = 0; ok && i < PROOF_CHECK_COUNT; i++) {
        json_array_append_new(checks, json_pack("{s:s,s:b}", "check",
                                                petro_proof_check_name(PROOF_CHECKS[i]), "ok",
                                                (failed & PROOF_CHECKS[i]) == 0));
    }
    if (ok && has_expect) {
        json_array_append_new(checks, json_pack("{s:s,s:b}", "check", "validator", "ok",
                                                validator_ok));
    }
    for (uint32_t i = 0; ok && i < proof_leaf_count(s); i++) {
        json_array_append_new(leaves, leaf_json(proof_leaf(s, i), each[i]));
    }
    if (ok) {
        json_object_set_new(o, "valid", json_boolean(failed == 0 && validator_ok));
        json_object_set_new(o, "balance", s->has_balance ? json_string(bal) : json_null());
        json_object_set_new(o, "locked", json_string(locked));
        json_object_set_new(o, "total", json_string(total));
        json_object_set_new(o, "cap", json_string(cap));
        json_object_set_new(o, "height", json_integer((json_int_t)first->checkpoint.height));
        json_object_set_new(o, "checkpoint_age_blocks",
                            age < 0 ? json_null() : json_integer((json_int_t)age));
        json_object_set_new(o, "checks", checks);
        json_object_set_new(o, "leaves", leaves);
        checks = leaves = NULL;
        (void)out_json(o);
    }
    json_decref(checks);
    json_decref(leaves);
    json_decref(o);
}

static void verify_report_text(const proof_set *s, const uint32_t *each, uint32_t failed,
                               bool has_expect, bool validator_ok, long long age) {
    const petro_proof *first = proof_leaf(s, 0);
    const petro_checkpoint *c = &first->checkpoint;
    char total[PETRO_AMOUNT_TEXT_SIZE], cap[PETRO_AMOUNT_TEXT_SIZE];
    petro_amount_format(total, c->total);
    petro_amount_format(cap, c->cap);
    char account[65], validator[65];
    petro_hex_encode(account, first->account.bytes, 32);
    petro_hex_encode(validator, c->validator.bytes, 32);
    out_kv("account", "%s (key)", account);
    for (uint32_t i = 0; i < proof_leaf_count(s); i++) {
        const petro_proof *p = proof_leaf(s, i);
        char amount[PETRO_AMOUNT_TEXT_SIZE], what[PETRO_LOCK_FAMILY_SIZE_MAX + 32];
        char names[128];
        petro_amount_format(amount, p->balance);
        failed_names(names, sizeof names, each[i], true);
        if (p->kind == PETRO_LEAF_LOCK) {
            lock_name(what, sizeof what, p);
            out_kv("locked", "%s %s in %s (leaf %llu): %s%s", amount, c->asset.code, what,
                   (unsigned long long)p->index, each[i] == 0 ? "ok" : "FAILED: ", names);
        } else {
            out_kv("balance", "%s %s (leaf %llu): %s%s", amount, c->asset.code,
                   (unsigned long long)p->index, each[i] == 0 ? "ok" : "FAILED: ", names);
        }
    }
    if (s->locks_omitted > 0) {
        out_kv("locks", "%llu more not in this file", (unsigned long long)s->locks_omitted);
    }
    char old[96];
    checkpoint_age_text(old, sizeof old, (long long)c->height, age, " when fetched");
    out_kv("checkpoint", "%s, %llu holders, %llu lock%s, total %s, cap %s", old,
           (unsigned long long)(c->lock_count <= c->leaf_count ? c->leaf_count - c->lock_count
                                                               : 0),
           (unsigned long long)c->lock_count, c->lock_count == 1 ? "" : "s", total, cap);
    out_kv("validator", "%s (key)", validator);
    for (size_t i = 0; i < PROOF_CHECK_COUNT; i++) {
        bool ok = (failed & PROOF_CHECKS[i]) == 0;
        out_kv(petro_proof_check_name(PROOF_CHECKS[i]), "%s%s", ok ? "ok" : "FAILED: ",
               ok ? "" : petro_proof_check_message(PROOF_CHECKS[i]));
    }
    if (has_expect) {
        out_kv("validator", "%s", validator_ok ? "ok (the expected key)"
                                               : "FAILED: signed by another key than "
                                                 "--validator");
    }
}

/* Every leaf of the file (the balance and each lock) is verified on its own; a check fails
 * if it fails for any leaf. */
static int cmd_verify_proof(const cli_config *cfg, const cli_args *args) {
    const char *file = args->positional[0];
    json_error_t err;
    json_t *j = json_load_file(file, JSON_REJECT_DUPLICATES, &err);
    if (j == NULL) {
        return cli_fail(CLI_EXIT_USAGE, "%s: not a JSON proof file (%s, line %d)", file,
                        err.text, err.line);
    }
    proof_set *s = malloc(sizeof *s);
    if (s == NULL) {
        json_decref(j);
        return cli_fail(CLI_EXIT_FAILED, "out of memory");
    }
    char why[64];
    petro_result pr = proof_set_from_json(s, j, why, sizeof why);
    /* The node's tip when it served the file: unsigned, so only reported, never checked. */
    long long age = -1;
    if (!jint(j, "checkpoint_age_blocks", &age) || age < 0) age = -1;
    json_decref(j);
    if (pr != PETRO_OK) {
        free(s);
        return cli_fail(CLI_EXIT_FAILED, "%s: malformed proof: field %s", file, why);
    }
    uint32_t each[1 + PROOF_JSON_LOCKS_MAX];
    uint32_t failed = proof_set_verify(s, each);
    bool validator_ok = true;
    const char *expect = args_get(args, "validator");
    if (expect != NULL) {
        petro_pubkey v;
        petro_net_kind kind;
        int rc = parse_address_any(&v, &kind, "--validator", expect);
        if (rc != CLI_EXIT_OK) {
            free(s);
            return rc;
        }
        validator_ok = petro_pubkey_equal(&v, &proof_leaf(s, 0)->checkpoint.validator);
    }
    if (cfg->json) {
        verify_report_json(s, each, failed, expect != NULL, validator_ok, age);
    } else {
        verify_report_text(s, each, failed, expect != NULL, validator_ok, age);
    }
    free(s);
    if (failed != 0 || !validator_ok) {
        char names[128];
        failed_names(names, sizeof names, failed, validator_ok);
        return cli_fail(CLI_EXIT_FAILED, "%s: proof INVALID: failed %s", file, names);
    }
    if (!cfg->json) printf("proof valid\n");
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ the family's table */

static const cli_opt NO_OPTS[] = {{.name = NULL}};
static const cli_opt PROOF_OPTS[] = {
    {"address", "ADDRESS", .is_required = true},
    {"asset", "PTR|CODE:ISSUER", .is_required = false},
    {"out", "FILE", .is_required = false},
    {.name = NULL},
};
static const cli_opt VERIFY_PROOF_OPTS[] = {
    {"validator", "ADDRESS", .is_required = false},
    {.name = NULL},
};

static const cli_command COMMANDS[] = {
    {"reserves", cmd_reserves, "",
     "show reserve coverage: attested reserves, supply, cap, coverage, price, checkpoint",
     NULL, 0, 0, NO_OPTS, false, NULL, NULL},
    {"attest", cmd_attest,
     "--commodity oil|gold --quantity DECIMAL --custodian TEXT --document FILE|--document-hash "
     "HEX [--valid-days N] [--valid-from-ms MS] [--supersedes ID]",
     "attest reserves as the auditors (sign with m auditor wallets, --source AUDITORS)",
     "  The quantity is in barrels (oil) or troy ounces (gold). The certificate document is\n"
     "  hashed (BLAKE2b-256) unless its hash is given. Valid from now (or --valid-from-ms,\n"
     "  unix ms) for --valid-days (default 90). --supersedes replaces an attestation in\n"
     "  force.\n",
     0, 0, ATTEST_OPTS, true, &ATTEST, NULL},
    {"oracle-price", cmd_oracle_price,
     "--commodity oil|gold --price DECIMAL [--quote USD] [--timestamp-ms MS]",
     "publish a commodity price as a price oracle", NULL, 0, 0, ORACLE_PRICE_OPTS, true,
     &ORACLE_PRICE, NULL},
    {"issue-reserve", NULL, "--asset PTR|CODE:ISSUER --to ADDRESS --amount DECIMAL",
     "issue a reserve-backed asset, within attested reserves times the coverage ratio",
     "  For PTR the source is the treasury (sign with its officers' wallets and --source).\n",
     0, 0, ISSUE_RESERVE_OPTS, true, &ISSUE_RESERVE, NULL},
    {"redeem-reserve", NULL, "--asset PTR|CODE:ISSUER --amount DECIMAL --delivery TEXT",
     "redeem a reserve-backed asset for the commodity (also: petro redeem --delivery)", NULL,
     0, 0, REDEEM_RESERVE_OPTS, true, &REDEEM_RESERVE, NULL},
    {"fulfill", NULL, "--request ID", "mark a redemption request delivered (issuer)", NULL, 0,
     0, FULFILL_OPTS, true, &FULFILL, NULL},
    {"proof", cmd_proof, "--address ADDRESS [--asset PTR|CODE:ISSUER] [--out FILE]",
     "fetch the proof of reserves inclusion of an account (balance and locks) at the latest "
     "checkpoint", NULL, 0,
     0, PROOF_OPTS, false, NULL, NULL},
    {"verify-proof", cmd_verify_proof, "FILE [--validator ADDRESS]",
     "verify a proof file offline (balance and locks): path, sums, salt, signature, total "
     "within reserves", NULL,
     1, 1, VERIFY_PROOF_OPTS, false, NULL, NULL},
};

const cli_family cli_family_reserves = {
    "reserves", "reserves", COMMANDS, sizeof COMMANDS / sizeof COMMANDS[0], NULL, NULL, NULL,
};
