/* petro CLI, assets family: assets (the list), trust, untrust, create-asset, authorize, issue,
 * redeem (aliases of the family's operations, family.h), their phrases, and the reasons an
 * issue fails.
 *
 * What is more than an alias stays here: trust/untrust/redeem refuse PTR (it has no trust
 * line to hold or issuer to return to) before anything is signed; issue accepts CODE:ISSUER
 * when ISSUER is the source; redeem --delivery is the reserves family's redeem-reserve. */
#include <stdio.h>
#include <string.h>

#include "cmd_op.h"
#include "family.h"
#include "http.h"
#include "output.h"
#include "parse.h"

/* The default trust line limit: the maximum supply, PETRO_SUPPLY_MAX (limits.h). */
#define TRUST_LIMIT_MAX "92233720368"
_Static_assert(PETRO_SUPPLY_MAX == INT64_C(92233720368) * PETRO_UNIT, "TRUST_LIMIT_MAX");

static const cli_opt TRUST_OPTS[] = {
    {"asset", "CODE:ISSUER", .is_required = true, .field = "asset"},
    {"limit", "DECIMAL", .field = "limit", .fallback = TRUST_LIMIT_MAX},
    {.name = NULL},
};
static const cli_alias TRUST = {"change_trust", NULL};

static const cli_opt UNTRUST_OPTS[] = {
    {"asset", "CODE:ISSUER", .is_required = true, .field = "asset"},
    {.name = NULL},
};
static const cli_field_map UNTRUST_LIMIT[] = {{NULL, "limit", "0"}, {NULL, NULL, NULL}};
static const cli_alias UNTRUST = {"change_trust", UNTRUST_LIMIT};

static const cli_opt CREATE_ASSET_OPTS[] = {
    {"code", "CODE", .is_required = true, .field = "code"},
    {"auth-required", NULL, .field = "flags", .value = "auth_required"},
    {"revocable", NULL, .field = "flags", .value = "revocable"},
    {.name = NULL},
};
static const cli_alias CREATE_ASSET = {"create_asset", NULL};

static const cli_opt AUTHORIZE_OPTS[] = {
    {"trustor", "ADDRESS", .is_required = true, .field = "trustor"},
    {"code", "CODE", .is_required = true, .field = "code"},
    {"revoke", NULL, .field = "authorize", .value = "false", .fallback = "true"},
    {.name = NULL},
};
static const cli_alias AUTHORIZE = {"authorize_trust", NULL};

static const cli_opt ISSUE_OPTS[] = {
    {"asset", "CODE", .is_required = true, .field = "code"},
    {"to", "ADDRESS", .is_required = true, .field = "destination"},
    {"amount", "DECIMAL", .is_required = true, .field = "amount"},
    {.name = NULL},
};
static const cli_alias ISSUE = {"issue", NULL};

/* --delivery makes it the reserves family's redeem-reserve (cmd_redeem). */
static const cli_opt REDEEM_OPTS[] = {
    {"asset", "CODE:ISSUER", .is_required = true, .field = "asset"},
    {"amount", "DECIMAL", .is_required = true, .field = "amount"},
    {"delivery", "TEXT", .is_required = false},
    {.name = NULL},
};
static const cli_alias REDEEM = {"redeem", NULL};

/* --asset must be an issued asset (trust, untrust, redeem without --delivery). */
static int issued_only(const cli_config *cfg, const cli_args *args) {
    const char *asset = args_get(args, "asset");
    if (asset != NULL && strcmp(asset, "PTR") == 0) {
        return cli_fail(CLI_EXIT_USAGE, "--asset PTR: %s needs an issued asset CODE:ISSUER",
                        args->command);
    }
    return cmd_alias(cfg, args);
}

static int cmd_redeem(const cli_config *cfg, const cli_args *args) {
    if (args_has(args, "delivery")) return cli_run_alias_of(cfg, args, "redeem-reserve");
    return issued_only(cfg, args);
}

