/* petro CLI trade, zone and statistics commands (docs/trade.md, docs/cli.md "Trade"):
 *
 *   petro trade create|fund|present|approve|release|refund|dispute|resolve|amend-sign|amend|
 *               target|show|list|targets
 *   petro zone create|policy|assign|kyc|show|list
 *   petro stats trade
 *
 * The transaction commands build one operation and run the common pipeline of cmd_tx.c
 * (cli_tx_run_op). Document files are hashed locally (BLAKE2b-256); only the hash and a
 * reference go on the ledger. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_trade.h"
#include "http.h"
#include "output.h"
#include "parse.h"

#define DAY_MS UINT64_C(86400000)

static int parse_text_max(char *out, size_t max, const char *what, const char *text) {
    size_t n = strlen(text);
    if (n > max) return cli_fail(CLI_EXIT_USAGE, "%s: %zu characters, at most %zu", what, n, max);
    for (size_t i = 0; i < n; i++) {
        if (text[i] < 0x20 || text[i] > 0x7e) {
            return cli_fail(CLI_EXIT_USAGE, "%s: only printable ASCII characters", what);
        }
    }
    memcpy(out, text, n + 1);
    return CLI_EXIT_OK;
}

static int parse_country(char out[3], const char *what, const char *text) {
    if (text == NULL || strlen(text) != 2 || text[0] < 'A' || text[0] > 'Z' || text[1] < 'A' ||
        text[1] > 'Z') {
        return cli_fail(CLI_EXIT_USAGE, "%s: expected a two-letter country code such as VE",
                        what);
    }
    memcpy(out, text, 3);
    return CLI_EXIT_OK;
}

static int parse_doc(uint8_t *out, const char *text) {
    if (text != NULL && petro_trade_doc_from_name(out, text)) return CLI_EXIT_OK;
    return cli_fail(CLI_EXIT_USAGE,
                    "--doc %s: expected commercial_invoice, bill_of_lading, "
                    "certificate_of_origin, inspection_certificate, packing_list, "
                    "insurance_certificate, phytosanitary_certificate or air_waybill",
                    text != NULL ? text : "(missing)");
}

static int parse_id(uint64_t *id, const cli_args *args) {
    return parse_uint(id, "--id", args_get(args, "id"), 1, UINT64_MAX);
}

/* A time: --NAME-ms MS (absolute) or --NAME-days N from now; fallback days otherwise. */
static int parse_when(uint64_t *out, const cli_args *args, const char *ms_opt,
                      const char *days_opt, uint64_t fallback_days) {
    const char *ms = args_get(args, ms_opt), *days = args_get(args, days_opt);
    if (ms != NULL && days != NULL) {
        return cli_fail(CLI_EXIT_USAGE, "give --%s or --%s, not both", ms_opt, days_opt);
    }
    if (ms != NULL) return parse_uint(out, ms_opt, ms, 1, UINT64_MAX / 2);
    uint64_t d = fallback_days;
    if (days != NULL) {
        int rc = parse_uint(&d, days_opt, days, 1, 3650);
        if (rc != CLI_EXIT_OK) return rc;
    }
    *out = cli_now_ms() + d * DAY_MS;
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ trade transactions */

/* Print the id of the newest contract with this exporter (after a committed create). */
static void print_new_contract(const cli_config *cfg, const char *exporter) {
    node_reply reply;
    if (node_get(cfg, "/v1/trade/contracts", &reply) != CLI_EXIT_OK) return;
    long long best = 0;
    const json_t *list = reply.is_error ? NULL : json_object_get(reply.body, "contracts");
    for (size_t i = 0; json_is_array(list) && i < json_array_size(list); i++) {
        const json_t *c = json_array_get(list, i);
        long long id = 0;
        if (jint(c, "id", &id) && strcmp(jstr_or(c, "exporter", ""), exporter) == 0 && id > best) {
            best = id;
        }
    }
    if (best > 0 && !cfg->json) printf("contract id: %lld\n", best);
    node_reply_deinit(&reply);
}

int cmd_trade_create(const cli_config *cfg, const cli_args *args) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_TRADE_CREATE;
    petro_op_trade_create *t = &op.u.trade_create;
    petro_net_kind kind = PETRO_NET_TEST;
    const char *exporter = args_get(args, "exporter"), *asset = args_get(args, "asset");
    int rc = parse_address_any(&t->exporter, &kind, "--exporter", exporter);
    if (rc == CLI_EXIT_OK) rc = parse_asset(&t->asset, &kind, "--asset", asset ? asset : "PTR");
    if (rc == CLI_EXIT_OK) rc = parse_amount(&t->amount, "--amount", args_get(args, "amount"));
    uint64_t hs = 0;
    if (rc == CLI_EXIT_OK) rc = parse_uint(&hs, "--hs", args_get(args, "hs"), 10000, 979999);
    t->hs_code = (uint32_t)hs;
    if (rc == CLI_EXIT_OK) {
        rc = parse_text_max(t->description, PETRO_TRADE_TEXT_MAX, "--goods",
                            args_get(args, "goods"));
    }
    if (rc == CLI_EXIT_OK) {
        rc = parse_amount(&t->quantity, "--quantity", args_get(args, "quantity"));
    }
    const char *unit = args_get(args, "unit");
    if (rc == CLI_EXIT_OK) {
        rc = parse_text_max(t->unit, PETRO_TRADE_UNIT_MAX, "--unit", unit ? unit : "pcs");
    }
    const char *inc = args_get(args, "incoterm");
    if (rc == CLI_EXIT_OK && !petro_trade_incoterm_from_name(&t->incoterm, inc ? inc : "FOB")) {
        rc = cli_fail(CLI_EXIT_USAGE, "--incoterm %s: expected EXW, FCA, FAS, FOB, CFR, CIF, "
                                      "CPT, CIP, DAP, DPU or DDP", inc);
    }
    if (rc == CLI_EXIT_OK) rc = parse_country(t->origin, "--origin", args_get(args, "origin"));
    if (rc == CLI_EXIT_OK) {
        rc = parse_country(t->destination, "--destination", args_get(args, "destination"));
    }
    if (rc != CLI_EXIT_OK) return rc;
    const char *docs[PETRO_TRADE_DOCS_MAX + 1];
    size_t n = args_get_all(args, "doc", docs, PETRO_TRADE_DOCS_MAX + 1);
    if (n == 0 || n > PETRO_TRADE_DOCS_MAX) {
        return cli_fail(CLI_EXIT_USAGE, "give 1 to %d --doc TYPE", PETRO_TRADE_DOCS_MAX);
    }
    for (size_t i = 0; i < n; i++) {
        rc = parse_doc(&t->doc_types[i], docs[i]);
        if (rc != CLI_EXIT_OK) return rc;
    }
    t->doc_count = (uint8_t)n;
    const char *apps[PETRO_TRADE_APPROVERS_MAX + 1];
    n = args_get_all(args, "approver", apps, PETRO_TRADE_APPROVERS_MAX + 1);
    if (n == 0 || n > PETRO_TRADE_APPROVERS_MAX) {
        return cli_fail(CLI_EXIT_USAGE, "give 1 to %d --approver ADDRESS",
                        PETRO_TRADE_APPROVERS_MAX);
    }
    for (size_t i = 0; i < n; i++) {
        rc = parse_address_any(&t->approvers[i], &kind, "--approver", apps[i]);
        if (rc != CLI_EXIT_OK) return rc;
    }
    t->approver_count = (uint8_t)n;
    uint64_t threshold = n;
    rc = parse_uint_opt(&threshold, "--threshold", args_get(args, "threshold"), 1, n);
    if (rc != CLI_EXIT_OK) return rc;
    t->threshold = (uint8_t)threshold;
    t->allow_partial = args_has(args, "partial") ? 1 : 0;
    rc = parse_when(&t->shipment_deadline_ms, args, "deadline-ms", "ship-days", 30);
    if (rc == CLI_EXIT_OK) rc = parse_when(&t->expiry_ms, args, "expiry-ms", "expiry-days", 60);
    if (rc != CLI_EXIT_OK) return rc;
    if (t->expiry_ms <= t->shipment_deadline_ms) {
        return cli_fail(CLI_EXIT_USAGE, "the expiry must come after the shipment deadline");
    }
    rc = cli_tx_run_op_addr(cfg, args, &op, "--exporter", exporter);
    if (rc == CLI_EXIT_OK && args_has(args, "wait")) print_new_contract(cfg, exporter);
    return rc;
}

