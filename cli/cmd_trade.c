/* petro CLI, trade family (docs/trade.md, docs/cli.md "Trade"):
 *
 *   petro trade create|fund|present|approve|release|refund|dispute|resolve|amend-sign|amend|
 *               show|list
 *   petro stats trade
 *
 * The transaction commands are aliases of the family's operations (family.h), built and
 * checked by cmd_op.c. What the schema cannot default is computed here first: times given in
 * days from now, the approval threshold (default: every approver), a document file's hash
 * (BLAKE2b-256; only the hash and a reference go on the ledger), and an amendment's
 * countersignature over the node's network id and the contract's amend count read from it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_op.h"
#include "family.h"
#include "http.h"
#include "output.h"
#include "parse.h"

#define DAY_MS UINT64_C(86400000)
#define U64_TEXT_SIZE 24

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

/* parse_when as the text of the --MS option, set in args for the alias to read. */
static int set_when(cli_args *args, char text[U64_TEXT_SIZE], const char *ms_opt,
                    const char *days_opt, uint64_t fallback_days) {
    uint64_t when = 0;
    int rc = parse_when(&when, args, ms_opt, days_opt, fallback_days);
    if (rc != CLI_EXIT_OK) return rc;
    (void)snprintf(text, U64_TEXT_SIZE, "%" PRIu64, when);
    return args_set(args, ms_opt, text);
}

/* ------------------------------------------------------------------ trade transactions */

static const cli_opt CREATE_OPTS[] = {
    {"exporter", "ADDRESS", .is_required = true, .field = "exporter"},
    {"amount", "DECIMAL", .is_required = true, .field = "amount"},
    {"asset", "PTR|CODE:ISSUER", .field = "asset", .fallback = "PTR"},
    {"hs", "HSCODE", .is_required = true, .field = "hs_code"},
    {"goods", "TEXT", .is_required = true, .field = "description"},
    {"quantity", "DECIMAL", .is_required = true, .field = "quantity"},
    {"unit", "TEXT", .field = "unit", .fallback = "pcs"},
    {"incoterm", "TERM", .field = "incoterm", .fallback = "FOB"},
    {"origin", "CC", .is_required = true, .field = "origin"},
    {"destination", "CC", .is_required = true, .field = "destination"},
    {"doc", "TYPE", .is_repeatable = true, .is_required = true, .field = "documents"},
    {"approver", "ADDRESS", .is_repeatable = true, .is_required = true, .field = "approvers"},
    {"threshold", "N", .field = "threshold"}, /* default: every approver (cmd_trade_create) */
    {"partial", NULL, .field = "allow_partial", .value = "true"},
    {"ship-days", "N", .is_required = false},
    {"deadline-ms", "MS", .field = "shipment_deadline_ms"},
    {"expiry-days", "N", .is_required = false},
    {"expiry-ms", "MS", .field = "expiry_ms"},
    {.name = NULL},
};
static const cli_alias CREATE = {"trade_create", NULL};

static const cli_opt ID_OPTS[] = {
    {"id", "ID", .is_required = true, .field = "contract_id"},
    {.name = NULL},
};
static const cli_alias FUND = {"trade_fund", NULL};
static const cli_alias REFUND = {"trade_refund", NULL};

static const cli_opt PRESENT_OPTS[] = {
    {"id", "ID", .is_required = true, .field = "contract_id"},
    {"doc", "TYPE", .is_required = true, .field = "document"},
    {"file", "FILE", .is_required = false},
    {"hash", "HEX", .field = "document_hash"}, /* or the hash of --file (cmd_trade_present) */
    {"ref", "TEXT", .field = "reference"},
    {.name = NULL},
};
static const cli_alias PRESENT = {"trade_present", NULL};

static const cli_opt APPROVE_OPTS[] = {
    {"id", "ID", .is_required = true, .field = "contract_id"},
    {"reject", NULL, .field = "approve", .value = "false", .fallback = "true"},
    {"reason", "N", .field = "reason"},
    {.name = NULL},
};
static const cli_alias APPROVE = {"trade_approve", NULL};