/* --asset CODE, or CODE:ISSUER where ISSUER must be the source account. */
static int cmd_issue(const cli_config *cfg, const cli_args *args) {
    const char *asset = args_get(args, "asset");
    const char *colon = asset != NULL ? strchr(asset, ':') : NULL;
    if (colon == NULL) return cmd_alias(cfg, args);
    petro_asset parsed;
    petro_net_kind kind = PETRO_NET_TEST;
    int rc = parse_asset(&parsed, &kind, "--asset", asset);
    if (rc != CLI_EXIT_OK) return rc;
    char code[PETRO_ASSET_CODE_SIZE_MAX + 1];
    memcpy(code, parsed.code, sizeof code);
    cli_args copy = *args;
    rc = args_set(&copy, "asset", code);
    cli_tx_op txo;
    if (rc == CLI_EXIT_OK) rc = cmd_op_build_alias(&txo, &copy);
    if (rc == CLI_EXIT_OK) rc = cmd_op_note_address(&txo, "--asset", colon + 1);
    if (rc != CLI_EXIT_OK) return rc;
    txo.has_required_source = true;
    txo.required_source = parsed.issuer;
    txo.required_source_why = "--asset: only the issuer can issue";
    return cli_tx_submit(cfg, &copy, &txo);
}

/* petro assets: every asset with its supply (GET /v1/assets). */
static int cmd_assets_list(const cli_config *cfg, const cli_args *args) {
    (void)args;
    node_reply reply;
    int rc = node_get_ok(cfg, "/v1/assets", "cannot list the assets", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) return node_reply_out_json(&reply);
    const json_t *assets = json_object_get(reply.body, "assets");
    if (!json_is_array(assets) || json_array_size(assets) == 0) printf("(no assets)\n");
    for (size_t i = 0; json_is_array(assets) && i < json_array_size(assets); i++) {
        const json_t *a = json_array_get(assets, i);
        bool auth = false, revocable = false;
        (void)jbool(a, "auth_required", &auth);
        (void)jbool(a, "revocable", &revocable);
        long long holders = -1;
        (void)jint(a, "holders", &holders);
        if (i > 0) putchar('\n');
        out_kv("asset", "%s", jstr_or(a, "asset", "?"));
        out_kv("issuer", "%s", jstr_or(a, "issuer", "?"));
        out_kv("supply", "%s", jstr_or(a, "supply", "?"));
        out_kv("issued", "%s (redeemed %s, burned %s)", jstr_or(a, "issued", "?"),
               jstr_or(a, "redeemed", "?"), jstr_or(a, "burned", "?"));
        out_kv("holders", "%lld", holders);
        out_kv("flags", "%s%s%s", auth ? "auth_required" : "", auth && revocable ? ", " : "",
               revocable ? "revocable" : (auth ? "" : "none"));
    }
    node_reply_deinit(&reply);
    return CLI_EXIT_OK;
}

static const cli_opt NO_OPTS[] = {{.name = NULL}};

static const cli_command COMMANDS[] = {
    {"assets", cmd_assets_list, "", "list the assets with their supply", NULL, 0, 0, NO_OPTS,
     false, NULL, NULL},
    {"trust", issued_only, "--asset CODE:ISSUER [--limit DECIMAL]",
     "open (or change the limit of) a trust line; the default limit is the maximum supply",
     NULL, 0, 0, TRUST_OPTS, true, &TRUST, NULL},
    {"untrust", issued_only, "--asset CODE:ISSUER",
     "remove a trust line (its balance must be zero)", NULL, 0, 0, UNTRUST_OPTS, true, &UNTRUST,
     NULL},
    {"create-asset", NULL, "--code CODE [--auth-required] [--revocable]",
     "create an asset issued by the wallet's account", NULL, 0, 0, CREATE_ASSET_OPTS, true,
     &CREATE_ASSET, NULL},
    {"authorize", NULL, "--trustor ADDRESS --code CODE [--revoke]",
     "authorise (or with --revoke, revoke) a holder's trust line for your asset", NULL, 0, 0,
     AUTHORIZE_OPTS, true, &AUTHORIZE, NULL},
    {"issue", cmd_issue, "--asset CODE[:ISSUER] --to ADDRESS --amount DECIMAL",
     "issue new units of your asset to a holder",
     "  The issuer is the source account; CODE:ISSUER is accepted if ISSUER is the source.\n",
     0, 0, ISSUE_OPTS, true, &ISSUE, NULL},
    {"redeem", cmd_redeem, "--asset CODE:ISSUER|PTR --amount DECIMAL [--delivery TEXT]",
     "return units of an issued asset to its issuer (they are destroyed)",
     "  With --delivery, redeem a reserve-backed asset (PTR, XAU) for the commodity: the\n"
     "  units are burned now and a redemption request (who, amount, commodity, delivery\n"
     "  reference) is recorded for the issuer to fulfil (the same as petro redeem-reserve).\n",
     0, 0, REDEEM_OPTS, true, &REDEEM, NULL},
};