static int run_id_op(const cli_config *cfg, const cli_args *args, uint8_t type) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = type;
    int rc = parse_id(&op.u.trade_id.contract_id, args);
    if (rc != CLI_EXIT_OK) return rc;
    return cli_tx_run_op(cfg, args, &op, 0, NULL, NULL);
}

int cmd_trade_fund(const cli_config *cfg, const cli_args *args) {
    return run_id_op(cfg, args, PETRO_OP_TRADE_FUND);
}

int cmd_trade_refund(const cli_config *cfg, const cli_args *args) {
    return run_id_op(cfg, args, PETRO_OP_TRADE_REFUND);
}

int cmd_trade_present(const cli_config *cfg, const cli_args *args) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_TRADE_PRESENT;
    petro_op_trade_present *p = &op.u.trade_present;
    int rc = parse_id(&p->contract_id, args);
    if (rc == CLI_EXIT_OK) rc = parse_doc(&p->doc_type, args_get(args, "doc"));
    const char *ref = args_get(args, "ref");
    if (rc == CLI_EXIT_OK) {
        rc = parse_text_max(p->reference, PETRO_TRADE_TEXT_MAX, "--ref", ref ? ref : "");
    }
    if (rc != CLI_EXIT_OK) return rc;
    rc = parse_file_or_hash(&p->doc_hash, "--file", args_get(args, "file"), "--hash",
                            args_get(args, "hash"));
    if (rc != CLI_EXIT_OK) return rc;
    return cli_tx_run_op(cfg, args, &op, 0, NULL, NULL);
}