static const cli_opt RELEASE_OPTS[] = {
    {"id", "ID", .is_required = true, .field = "contract_id"},
    {"amount", "DECIMAL", .field = "amount"},
    {.name = NULL},
};
static const cli_alias RELEASE = {"trade_release", NULL};

static const cli_opt DISPUTE_OPTS[] = {
    {"id", "ID", .is_required = true, .field = "contract_id"},
    {"reason", "N", .is_required = true, .field = "reason"},
    {.name = NULL},
};
static const cli_alias DISPUTE = {"trade_dispute", NULL};

static const cli_opt RESOLVE_OPTS[] = {
    {"id", "ID", .is_required = true, .field = "contract_id"},
    {"exporter-amount", "DECIMAL", .is_required = true, .field = "exporter_amount"},
    {.name = NULL},
};
static const cli_alias RESOLVE = {"trade_resolve", NULL};

/* amend-sign and amend build the same operation; amend-sign signs it instead of sending it. */
#define AMEND_TERMS_OPTS                                                                       \
    {"id", "ID", .is_required = true, .field = "contract_id"},                                 \
        {"amount", "DECIMAL", .is_required = true, .field = "amount"},                         \
        {"ship-days", "N", .is_required = false},                                              \
        {"deadline-ms", "MS", .field = "shipment_deadline_ms"},                                \
        {"expiry-days", "N", .is_required = false}, {"expiry-ms", "MS", .field = "expiry_ms"}
static const cli_opt AMEND_SIGN_OPTS[] = {
    AMEND_TERMS_OPTS,
    {"wallet", "FILE", .is_required = true},
    {.name = NULL},
};
static const cli_opt AMEND_OPTS[] = {
    AMEND_TERMS_OPTS,
    {"counter-sig", "HEX", .field = "counter_sig"},
    {"counter-wallet", "FILE", .is_required = false},
    {.name = NULL},
};
static const cli_alias AMEND = {"trade_amend", NULL};

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

/* Days to times, the threshold (default: every approver), then the alias; after a committed
 * create (--wait), the new contract's id. */
static int cmd_trade_create(const cli_config *cfg, const cli_args *args) {
    cli_args copy = *args;
    char deadline[U64_TEXT_SIZE], expiry[U64_TEXT_SIZE], threshold[U64_TEXT_SIZE];
    int rc = set_when(&copy, deadline, "deadline-ms", "ship-days", 30);
    if (rc == CLI_EXIT_OK) rc = set_when(&copy, expiry, "expiry-ms", "expiry-days", 60);
    if (rc != CLI_EXIT_OK) return rc;
    if (strtoull(expiry, NULL, 10) <= strtoull(deadline, NULL, 10)) {
        return cli_fail(CLI_EXIT_USAGE, "the expiry must come after the shipment deadline");
    }
    if (!args_has(args, "threshold")) {
        const char *unused[CLI_ARGS_OPTS_MAX];
        size_t n = args_get_all(args, "approver", unused, CLI_ARGS_OPTS_MAX);
        (void)snprintf(threshold, sizeof threshold, "%zu", n);
        rc = args_set(&copy, "threshold", threshold);
        if (rc != CLI_EXIT_OK) return rc;
    }
    rc = cmd_alias(cfg, &copy);
    if (rc == CLI_EXIT_OK && args_has(args, "wait")) {
        print_new_contract(cfg, args_get(args, "exporter"));
    }
    return rc;
}

/* The document's hash: hash --file, or --hash. */
static int cmd_trade_present(const cli_config *cfg, const cli_args *args) {
    petro_hash doc;
    int rc = parse_file_or_hash(&doc, "--file", args_get(args, "file"), "--hash",
                                args_get(args, "hash"));
    if (rc != CLI_EXIT_OK) return rc;
    char hex[65];
    petro_hex_encode(hex, doc.bytes, sizeof doc.bytes);
    return cmd_alias_with(cfg, args, "hash", hex);
}

/* A date of the amendment: --MS or --DAYS from now when given, else the contract's current
 * value (current: from the node), so both parties sign the same bytes and an amendment of
 * the amount alone keeps the dates. */