static bool describe_trust(char *out, size_t out_size, const json_t *op, const char *type) {
    if (strcmp(type, "change_trust") == 0) {
        const char *limit = jstr_or(op, "limit", "?");
        if (strcmp(limit, "0") == 0) {
            cli_phrase(out, out_size, "remove trust line for %s", jstr_or(op, "asset", "?"));
        } else {
            cli_phrase(out, out_size, "trust %s up to %s", jstr_or(op, "asset", "?"), limit);
        }
        return true;
    }
    if (strcmp(type, "authorize_trust") == 0) {
        const json_t *a = json_object_get(op, "authorize");
        bool yes = json_is_true(a) || (json_is_integer(a) && json_integer_value(a) != 0);
        cli_phrase(out, out_size, "%s %s to hold %s",
                   yes ? "authorise" : "revoke authorisation of", jstr_or(op, "trustor", "?"),
                   jstr_or(op, "code", "?"));
        return true;
    }
    return false;
}

static bool describe(char *out, size_t out_size, const json_t *op) {
    const char *type = jstr_or(op, "type", "");
    if (strcmp(type, "create_asset") == 0) {
        const json_t *flags = json_object_get(op, "flags");
        bool auth = false, revocable = false;
        (void)jbool(flags, "auth_required", &auth);
        (void)jbool(flags, "revocable", &revocable);
        cli_phrase(out, out_size, "create asset %s%s%s", jstr_or(op, "code", "?"),
                   auth ? ", authorisation required" : "", revocable ? ", revocable" : "");
    } else if (strcmp(type, "issue") == 0) {
        cli_phrase(out, out_size, "issue %s %s to %s", jstr_or(op, "amount", "?"),
                   jstr_or(op, "code", "?"), jstr_or(op, "destination", "?"));
    } else if (strcmp(type, "redeem") == 0) {
        cli_phrase(out, out_size, "redeem %s %s", jstr_or(op, "amount", "?"),
                   jstr_or(op, "asset", "?"));
    } else {
        return describe_trust(out, out_size, op, type);
    }
    return true;
}

static int explain(const cli_op_failure *f) {
    if (f->op->type != PETRO_OP_ISSUE) return -1;
    const petro_op_issue *is = &f->op->u.issue;
    char dest[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(dest, &is->destination, f->net);
    if (strcmp(f->code, "no_trust") == 0) {
        return cli_fail(CLI_EXIT_FAILED, "%s has no trust line for %s:%s (%s)", dest, is->code,
                        f->source, f->code);
    }
    if (strcmp(f->code, "not_authorized") == 0) {
        return cli_fail(CLI_EXIT_FAILED,
                        "the trust line of %s for %s:%s is not authorised yet; authorise it "
                        "with petro authorize (%s)",
                        dest, is->code, f->source, f->code);
    }
    if (strcmp(f->code, "no_asset") == 0) {
        return cli_fail(CLI_EXIT_FAILED, "%s has not created an asset %s (%s)", f->source,
                        is->code, f->code);
    }
    return -1;
}

const cli_family cli_family_assets = {
    "assets", "assets", COMMANDS, sizeof COMMANDS / sizeof COMMANDS[0], describe, explain,
    NULL,
};