int cmd_trade_approve(const cli_config *cfg, const cli_args *args) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_TRADE_APPROVE;
    petro_op_trade_approve *a = &op.u.trade_approve;
    int rc = parse_id(&a->contract_id, args);
    if (rc != CLI_EXIT_OK) return rc;
    a->approve = args_has(args, "reject") ? 0 : 1;
    const char *reason = args_get(args, "reason");
    if (a->approve == 0 && reason == NULL) {
        return cli_fail(CLI_EXIT_USAGE, "--reject needs --reason N (a code > 0)");
    }
    if (reason != NULL) {
        uint64_t r;
        rc = parse_uint(&r, "--reason", reason, 1, UINT16_MAX);
        if (rc != CLI_EXIT_OK) return rc;
        a->reason = (uint16_t)r;
    }
    return cli_tx_run_op(cfg, args, &op, 0, NULL, NULL);
}

int cmd_trade_release(const cli_config *cfg, const cli_args *args) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_TRADE_RELEASE;
    int rc = parse_id(&op.u.trade_release.contract_id, args);
    const char *amount = args_get(args, "amount");
    if (rc == CLI_EXIT_OK && amount != NULL) {
        rc = parse_amount(&op.u.trade_release.amount, "--amount", amount);
    }
    if (rc != CLI_EXIT_OK) return rc;
    return cli_tx_run_op(cfg, args, &op, 0, NULL, NULL);
}

int cmd_trade_dispute(const cli_config *cfg, const cli_args *args) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_TRADE_DISPUTE;
    uint64_t reason = 0;
    int rc = parse_id(&op.u.trade_dispute.contract_id, args);
    if (rc == CLI_EXIT_OK) {
        rc = parse_uint(&reason, "--reason", args_get(args, "reason"), 1, UINT16_MAX);
    }
    if (rc != CLI_EXIT_OK) return rc;
    op.u.trade_dispute.reason = (uint16_t)reason;
    return cli_tx_run_op(cfg, args, &op, 0, NULL, NULL);
}

int cmd_trade_resolve(const cli_config *cfg, const cli_args *args) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_TRADE_RESOLVE;
    int rc = parse_id(&op.u.trade_resolve.contract_id, args);
    if (rc == CLI_EXIT_OK) {
        rc = parse_amount_nonneg(&op.u.trade_resolve.exporter_amount, "--exporter-amount",
                                 args_get(args, "exporter-amount"));
    }
    if (rc != CLI_EXIT_OK) return rc;
    return cli_tx_run_op(cfg, args, &op, 0, NULL, NULL);
}

/* The amendment fields and the message the other party signs (needs the contract's
 * amend_count from the node). */