static int amend_when(cli_args *copy, char text[U64_TEXT_SIZE], const char *ms_opt,
                      const char *days_opt, long long current) {
    if (args_has(copy, ms_opt) || args_has(copy, days_opt)) {
        return set_when(copy, text, ms_opt, days_opt, 0);
    }
    (void)snprintf(text, U64_TEXT_SIZE, "%lld", current);
    return args_set(copy, ms_opt, text);
}

/* The amendment and the message the other party signs, which needs the node's network id
 * and kind (GET /v1/status; the kind opens the wallets) and the contract's amend_count (and,
 * for dates left out, its current dates). copy receives the times used. */
static int amend_build(const cli_config *cfg, cli_args *copy, char times[2][U64_TEXT_SIZE],
                       cli_tx_op *txo, petro_net_kind *net,
                       uint8_t msg[PETRO_TRADE_AMEND_MESSAGE_SIZE]) {
    uint64_t id = 0;
    int rc = parse_uint(&id, "--id", args_get(copy, "id"), 1, UINT64_MAX);
    if (rc != CLI_EXIT_OK) return rc;
    petro_hash network_id;
    rc = node_status(cfg, net, &network_id, NULL);
    if (rc != CLI_EXIT_OK) return rc;
    char path[64];
    (void)snprintf(path, sizeof path, "/v1/trade/contracts/%" PRIu64, id);
    node_reply reply;
    rc = node_get_ok(cfg, path, "cannot read the contract", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    long long count = 0, deadline = 0, expiry = 0;
    bool ok = jint(reply.body, "amend_count", &count) && count >= 0 && count <= UINT32_MAX &&
              jint(reply.body, "shipment_deadline_ms", &deadline) && deadline > 0 &&
              jint(reply.body, "expiry_ms", &expiry) && expiry > 0;
    node_reply_deinit(&reply);
    if (!ok) {
        return cli_fail(CLI_EXIT_FAILED,
                        "the node's contract lacks amend_count or its dates");
    }
    rc = amend_when(copy, times[0], "deadline-ms", "ship-days", deadline);
    if (rc == CLI_EXIT_OK) rc = amend_when(copy, times[1], "expiry-ms", "expiry-days", expiry);
    if (rc == CLI_EXIT_OK) rc = cmd_op_build_alias(txo, copy);
    if (rc != CLI_EXIT_OK) return rc;
    const petro_op_trade_amend *a = &txo->op.u.trade_amend;
    petro_trade_amend_message(msg, &network_id, a->contract_id, (uint32_t)count, a->amount,
                              a->shipment_deadline_ms, a->expiry_ms);
    return CLI_EXIT_OK;
}

/* A wallet is opened for the node's network kind (devnet wallets only on test networks). */
static int sign_with(const cli_config *cfg, const char *path, petro_net_kind kind,
                     const uint8_t msg[PETRO_TRADE_AMEND_MESSAGE_SIZE], petro_sig *sig) {
    wallet_key key;
    memset(&key, 0, sizeof key);
    int rc = wallet_open(cfg, path, kind, &key);
    if (rc != CLI_EXIT_OK) return rc;
    petro_sign_in(sig, PETRO_DOMAIN_TRADE_AMEND, msg, PETRO_TRADE_AMEND_MESSAGE_SIZE, key.sk);
    wallet_key_deinit(&key);
    return CLI_EXIT_OK;
}

/* The other party countersigns: prints the signature to give to the submitting party. */
static int cmd_trade_amend_sign(const cli_config *cfg, const cli_args *args) {
    cli_args copy = *args;
    char times[2][U64_TEXT_SIZE];
    cli_tx_op txo;
    petro_net_kind net = PETRO_NET_TEST;
    uint8_t msg[PETRO_TRADE_AMEND_MESSAGE_SIZE];
    int rc = amend_build(cfg, &copy, times, &txo, &net, msg);
    if (rc != CLI_EXIT_OK) return rc;
    petro_sig sig;
    rc = sign_with(cfg, args_get(args, "wallet"), net, msg, &sig);
    if (rc != CLI_EXIT_OK) return rc;
    char hex[129];
    petro_hex_encode(hex, sig.bytes, sizeof sig.bytes);
    printf("%s\n", hex);
    if (!cfg->json) {
        const petro_op_trade_amend *a = &txo.op.u.trade_amend;
        fprintf(stderr, "countersignature of contract %" PRIu64 ": amount %s, deadline-ms %" PRIu64
                        ", expiry-ms %" PRIu64 " (petro trade amend with the same amount and "
                        "the same or no dates)\n",
                a->contract_id, args_get(args, "amount"), a->shipment_deadline_ms, a->expiry_ms);
    }
    return CLI_EXIT_OK;
}

static int cmd_trade_amend(const cli_config *cfg, const cli_args *args) {
    const char *hex = args_get(args, "counter-sig"), *wallet = args_get(args, "counter-wallet");
    if ((hex == NULL) == (wallet == NULL)) {
        return cli_fail(CLI_EXIT_USAGE,
                        "give exactly one of --counter-sig HEX (from petro trade amend-sign) "
                        "and --counter-wallet FILE (the other party's wallet)");
    }
    cli_args copy = *args;
    char times[2][U64_TEXT_SIZE];
    cli_tx_op txo;
    petro_net_kind net = PETRO_NET_TEST;
    uint8_t msg[PETRO_TRADE_AMEND_MESSAGE_SIZE];
    int rc = amend_build(cfg, &copy, times, &txo, &net, msg);
    if (rc == CLI_EXIT_OK && wallet != NULL) {
        rc = sign_with(cfg, wallet, net, msg, &txo.op.u.trade_amend.counter_sig);
    }
    return rc == CLI_EXIT_OK ? cli_tx_submit(cfg, &copy, &txo) : rc;
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

static int cmd_trade_show(const cli_config *cfg, const cli_args *args) {
    node_reply reply;
    int rc = node_get_id(cfg, "/v1/trade/contracts", args->positional[0], UINT64_MAX,
                         "cannot read the contract", &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) return node_reply_out_json(&reply);
    const json_t *c = reply.body;
    long long v = 0;
    (void)jint(c, "id", &v);
    out_kv("contract", "%lld (%s)", v, jstr_or(c, "state", "?"));
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
    long long threshold = 0, shipment = 0, releases = 0;
    (void)jint(c, "threshold", &threshold);
    (void)jint(c, "shipment", &shipment);
    (void)jint(c, "release_count", &releases);
    const json_t *apps = json_object_get(c, "approvers");
    const json_t *ok_by = json_object_get(c, "approved_by");
    /* Every release moves the ledger's shipment counter on, the last one too: a closed
     * contract has no next shipment to approve (and its approvals were cleared). */
    const char *state = jstr_or(c, "state", "?");
    bool is_closed = strcmp(state, "released") == 0 || strcmp(state, "refunded") == 0 ||
                     strcmp(state, "resolved") == 0;
    if (is_closed) {
        out_kv("approvals", "none pending (%s; %lld release%s)", state, releases,
               releases == 1 ? "" : "s");
    } else {
        out_kv("approvals", "%zu of %lld needed (shipment %lld)",
               json_is_array(ok_by) ? json_array_size(ok_by) : 0, threshold, shipment);
    }
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

static int cmd_trade_list(const cli_config *cfg, const cli_args *args) {
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

/* ------------------------------------------------------------------ statistics */

static int cmd_stats_trade(const cli_config *cfg, const cli_args *args) {
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

/* ------------------------------------------------------------------ the family's table */

static const cli_opt NO_OPTS[] = {{.name = NULL}};
static const cli_opt LIST_OPTS[] = {
    {"party", "ADDRESS", .is_required = false}, {"state", "STATE", .is_required = false},
    {.name = NULL},
};
static const cli_opt STATS_OPTS[] = {
    {"group", "total|zone|country_pair|hs_chapter", .is_required = false},
    {"period", "month|year", .is_required = false},
    {"asset", "PTR|CODE:ISSUER", .is_required = false},
    {.name = NULL},
};

static const cli_command COMMANDS[] = {
    {"trade create", cmd_trade_create,
     "--exporter ADDRESS --amount DECIMAL [--asset A] --hs HSCODE --goods TEXT --quantity "
     "DECIMAL [--unit U] [--incoterm FOB] --origin CC --destination CC --doc TYPE... "
     "--approver ADDRESS... [--threshold M] [--partial] [--ship-days N] [--expiry-days N]",
     "propose a trade contract as the importer (docs/trade.md)",
     "  TYPE: commercial_invoice, bill_of_lading, certificate_of_origin,\n"
     "  inspection_certificate, packing_list, insurance_certificate,\n"
     "  phytosanitary_certificate, air_waybill. M of the approvers must approve (default all).\n"
     "  --deadline-ms / --expiry-ms give absolute times instead of days from now.\n",
     0, 0, CREATE_OPTS, true, &CREATE, NULL},
    {"trade fund", NULL, "--id ID", "lock the contract amount in escrow (importer)", NULL, 0, 0,
     ID_OPTS, true, &FUND, NULL},
    {"trade present", cmd_trade_present,
     "--id ID --doc TYPE --file FILE|--hash HEX [--ref TEXT]",
     "present a document's hash for the current shipment (exporter)", NULL, 0, 0,
     PRESENT_OPTS, true, &PRESENT, NULL},
    {"trade approve", NULL, "--id ID [--reject --reason N]",
     "approve (or reject) the presented documents (an approver)", NULL, 0, 0, APPROVE_OPTS,
     true, &APPROVE, NULL},
    {"trade release", NULL, "--id ID [--amount DECIMAL]",
     "pay the escrow (or part of it, if partial) to the exporter", NULL, 0, 0, RELEASE_OPTS,
     true, &RELEASE, NULL},
    {"trade refund", NULL, "--id ID", "return the escrow to the importer after the expiry",
     NULL, 0, 0, ID_OPTS, true, &REFUND, NULL},
    {"trade dispute", NULL, "--id ID --reason N", "open a dispute (importer or exporter)", NULL,
     0, 0, DISPUTE_OPTS, true, &DISPUTE, NULL},
    {"trade resolve", NULL, "--id ID --exporter-amount DECIMAL",
     "vote to settle a dispute: this much to the exporter, the rest back (an approver)", NULL,
     0, 0, RESOLVE_OPTS, true, &RESOLVE, NULL},
    {"trade amend-sign", cmd_trade_amend_sign,
     "--id ID --amount DECIMAL [--ship-days N|--deadline-ms MS] [--expiry-days N|--expiry-ms MS] "
     "--wallet FILE",
     "countersign an amendment (the other party); prints the signature", NULL, 0, 0,
     AMEND_SIGN_OPTS, false, &AMEND, NULL},
    {"trade amend", cmd_trade_amend,
     "--id ID --amount DECIMAL [--ship-days N|--deadline-ms MS] [--expiry-days N|--expiry-ms MS] "
     "--counter-sig HEX|--counter-wallet FILE",
     "amend amount and dates with the other party's countersignature", NULL, 0, 0, AMEND_OPTS,
     true, &AMEND, NULL},
    {"trade show", cmd_trade_show, "ID", "show a trade contract and its documents", NULL, 1, 1,
     NO_OPTS, false, NULL, NULL},
    {"trade list", cmd_trade_list, "[--party ADDRESS] [--state STATE]", "list trade contracts",
     NULL, 0, 0, LIST_OPTS, false, NULL, NULL},
    {"stats trade", cmd_stats_trade,
     "[--group total|zone|country_pair|hs_chapter] [--period month|year] [--asset A]",
     "trade turnover (count and value of releases) by group and period", NULL, 0, 0,
     STATS_OPTS, false, NULL, "stats"},
};

const cli_family cli_family_trade = {
    "trade", "trade", COMMANDS, sizeof COMMANDS / sizeof COMMANDS[0], NULL, NULL, NULL,
};
