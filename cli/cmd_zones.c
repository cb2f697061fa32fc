/* petro CLI, zones family: zone create|policy|assign|kyc|show|list, and the bilateral
 * turnover targets a zone authority sets (petro trade target|targets: typed as trade
 * commands, kept by the zones family like their operation).
 *
 * The transaction commands are aliases of the family's operations (family.h), built and
 * checked by cmd_op.c; trade target first turns --growth-pct into basis points. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "family.h"
#include "http.h"
#include "output.h"
#include "parse.h"

static const cli_opt NO_OPTS[] = {{.name = NULL}};

static const cli_opt CREATE_OPTS[] = {
    {"id", "N", .is_required = true, .field = "zone_id"},
    {"name", "TEXT", .is_required = true, .field = "name"},
    {"country", "CC", .is_required = true, .field = "country"},
    {.name = NULL},
};
static const cli_alias CREATE = {"zone_create", NULL};

static const cli_opt POLICY_OPTS[] = {
    {"id", "N", .is_required = true, .field = "zone_id"},
    {"fee-bps", "N", .field = "fee_bps"},
    {"limit", "DECIMAL", .field = "tx_limit"},
    {"min-tier", "N", .field = "min_kyc_tier"},
    {"allow", "ASSET", .is_repeatable = true, .field = "assets"},
    {.name = NULL},
};
static const cli_alias POLICY = {"zone_policy", NULL};

static const cli_opt ASSIGN_OPTS[] = {
    {"account", "ADDRESS", .is_required = true, .field = "account"},
    {"zone", "N", .is_required = true, .field = "zone_id"},
    {.name = NULL},
};
static const cli_alias ASSIGN = {"zone_assign", NULL};

static const cli_opt KYC_OPTS[] = {
    {"account", "ADDRESS", .is_required = true, .field = "account"},
    {"tier", "N", .is_required = true, .field = "tier"},
    {.name = NULL},
};
static const cli_alias KYC = {"set_kyc_tier", NULL};

static const cli_opt TARGET_OPTS[] = {
    {"origin", "CC", .is_required = true, .field = "origin"},
    {"destination", "CC", .is_required = true, .field = "destination"},
    {"asset", "PTR|CODE:ISSUER", .field = "asset", .fallback = "PTR"},
    {"base-year", "YYYY", .is_required = true, .field = "base_year"},
    {"target-year", "YYYY", .is_required = true, .field = "target_year"},
    {"growth-pct", "N", .is_required = true},
    {.name = NULL},
};
/* cmd_trade_target turns --growth-pct into basis points. */
static const cli_field_map TARGET_BPS[] = {{"growth-bps", "growth_bps", NULL}, {NULL, NULL, NULL}};
static const cli_alias TARGET = {"trade_target", TARGET_BPS};

/* --growth-pct N is N * 100 basis points. */
static int cmd_trade_target(const cli_config *cfg, const cli_args *args) {
    uint64_t pct = 0;
    int rc = parse_uint(&pct, "--growth-pct", args_get(args, "growth-pct"), 0, 10000);
    if (rc != CLI_EXIT_OK) return rc;
    char bps[24];
    (void)snprintf(bps, sizeof bps, "%" PRIu64, pct * 100);
    return cmd_alias_with(cfg, args, "growth-bps", bps);
}

/* ------------------------------------------------------------------ queries */

static int cmd_trade_targets(const cli_config *cfg, const cli_args *args) {
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

static int cmd_zone_list(const cli_config *cfg, const cli_args *args) {
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

static int cmd_zone_show(const cli_config *cfg, const cli_args *args) {
    node_reply reply;
    int rc = node_get_id(cfg, "/v1/zones", args->positional[0], UINT32_MAX,
                         "cannot read the zone", &reply);
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


/* ------------------------------------------------------------------ the family's table */

static const cli_command COMMANDS[] = {
    {"zone create", NULL, "--id N --name TEXT --country CC",
     "create an economic zone (a zone authority)", NULL, 0, 0, CREATE_OPTS, true, &CREATE,
     NULL},
    {"zone policy", NULL,
     "--id N [--fee-bps N] [--limit DECIMAL] [--min-tier N] [--allow ASSET]...",
     "set a zone's policy (its authority); no --allow = every asset", NULL, 0, 0, POLICY_OPTS,
     true, &POLICY, NULL},
    {"zone assign", NULL, "--account ADDRESS --zone N",
     "assign an account to your zone (0: remove it from its zone)", NULL, 0, 0, ASSIGN_OPTS,
     true, &ASSIGN, NULL},
    {"zone kyc", NULL, "--account ADDRESS --tier N",
     "set an account's KYC tier 0..3 (a zone authority)", NULL, 0, 0, KYC_OPTS, true, &KYC,
     NULL},
    {"zone show", cmd_zone_show, "ID", "show a zone and its policy", NULL, 1, 1, NO_OPTS, false,
     NULL, NULL},
    {"zone list", cmd_zone_list, "", "list the economic zones", NULL, 0, 0, NO_OPTS, false, NULL,
     NULL},
    {"trade target", cmd_trade_target,
     "--origin CC --destination CC [--asset A] --base-year YYYY --target-year YYYY "
     "--growth-pct N",
     "set a bilateral turnover target (a zone authority)", NULL, 0, 0, TARGET_OPTS, true,
     &TARGET, "trade"},
    {"trade targets", cmd_trade_targets, "", "show turnover targets and progress", NULL, 0, 0,
     NO_OPTS, false, NULL, "trade"},
};

const cli_family cli_family_zones = {
    "zones", "zone", COMMANDS, sizeof COMMANDS / sizeof COMMANDS[0], NULL, NULL, NULL,
};