static int amend_fields(const cli_config *cfg, const cli_args *args, petro_op_trade_amend *a,
                        petro_hash *msg) {
    int rc = parse_id(&a->contract_id, args);
    if (rc == CLI_EXIT_OK) rc = parse_amount(&a->amount, "--amount", args_get(args, "amount"));
    if (rc == CLI_EXIT_OK) {
        rc = parse_when(&a->shipment_deadline_ms, args, "deadline-ms", "ship-days", 30);
    }
    if (rc == CLI_EXIT_OK) rc = parse_when(&a->expiry_ms, args, "expiry-ms", "expiry-days", 60);
    if (rc != CLI_EXIT_OK) return rc;
    char path[64];
    snprintf(path, sizeof path, "/v1/trade/contracts/%llu", (unsigned long long)a->contract_id);
    node_reply reply;
    rc = node_get_ok(cfg, path, "cannot read the contract", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    long long count = 0;
    bool ok = jint(reply.body, "amend_count", &count) && count >= 0 && count <= UINT32_MAX;
    node_reply_deinit(&reply);
    if (!ok) return cli_fail(CLI_EXIT_FAILED, "the node's contract has no amend_count");
    petro_trade_amend_message(msg, a->contract_id, (uint32_t)count, a->amount,
                              a->shipment_deadline_ms, a->expiry_ms);
    return CLI_EXIT_OK;
}

static int sign_with(const cli_config *cfg, const char *path, const petro_hash *msg,
                     petro_sig *sig) {
    petro_net_kind kind = PETRO_NET_TEST;
    if (!node_probe_net_kind(cfg, &kind)) kind = PETRO_NET_TEST;
    wallet_key key;
    memset(&key, 0, sizeof key);
    int rc = wallet_open(cfg, path, kind, &key);
    if (rc != CLI_EXIT_OK) return rc;
    petro_sign(sig, msg->bytes, sizeof msg->bytes, key.sk);
    wallet_key_deinit(&key);
    return CLI_EXIT_OK;
}

/* The other party countersigns: prints the signature to give to the submitting party. */
int cmd_trade_amend_sign(const cli_config *cfg, const cli_args *args) {
    petro_op_trade_amend a;
    memset(&a, 0, sizeof a);
    petro_hash msg;
    int rc = amend_fields(cfg, args, &a, &msg);
    if (rc != CLI_EXIT_OK) return rc;
    petro_sig sig;
    rc = sign_with(cfg, args_get(args, "wallet"), &msg, &sig);
    if (rc != CLI_EXIT_OK) return rc;
    char hex[129];
    petro_hex_encode(hex, sig.bytes, sizeof sig.bytes);
    printf("%s\n", hex);
    if (!cfg->json) {
        fprintf(stderr, "countersignature of contract %llu: amount, deadline-ms %llu, "
                        "expiry-ms %llu (give the same values to petro trade amend)\n",
                (unsigned long long)a.contract_id, (unsigned long long)a.shipment_deadline_ms,
                (unsigned long long)a.expiry_ms);
    }
    return CLI_EXIT_OK;
}

int cmd_trade_amend(const cli_config *cfg, const cli_args *args) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_TRADE_AMEND;
    petro_op_trade_amend *a = &op.u.trade_amend;
    petro_hash msg;
    int rc = amend_fields(cfg, args, a, &msg);
    if (rc != CLI_EXIT_OK) return rc;
    const char *hex = args_get(args, "counter-sig"), *wallet = args_get(args, "counter-wallet");
    if ((hex == NULL) == (wallet == NULL)) {
        return cli_fail(CLI_EXIT_USAGE,
                        "give exactly one of --counter-sig HEX (from petro trade amend-sign) "
                        "and --counter-wallet FILE (the other party's wallet)");
    }
    if (hex != NULL) {
        if (strlen(hex) != 128 ||
            petro_hex_decode(a->counter_sig.bytes, 64, hex, 128) != PETRO_OK) {
            return cli_fail(CLI_EXIT_USAGE, "--counter-sig: expected 128 hex characters");
        }
    } else {
        rc = sign_with(cfg, wallet, &msg, &a->counter_sig);
        if (rc != CLI_EXIT_OK) return rc;
    }
    return cli_tx_run_op(cfg, args, &op, 0, NULL, NULL);
}

int cmd_trade_target(const cli_config *cfg, const cli_args *args) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_TRADE_TARGET;
    petro_op_trade_target *t = &op.u.trade_target;
    petro_net_kind kind = PETRO_NET_TEST;
    const char *asset = args_get(args, "asset");
    uint64_t base, target, growth;
    int rc = parse_country(t->origin, "--origin", args_get(args, "origin"));
    if (rc == CLI_EXIT_OK) {
        rc = parse_country(t->destination, "--destination", args_get(args, "destination"));
    }
    if (rc == CLI_EXIT_OK) rc = parse_asset(&t->asset, &kind, "--asset", asset ? asset : "PTR");
    if (rc == CLI_EXIT_OK) {
        rc = parse_uint(&base, "--base-year", args_get(args, "base-year"), 1970, 9998);
    }
    if (rc == CLI_EXIT_OK) {
        rc = parse_uint(&target, "--target-year", args_get(args, "target-year"), base + 1, 9999);
    }
    if (rc == CLI_EXIT_OK) {
        rc = parse_uint(&growth, "--growth-pct", args_get(args, "growth-pct"), 0, 10000);
    }
    if (rc != CLI_EXIT_OK) return rc;
    t->base_year = (uint16_t)base;
    t->target_year = (uint16_t)target;
    t->growth_bps = (uint32_t)(growth * 100);
    return cli_tx_run_op_addr(cfg, args, &op, "--asset",
                              asset_issuer_text(&t->asset, asset ? asset : "PTR"));
}

/* ------------------------------------------------------------------ trade queries */

static void print_contract_line(const json_t *c) {
    long long id = 0;
    (void)jint(c, "id", &id);
    printf("%-5lld %-9s %18s %-6s %18s  %s %s->%s  %s\n", id, jstr_or(c, "state", "?"),
           jstr_or(c, "amount", "?"),
           strncmp(jstr_or(c, "asset", "?"), "PTR", 3) == 0 ? "PTR" : "issued",
           jstr_or(c, "locked", "?"), jstr_or(c, "incoterm", "?"), jstr_or(c, "origin", "?"),
           jstr_or(c, "destination", "?"), jstr_or(c, "description", ""));
}

int cmd_trade_show(const cli_config *cfg, const cli_args *args) {
    uint64_t id;
    int rc = parse_uint(&id, "ID", args->positional[0], 1, UINT64_MAX);
    if (rc != CLI_EXIT_OK) return rc;
    char path[64];
    snprintf(path, sizeof path, "/v1/trade/contracts/%llu", (unsigned long long)id);
    node_reply reply;
    rc = node_get_ok(cfg, path, "cannot read the contract", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) return node_reply_out_json(&reply);
    const json_t *c = reply.body;
    long long v = 0;
    out_kv("contract", "%llu (%s)", (unsigned long long)id, jstr_or(c, "state", "?"));
    out_kv("importer", "%s", jstr_or(c, "importer", "?"));
    out_kv("exporter", "%s", jstr_or(c, "exporter", "?"));
    out_kv("amount", "%s %s", jstr_or(c, "amount", "?"), jstr_or(c, "asset", "?"));
    out_kv("escrow", "%s locked, %s released, %s refunded", jstr_or(c, "locked", "?"),
           jstr_or(c, "released", "?"), jstr_or(c, "refunded", "?"));
    (void)jint(c, "hs_code", &v);
    out_kv("goods", "%s %s of %s (HS %06lld)", jstr_or(c, "quantity", "?"), jstr_or(c, "unit", ""),
           jstr_or(c, "description", ""), v);
    out_kv("route", "%s %s -> %s", jstr_or(c, "incoterm", "?"), jstr_or(c, "origin", "?"),
           jstr_or(c, "destination", "?"));
    char when[64];
    (void)jint(c, "shipment_deadline_ms", &v);
    describe_time_ms(when, sizeof when, v);
    out_kv("ship by", "%s", when);
    (void)jint(c, "expiry_ms", &v);
    describe_time_ms(when, sizeof when, v);
    out_kv("expires", "%s", when);
    const json_t *docs = json_object_get(c, "documents");
    for (size_t i = 0; json_is_array(docs) && i < json_array_size(docs); i++) {
        out_kv(i == 0 ? "required" : "", "%s", json_string_value(json_array_get(docs, i)));
    }
    long long threshold = 0, shipment = 0;
    (void)jint(c, "threshold", &threshold);
    (void)jint(c, "shipment", &shipment);
    const json_t *apps = json_object_get(c, "approvers");
    const json_t *ok_by = json_object_get(c, "approved_by");
    out_kv("approvals", "%zu of %lld needed (shipment %lld)",
           json_is_array(ok_by) ? json_array_size(ok_by) : 0, threshold, shipment);
    for (size_t i = 0; json_is_array(apps) && i < json_array_size(apps); i++) {
        const char *a = json_string_value(json_array_get(apps, i));
        bool approved = false;
        for (size_t k = 0; json_is_array(ok_by) && k < json_array_size(ok_by); k++) {
            const char *b = json_string_value(json_array_get(ok_by, k));
            if (a != NULL && b != NULL && strcmp(a, b) == 0) approved = true;
        }
        out_kv(i == 0 ? "approvers" : "", "%s%s", a ? a : "?", approved ? "  (approved)" : "");
    }
    const json_t *pres = json_object_get(c, "presented");
    for (size_t i = 0; json_is_array(pres) && i < json_array_size(pres); i++) {
        const json_t *d = json_array_get(pres, i);
        long long ship = 0, t = 0;
        (void)jint(d, "shipment", &ship);
        (void)jint(d, "time_ms", &t);
        describe_time_ms(when, sizeof when, t);
        out_kv(i == 0 ? "presented" : "", "shipment %lld %s \"%s\" hash %.16s... at %s", ship,
               jstr_or(d, "type", "?"), jstr_or(d, "reference", ""), jstr_or(d, "hash", "?"),
               when);
    }
    const char *by = jstr(c, "disputed_by");
    if (by != NULL) {
        (void)jint(c, "dispute_reason", &v);
        out_kv("dispute", "opened by the %s, reason %lld", by, v);
    }
    node_reply_deinit(&reply);
    return CLI_EXIT_OK;
}

int cmd_trade_list(const cli_config *cfg, const cli_args *args) {
    char path[256] = "/v1/trade/contracts";
    const char *party = args_get(args, "party"), *state = args_get(args, "state");
    char sep = '?';
    if (party != NULL) {
        petro_pubkey pk;
        petro_net_kind kind;
        int rc = parse_address_any(&pk, &kind, "--party", party);
        if (rc != CLI_EXIT_OK) return rc;
        size_t n = strlen(path);
        snprintf(path + n, sizeof path - n, "%cparty=%s", sep, party);
        sep = '&';
    }
    if (state != NULL) {
        if (strlen(state) > 16) return cli_fail(CLI_EXIT_USAGE, "--state: unknown state");
        size_t n = strlen(path);
        snprintf(path + n, sizeof path - n, "%cstate=%s", sep, state);
    }
    node_reply reply;
    int rc = node_get_ok(cfg, path, "cannot list contracts", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) return node_reply_out_json(&reply);
    const json_t *list = json_object_get(reply.body, "contracts");
    if (!json_is_array(list) || json_array_size(list) == 0) {
        printf("(no contracts)\n");
    } else {
        printf("%-5s %-9s %18s %-6s %18s  %s\n", "ID", "STATE", "AMOUNT", "ASSET", "LOCKED",
               "TERMS");
        for (size_t i = 0; i < json_array_size(list); i++) {
            print_contract_line(json_array_get(list, i));
        }
    }
    node_reply_deinit(&reply);
    return CLI_EXIT_OK;
}

int cmd_trade_targets(const cli_config *cfg, const cli_args *args) {
    (void)args;
    node_reply reply;
    int rc = node_get_ok(cfg, "/v1/trade/targets", "cannot read the targets", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) return node_reply_out_json(&reply);
    const json_t *list = json_object_get(reply.body, "targets");
    if (!json_is_array(list) || json_array_size(list) == 0) printf("(no targets)\n");
    for (size_t i = 0; json_is_array(list) && i < json_array_size(list); i++) {
        const json_t *t = json_array_get(list, i);
        long long base = 0, target = 0, growth = 0, progress = -1;
        (void)jint(t, "base_year", &base);
        (void)jint(t, "target_year", &target);
        (void)jint(t, "growth_bps", &growth);
        char prog[32] = "n/a (no base-year turnover)";
        if (jint(t, "progress_bps", &progress)) {
            snprintf(prog, sizeof prog, "%lld.%02lld%%", progress / 100, progress % 100);
        }
        printf("%s->%s %s: %lld turnover %s; target %lld = +%lld.%02lld%% = %s; so far %s (%s)\n",
               jstr_or(t, "origin", "?"), jstr_or(t, "destination", "?"),
               jstr_or(t, "asset", "?"), base, jstr_or(t, "base_turnover", "?"), target,
               growth / 100, growth % 100, jstr_or(t, "target_turnover", "?"),
               jstr_or(t, "current_turnover", "?"), prog);
    }
    node_reply_deinit(&reply);
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ zones */

int cmd_zone_create(const cli_config *cfg, const cli_args *args) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_ZONE_CREATE;
    uint64_t id;
    int rc = parse_uint(&id, "--id", args_get(args, "id"), 1, UINT32_MAX);
    if (rc == CLI_EXIT_OK) {
        rc = parse_text_max(op.u.zone_create.name, PETRO_TRADE_TEXT_MAX, "--name",
                            args_get(args, "name"));
    }
    if (rc == CLI_EXIT_OK) {
        rc = parse_country(op.u.zone_create.country, "--country", args_get(args, "country"));
    }
    if (rc != CLI_EXIT_OK) return rc;
    op.u.zone_create.zone_id = (uint32_t)id;
    return cli_tx_run_op(cfg, args, &op, 0, NULL, NULL);
}

int cmd_zone_policy(const cli_config *cfg, const cli_args *args) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_ZONE_POLICY;
    petro_op_zone_policy *p = &op.u.zone_policy;
    uint64_t id, fee = 0, tier = 0;
    int rc = parse_uint(&id, "--id", args_get(args, "id"), 1, UINT32_MAX);
    const char *lim = args_get(args, "limit");
    if (rc == CLI_EXIT_OK) {
        rc = parse_uint_opt(&fee, "--fee-bps", args_get(args, "fee-bps"), 0,
                            PETRO_ZONE_FEE_BPS_MAX);
    }
    if (rc == CLI_EXIT_OK && lim != NULL) rc = parse_amount_nonneg(&p->tx_limit, "--limit", lim);
    if (rc == CLI_EXIT_OK) {
        rc = parse_uint_opt(&tier, "--min-tier", args_get(args, "min-tier"), 0, PETRO_KYC_TIER_MAX);
    }
    if (rc != CLI_EXIT_OK) return rc;
    p->zone_id = (uint32_t)id;
    p->fee_bps = (uint16_t)fee;
    p->min_kyc_tier = (uint8_t)tier;
    const char *assets[PETRO_ZONE_ASSETS_MAX + 1];
    size_t n = args_get_all(args, "allow", assets, PETRO_ZONE_ASSETS_MAX + 1);
    if (n > PETRO_ZONE_ASSETS_MAX) {
        return cli_fail(CLI_EXIT_USAGE, "at most %d --allow ASSET", PETRO_ZONE_ASSETS_MAX);
    }
    petro_net_kind kind = PETRO_NET_TEST;
    const char *whats[PETRO_ZONE_ASSETS_MAX], *texts[PETRO_ZONE_ASSETS_MAX];
    size_t addr = 0;
    for (size_t i = 0; i < n; i++) {
        rc = parse_asset(&p->assets[i], &kind, "--allow", assets[i]);
        if (rc != CLI_EXIT_OK) return rc;
        const char *issuer = asset_issuer_text(&p->assets[i], assets[i]);
        if (issuer != NULL) {
            whats[addr] = "--allow";
            texts[addr++] = issuer;
        }
    }
    p->asset_count = (uint8_t)n;
    return cli_tx_run_op(cfg, args, &op, addr, whats, texts);
}

int cmd_zone_assign(const cli_config *cfg, const cli_args *args) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_ZONE_ASSIGN;
    petro_net_kind kind;
    uint64_t zone;
    const char *account = args_get(args, "account");
    int rc = parse_address_any(&op.u.zone_assign.account, &kind, "--account", account);
    if (rc == CLI_EXIT_OK) rc = parse_uint(&zone, "--zone", args_get(args, "zone"), 0, UINT32_MAX);
    if (rc != CLI_EXIT_OK) return rc;
    op.u.zone_assign.zone_id = (uint32_t)zone;
    return cli_tx_run_op_addr(cfg, args, &op, "--account", account);
}

int cmd_zone_kyc(const cli_config *cfg, const cli_args *args) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_SET_KYC_TIER;
    petro_net_kind kind;
    uint64_t tier;
    const char *account = args_get(args, "account");
    int rc = parse_address_any(&op.u.set_kyc_tier.account, &kind, "--account", account);
    if (rc == CLI_EXIT_OK) {
        rc = parse_uint(&tier, "--tier", args_get(args, "tier"), 0, PETRO_KYC_TIER_MAX);
    }
    if (rc != CLI_EXIT_OK) return rc;
    op.u.set_kyc_tier.tier = (uint8_t)tier;
    return cli_tx_run_op_addr(cfg, args, &op, "--account", account);
}

static void print_zone(const json_t *z) {
    long long id = 0, fee = 0, tier = 0;
    (void)jint(z, "id", &id);
    (void)jint(z, "fee_bps", &fee);
    (void)jint(z, "min_kyc_tier", &tier);
    const json_t *assets = json_object_get(z, "allowed_assets");
    char allowed[256] = "any";
    if (json_is_array(assets)) {
        allowed[0] = '\0';
        for (size_t i = 0; i < json_array_size(assets); i++) {
            const char *a = json_string_value(json_array_get(assets, i));
            size_t n = strlen(allowed);
            snprintf(allowed + n, sizeof allowed - n, "%s%.*s", i ? "," : "",
                     (int)strcspn(a ? a : "?", ":"), a ? a : "?");
        }
    }
    printf("%-4lld %-2s %-32s fee %lld.%02lld%%  limit %s  min tier %lld  assets %s\n", id,
           jstr_or(z, "country", "?"), jstr_or(z, "name", "?"), fee / 100, fee % 100,
           jstr_or(z, "tx_limit", "none"), tier, allowed);
}

int cmd_zone_list(const cli_config *cfg, const cli_args *args) {
    (void)args;
    node_reply reply;
    int rc = node_get_ok(cfg, "/v1/zones", "cannot list zones", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) return node_reply_out_json(&reply);
    const json_t *list = json_object_get(reply.body, "zones");
    if (!json_is_array(list) || json_array_size(list) == 0) printf("(no zones)\n");
    for (size_t i = 0; json_is_array(list) && i < json_array_size(list); i++) {
        print_zone(json_array_get(list, i));
    }
    node_reply_deinit(&reply);
    return CLI_EXIT_OK;
}

int cmd_zone_show(const cli_config *cfg, const cli_args *args) {
    uint64_t id;
    int rc = parse_uint(&id, "ID", args->positional[0], 1, UINT32_MAX);
    if (rc != CLI_EXIT_OK) return rc;
    char path[64];
    snprintf(path, sizeof path, "/v1/zones/%llu", (unsigned long long)id);
    node_reply reply;
    rc = node_get_ok(cfg, path, "cannot read the zone", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) {
        rc = out_json(reply.body);
    } else {
        print_zone(reply.body);
        out_kv("authority", "%s", jstr_or(reply.body, "authority", "?"));
    }
    node_reply_deinit(&reply);
    return rc;
}

/* ------------------------------------------------------------------ statistics */

int cmd_stats_trade(const cli_config *cfg, const cli_args *args) {
    const char *group = args_get(args, "group"), *period = args_get(args, "period");
    const char *asset = args_get(args, "asset");
    if (group == NULL) group = "total";
    if (period == NULL) period = "month";
    if (strlen(group) > 16 || strlen(period) > 8 || (asset != NULL && strlen(asset) > 120)) {
        return cli_fail(CLI_EXIT_USAGE, "--group, --period or --asset too long");
    }
    char path[256];
    snprintf(path, sizeof path, "/v1/stats/trade?group=%s&period=%s%s%s", group, period,
             asset != NULL ? "&asset=" : "", asset != NULL ? asset : "");
    node_reply reply;
    int rc = node_get_ok(cfg, path, "cannot read the trade statistics", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) return node_reply_out_json(&reply);
    const json_t *rows = json_object_get(reply.body, "rows");
    bool yearly = strcmp(period, "year") == 0;
    printf("trade turnover by %s and %s (releases out of escrow)\n", group, period);
    if (!json_is_array(rows) || json_array_size(rows) == 0) {
        printf("(no releases yet)\n");
        node_reply_deinit(&reply);
        return CLI_EXIT_OK;
    }
    printf("%-14s %-8s %-6s %8s %22s\n", "GROUP", yearly ? "YEAR" : "MONTH", "ASSET", "COUNT",
           "VALUE");
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const json_t *r = json_array_get(rows, i);
        char key[32] = "all";
        long long v = 0;
        if (json_object_get(r, "origin") != NULL) {
            snprintf(key, sizeof key, "%s->%s", jstr_or(r, "origin", "?"),
                     jstr_or(r, "destination", "?"));
        } else if (jint(r, "hs_chapter", &v)) {
            snprintf(key, sizeof key, "HS %02lld", v);
        } else if (json_object_get(r, "zone") != NULL) {
            if (jint(r, "zone", &v)) {
                snprintf(key, sizeof key, "zone %lld", v);
            } else {
                snprintf(key, sizeof key, "no zone");
            }
        }
        const char *a = jstr_or(r, "asset", "?");
        long long count = 0;
        (void)jint(r, "count", &count);
        printf("%-14s %-8s %-6.*s %8lld %22s\n", key,
               jstr_or(r, yearly ? "year" : "month", "?"), (int)strcspn(a, ":"), a, count,
               jstr_or(r, "value", "?"));
    }
    node_reply_deinit(&reply);
    return CLI_EXIT_OK;
}
