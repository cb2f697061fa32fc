/* petro: the command-line wallet.
 *
 *   petro [--node URL] [--json] <command> [options]
 *   petro help [GROUP|COMMAND]      petro GROUP [--help]      petro COMMAND --help
 *   petro op NAME --FIELD VALUE...  (any registered operation; cmd_op.c)
 *
 * This file holds the command table, the option parser, the help texts, and the single
 * configuration function (cli_config_load), which is the only place that reads the
 * environment. Each command's option list is declared here, so an unknown or repeated option
 * is a usage error (exit 2) before any command code runs.
 *
 * Help is generated, never written per group: each command names its group in the table, a
 * group tied to an operation family takes its one-line summary from the registry
 * (petro/schema.h) and lists the family's operations, and `op NAME` gets its option list,
 * usage line and help from the operation's field schema. A group and a command may share a
 * name (assets, reserves): `petro NAME` runs the command, `petro help NAME` shows the group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "cmd_op.h"
#include "cmd_trade.h"
#include "http.h"
#include "opjson.h"
#include "output.h"

#ifndef PETRO_VERSION
#error "PETRO_VERSION (the CMake project version) is defined by cli/CMakeLists.txt"
#endif

typedef struct opt_spec {
    const char *name;
    const char *value_name; /* NULL for a flag */
    bool is_repeatable;
    bool is_required;
} opt_spec;

typedef struct command {
    const char *name;
    cli_handler handler;
    const char *synopsis; /* after "petro NAME " */
    const char *summary;
    const char *details;  /* extra help lines, may be NULL */
    size_t positional_min;
    size_t positional_max;
    const opt_spec *opts; /* terminated by a NULL name */
    bool is_tx;           /* accepts the transaction options */
    const char *group;    /* GROUPS[].name: where help lists it */
} command;

/* ------------------------------------------------------------------ option lists */

static const opt_spec COMMON_OPTS[] = {
    {"node", "URL", false, false},
    {"json", NULL, false, false},
    {"help", NULL, false, false},
    {NULL, NULL, false, false},
};

static const opt_spec TX_OPTS[] = {
    {"wallet", "FILE", true, false},
    {"source", "ADDRESS", false, false},
    {"fee", "DECIMAL", false, false},
    {"memo", "TEXT", false, false},
    {"valid-for", "SECONDS", false, false},
    {"sequence", "N", false, false},
    {"wait", NULL, false, false},
    {NULL, NULL, false, false},
};

static const opt_spec NO_OPTS[] = {{NULL, NULL, false, false}};
static const opt_spec ADDRESS_OPTS[] = {
    {"wallet", "FILE", false, true},
    {"net", "main|test", false, false},
    {NULL, NULL, false, false},
};
static const opt_spec KEYGEN_OPTS[] = {
    {"out", "FILE", false, true},
    {"name", "NAME", false, false},
    {"net", "main|test", false, false},
    {"devnet", NULL, false, false},
    {NULL, NULL, false, false},
};
static const opt_spec PAY_OPTS[] = {
    {"to", "ADDRESS", false, true},
    {"amount", "DECIMAL", false, true},
    {"asset", "PTR|CODE:ISSUER", false, false},
    {NULL, NULL, false, false},
};
static const opt_spec CREATE_ACCOUNT_OPTS[] = {
    {"address", "ADDRESS", false, true},
    {"amount", "DECIMAL", false, true},
    {NULL, NULL, false, false},
};
static const opt_spec TRUST_OPTS[] = {
    {"asset", "CODE:ISSUER", false, true},
    {"limit", "DECIMAL", false, false},
    {NULL, NULL, false, false},
};
static const opt_spec UNTRUST_OPTS[] = {
    {"asset", "CODE:ISSUER", false, true},
    {NULL, NULL, false, false},
};
static const opt_spec CREATE_ASSET_OPTS[] = {
    {"code", "CODE", false, true},
    {"auth-required", NULL, false, false},
    {"revocable", NULL, false, false},
    {NULL, NULL, false, false},
};
static const opt_spec AUTHORIZE_OPTS[] = {
    {"trustor", "ADDRESS", false, true},
    {"code", "CODE", false, true},
    {"revoke", NULL, false, false},
    {NULL, NULL, false, false},
};
static const opt_spec ISSUE_OPTS[] = {
    {"asset", "CODE", false, true},
    {"to", "ADDRESS", false, true},
    {"amount", "DECIMAL", false, true},
    {NULL, NULL, false, false},
};
static const opt_spec REDEEM_OPTS[] = {
    {"asset", "CODE:ISSUER", false, true},
    {"amount", "DECIMAL", false, true},
    {"delivery", "TEXT", false, false},
    {NULL, NULL, false, false},
};
static const opt_spec ATTEST_OPTS[] = {
    {"commodity", "oil|gold", false, true},
    {"quantity", "DECIMAL", false, true},
    {"custodian", "TEXT", false, true},
    {"document", "FILE", false, false},
    {"document-hash", "HEX", false, false},
    {"valid-days", "N", false, false},
    {"valid-from-ms", "MS", false, false},
    {"supersedes", "ID", false, false},
    {NULL, NULL, false, false},
};
static const opt_spec ORACLE_PRICE_OPTS[] = {
    {"commodity", "oil|gold", false, true},
    {"price", "DECIMAL", false, true},
    {"quote", "CODE", false, false},
    {"timestamp-ms", "MS", false, false},
    {NULL, NULL, false, false},
};
static const opt_spec ISSUE_RESERVE_OPTS[] = {
    {"asset", "PTR|CODE:ISSUER", false, true},
    {"to", "ADDRESS", false, true},
    {"amount", "DECIMAL", false, true},
    {NULL, NULL, false, false},
};
static const opt_spec FULFILL_OPTS[] = {
    {"request", "ID", false, true},
    {NULL, NULL, false, false},
};
static const opt_spec PROOF_OPTS[] = {
    {"address", "ADDRESS", false, true},
    {"asset", "PTR|CODE:ISSUER", false, false},
    {"out", "FILE", false, false},
    {NULL, NULL, false, false},
};
static const opt_spec VERIFY_PROOF_OPTS[] = {
    {"validator", "ADDRESS", false, false},
    {NULL, NULL, false, false},
};
static const opt_spec SET_SIGNER_OPTS[] = {
    {"signer", "ADDRESS", false, true},
    {"weight", "N", false, true},
    {NULL, NULL, false, false},
};
static const opt_spec SET_THRESHOLDS_OPTS[] = {
    {"master", "N", false, true},
    {"low", "N", false, true},
    {"medium", "N", false, true},
    {"high", "N", false, true},
    {NULL, NULL, false, false},
};

/* ------------------------------------------------------------------ command table */

/* Trade, zone and statistics commands (cmd_trade.c). */
static const opt_spec TRADE_CREATE_OPTS[] = {
    {"exporter", "ADDRESS", false, true},      {"amount", "DECIMAL", false, true},
    {"asset", "PTR|CODE:ISSUER", false, false}, {"hs", "HSCODE", false, true},
    {"goods", "TEXT", false, true},            {"quantity", "DECIMAL", false, true},
    {"unit", "TEXT", false, false},            {"incoterm", "TERM", false, false},
    {"origin", "CC", false, true},             {"destination", "CC", false, true},
    {"doc", "TYPE", true, true},               {"approver", "ADDRESS", true, true},
    {"threshold", "N", false, false},          {"partial", NULL, false, false},
    {"ship-days", "N", false, false},          {"deadline-ms", "MS", false, false},
    {"expiry-days", "N", false, false},        {"expiry-ms", "MS", false, false},
    {NULL, NULL, false, false},
};
static const opt_spec TRADE_ID_OPTS[] = {{"id", "ID", false, true}, {NULL, NULL, false, false}};
static const opt_spec TRADE_PRESENT_OPTS[] = {
    {"id", "ID", false, true},    {"doc", "TYPE", false, true}, {"file", "FILE", false, false},
    {"hash", "HEX", false, false}, {"ref", "TEXT", false, false}, {NULL, NULL, false, false},
};
static const opt_spec TRADE_APPROVE_OPTS[] = {
    {"id", "ID", false, true}, {"reject", NULL, false, false}, {"reason", "N", false, false},
    {NULL, NULL, false, false},
};
static const opt_spec TRADE_RELEASE_OPTS[] = {
    {"id", "ID", false, true}, {"amount", "DECIMAL", false, false}, {NULL, NULL, false, false},
};
static const opt_spec TRADE_DISPUTE_OPTS[] = {
    {"id", "ID", false, true}, {"reason", "N", false, true}, {NULL, NULL, false, false},
};
static const opt_spec TRADE_RESOLVE_OPTS[] = {
    {"id", "ID", false, true}, {"exporter-amount", "DECIMAL", false, true},
    {NULL, NULL, false, false},
};
static const opt_spec TRADE_AMEND_SIGN_OPTS[] = {
    {"id", "ID", false, true},          {"amount", "DECIMAL", false, true},
    {"ship-days", "N", false, false},   {"deadline-ms", "MS", false, false},
    {"expiry-days", "N", false, false}, {"expiry-ms", "MS", false, false},
    {"wallet", "FILE", false, true},    {NULL, NULL, false, false},
};
static const opt_spec TRADE_AMEND_OPTS[] = {
    {"id", "ID", false, true},          {"amount", "DECIMAL", false, true},
    {"ship-days", "N", false, false},   {"deadline-ms", "MS", false, false},
    {"expiry-days", "N", false, false}, {"expiry-ms", "MS", false, false},
    {"counter-sig", "HEX", false, false}, {"counter-wallet", "FILE", false, false},
    {NULL, NULL, false, false},
};
static const opt_spec TRADE_TARGET_OPTS[] = {
    {"origin", "CC", false, true},       {"destination", "CC", false, true},
    {"asset", "PTR|CODE:ISSUER", false, false}, {"base-year", "YYYY", false, true},
    {"target-year", "YYYY", false, true}, {"growth-pct", "N", false, true},
    {NULL, NULL, false, false},
};
static const opt_spec TRADE_LIST_OPTS[] = {
    {"party", "ADDRESS", false, false}, {"state", "STATE", false, false},
    {NULL, NULL, false, false},
};
static const opt_spec ZONE_CREATE_OPTS[] = {
    {"id", "N", false, true}, {"name", "TEXT", false, true}, {"country", "CC", false, true},
    {NULL, NULL, false, false},
};
static const opt_spec ZONE_POLICY_OPTS[] = {
    {"id", "N", false, true},          {"fee-bps", "N", false, false},
    {"limit", "DECIMAL", false, false}, {"min-tier", "N", false, false},
    {"allow", "PTR|CODE:ISSUER", true, false}, {NULL, NULL, false, false},
};
static const opt_spec ZONE_ASSIGN_OPTS[] = {
    {"account", "ADDRESS", false, true}, {"zone", "N", false, true}, {NULL, NULL, false, false},
};
static const opt_spec ZONE_KYC_OPTS[] = {
    {"account", "ADDRESS", false, true}, {"tier", "N", false, true}, {NULL, NULL, false, false},
};
static const opt_spec STATS_TRADE_OPTS[] = {
    {"group", "total|zone|country_pair|hs_chapter", false, false},
    {"period", "month|year", false, false},
    {"asset", "PTR|CODE:ISSUER", false, false},
    {NULL, NULL, false, false},
};

static const command COMMANDS[] = {
    {"status", cmd_status, "", "show the node's network, height and latest block", NULL, 0, 0,
     NO_OPTS, false, "query"},
    {"balance", cmd_balance, "ADDRESS", "show every balance of an account", NULL, 1, 1, NO_OPTS,
     false, "query"},
    {"account", cmd_account, "ADDRESS",
     "show an account: sequence, signers, thresholds, balances",
     NULL, 1, 1, NO_OPTS, false, "query"},
    {"tx", cmd_tx, "HASH", "show a transaction and its result",
     NULL, 1, 1, NO_OPTS, false, "query"},
    {"block", cmd_block, "latest|HEIGHT", "show a block", NULL, 1, 1, NO_OPTS, false, "query"},
    {"assets", cmd_assets, "", "list the assets with their supply",
     NULL, 0, 0, NO_OPTS, false, "assets"},
    {"address", cmd_address, "--wallet FILE [--net main|test]",
     "print the address of a wallet",
     "  Devnet wallets are always test-network (tptr1...) wallets. For other wallets the\n"
     "  network kind comes from --net, else from the node's status. No passphrase needed.\n",
     0, 0, ADDRESS_OPTS, false, "wallet"},
    {"keygen", cmd_keygen, "--out FILE [--name NAME] [--net main|test] [--devnet]",
     "create a new key in an encrypted wallet file and print its address",
     "  The passphrase comes from PETRO_PASSPHRASE, else it is asked twice on the terminal.\n"
     "  An existing file is never overwritten. --devnet writes an unencrypted devnet-only\n"
     "  wallet instead (refused on main networks). The address is printed for --net, else\n"
     "  for the node's network kind, else (node unreachable) for a test network.\n",
     0, 0, KEYGEN_OPTS, false, "wallet"},
    {"pay", cmd_pay, "--to ADDRESS --amount DECIMAL [--asset PTR|CODE:ISSUER]",
     "send a payment (PTR unless --asset is given)", NULL, 0, 0, PAY_OPTS, true, "payments"},
    {"create-account", cmd_create_account, "--address ADDRESS --amount DECIMAL",
     "create a new account funded with PTR", NULL, 0, 0, CREATE_ACCOUNT_OPTS, true, "accounts"},
    {"trust", cmd_trust, "--asset CODE:ISSUER [--limit DECIMAL]",
     "open (or change the limit of) a trust line; the default limit is the maximum supply",
     NULL, 0, 0, TRUST_OPTS, true, "assets"},
    {"untrust", cmd_untrust, "--asset CODE:ISSUER",
     "remove a trust line (its balance must be zero)", NULL, 0, 0, UNTRUST_OPTS, true, "assets"},
    {"create-asset", cmd_create_asset, "--code CODE [--auth-required] [--revocable]",
     "create an asset issued by the wallet's account",
     NULL, 0, 0, CREATE_ASSET_OPTS, true, "assets"},
    {"authorize", cmd_authorize, "--trustor ADDRESS --code CODE [--revoke]",
     "authorise (or with --revoke, revoke) a holder's trust line for your asset", NULL, 0, 0,
     AUTHORIZE_OPTS, true, "assets"},
    {"issue", cmd_issue, "--asset CODE[:ISSUER] --to ADDRESS --amount DECIMAL",
     "issue new units of your asset to a holder",
     "  The issuer is the source account; CODE:ISSUER is accepted if ISSUER is the source.\n",
     0, 0, ISSUE_OPTS, true, "assets"},
    {"redeem", cmd_redeem, "--asset CODE:ISSUER|PTR --amount DECIMAL [--delivery TEXT]",
     "return units of an issued asset to its issuer (they are destroyed)",
     "  With --delivery, redeem a reserve-backed asset (PTR, XAU) for the commodity: the\n"
     "  units are burned now and a redemption request (who, amount, commodity, delivery\n"
     "  reference) is recorded for the issuer to fulfil.\n",
     0, 0, REDEEM_OPTS, true, "assets"},
    {"reserves", cmd_reserves, "",
     "show reserve coverage: attested reserves, supply, cap, coverage, price, checkpoint",
     NULL, 0, 0, NO_OPTS, false, "reserves"},
    {"attest", cmd_attest,
     "--commodity oil|gold --quantity DECIMAL --custodian TEXT --document FILE|--document-hash "
     "HEX [--valid-days N] [--valid-from-ms MS] [--supersedes ID]",
     "attest reserves as the auditors (sign with m auditor wallets, --source AUDITORS)",
     "  The quantity is in barrels (oil) or troy ounces (gold). The certificate document is\n"
     "  hashed (BLAKE2b-256) unless its hash is given. Valid from now (or --valid-from-ms,\n"
     "  unix ms) for --valid-days (default 90). --supersedes replaces an attestation in\n"
     "  force.\n",
     0, 0, ATTEST_OPTS, true, "reserves"},
    {"oracle-price", cmd_oracle_price,
     "--commodity oil|gold --price DECIMAL [--quote USD] [--timestamp-ms MS]",
     "publish a commodity price as a price oracle",
     NULL, 0, 0, ORACLE_PRICE_OPTS, true, "reserves"},
    {"issue-reserve", cmd_issue_reserve, "--asset PTR|CODE:ISSUER --to ADDRESS --amount DECIMAL",
     "issue a reserve-backed asset, within attested reserves times the coverage ratio",
     "  For PTR the source is the treasury (sign with its officers' wallets and --source).\n",
     0, 0, ISSUE_RESERVE_OPTS, true, "reserves"},
    {"fulfill", cmd_fulfill, "--request ID", "mark a redemption request delivered (issuer)",
     NULL, 0, 0, FULFILL_OPTS, true, "reserves"},
    {"proof", cmd_proof, "--address ADDRESS [--asset PTR|CODE:ISSUER] [--out FILE]",
     "fetch the proof of reserves inclusion of an account at the latest checkpoint", NULL, 0,
     0, PROOF_OPTS, false, "reserves"},
    {"verify-proof", cmd_verify_proof, "FILE [--validator ADDRESS]",
     "verify a proof file offline: path, sums, salt, signature, total within reserves", NULL,
     1, 1, VERIFY_PROOF_OPTS, false, "reserves"},
    {"set-signer", cmd_set_signer, "--signer ADDRESS --weight N",
     "add or change an extra signer of the account (weight 0 removes it)", NULL, 0, 0,
     SET_SIGNER_OPTS, true, "accounts"},
    {"set-thresholds", cmd_set_thresholds, "--master N --low N --medium N --high N",
     "set the master key weight and the low/medium/high thresholds", NULL, 0, 0,
     SET_THRESHOLDS_OPTS, true, "accounts"},
    {"trade create", cmd_trade_create,
     "--exporter ADDRESS --amount DECIMAL [--asset A] --hs HSCODE --goods TEXT --quantity "
     "DECIMAL [--unit U] [--incoterm FOB] --origin CC --destination CC --doc TYPE... "
     "--approver ADDRESS... [--threshold M] [--partial] [--ship-days N] [--expiry-days N]",
     "propose a trade contract as the importer (docs/trade.md)",
     "  TYPE: commercial_invoice, bill_of_lading, certificate_of_origin,\n"
     "  inspection_certificate, packing_list, insurance_certificate,\n"
     "  phytosanitary_certificate, air_waybill. M of the approvers must approve (default all).\n"
     "  --deadline-ms / --expiry-ms give absolute times instead of days from now.\n",
     0, 0, TRADE_CREATE_OPTS, true, "trade"},
    {"trade fund", cmd_trade_fund, "--id ID", "lock the contract amount in escrow (importer)",
     NULL, 0, 0, TRADE_ID_OPTS, true, "trade"},
    {"trade present", cmd_trade_present,
     "--id ID --doc TYPE --file FILE|--hash HEX [--ref TEXT]",
     "present a document's hash for the current shipment (exporter)", NULL, 0, 0,
     TRADE_PRESENT_OPTS, true, "trade"},
    {"trade approve", cmd_trade_approve, "--id ID [--reject --reason N]",
     "approve (or reject) the presented documents (an approver)", NULL, 0, 0,
     TRADE_APPROVE_OPTS, true, "trade"},
    {"trade release", cmd_trade_release, "--id ID [--amount DECIMAL]",
     "pay the escrow (or part of it, if partial) to the exporter", NULL, 0, 0,
     TRADE_RELEASE_OPTS, true, "trade"},
    {"trade refund", cmd_trade_refund, "--id ID",
     "return the escrow to the importer after the expiry",
     NULL, 0, 0, TRADE_ID_OPTS, true, "trade"},
    {"trade dispute", cmd_trade_dispute, "--id ID --reason N",
     "open a dispute (importer or exporter)", NULL, 0, 0, TRADE_DISPUTE_OPTS, true, "trade"},
    {"trade resolve", cmd_trade_resolve, "--id ID --exporter-amount DECIMAL",
     "vote to settle a dispute: this much to the exporter, the rest back (an approver)", NULL,
     0, 0, TRADE_RESOLVE_OPTS, true, "trade"},
    {"trade amend-sign", cmd_trade_amend_sign,
     "--id ID --amount DECIMAL [--ship-days N] [--expiry-days N] --wallet FILE",
     "countersign an amendment (the other party); prints the signature", NULL, 0, 0,
     TRADE_AMEND_SIGN_OPTS, false, "trade"},
    {"trade amend", cmd_trade_amend,
     "--id ID --amount DECIMAL [--ship-days N] [--expiry-days N] --counter-sig HEX|"
     "--counter-wallet FILE",
     "amend amount and dates with the other party's countersignature", NULL, 0, 0,
     TRADE_AMEND_OPTS, true, "trade"},
    {"trade target", cmd_trade_target,
     "--origin CC --destination CC [--asset A] --base-year YYYY --target-year YYYY "
     "--growth-pct N",
     "set a bilateral turnover target (a zone authority)", NULL, 0, 0, TRADE_TARGET_OPTS,
     true, "trade"},
    {"trade show", cmd_trade_show, "ID", "show a trade contract and its documents", NULL, 1, 1,
     NO_OPTS, false, "trade"},
    {"trade list", cmd_trade_list, "[--party ADDRESS] [--state STATE]", "list trade contracts",
     NULL, 0, 0, TRADE_LIST_OPTS, false, "trade"},
    {"trade targets", cmd_trade_targets, "", "show turnover targets and progress", NULL, 0, 0,
     NO_OPTS, false, "trade"},
    {"zone create", cmd_zone_create, "--id N --name TEXT --country CC",
     "create an economic zone (a zone authority)", NULL, 0, 0, ZONE_CREATE_OPTS, true, "zone"},
    {"zone policy", cmd_zone_policy,
     "--id N [--fee-bps N] [--limit DECIMAL] [--min-tier N] [--allow ASSET]...",
     "set a zone's policy (its authority); no --allow = every asset", NULL, 0, 0,
     ZONE_POLICY_OPTS, true, "zone"},
    {"zone assign", cmd_zone_assign, "--account ADDRESS --zone N",
     "assign an account to your zone (0: remove it from its zone)", NULL, 0, 0,
     ZONE_ASSIGN_OPTS, true, "zone"},
    {"zone kyc", cmd_zone_kyc, "--account ADDRESS --tier N",
     "set an account's KYC tier 0..3 (a zone authority)", NULL, 0, 0, ZONE_KYC_OPTS, true, "zone"},
    {"zone show", cmd_zone_show, "ID", "show a zone and its policy", NULL, 1, 1, NO_OPTS,
     false, "zone"},
    {"zone list", cmd_zone_list, "", "list the economic zones", NULL, 0, 0, NO_OPTS, false, "zone"},
    {"stats trade", cmd_stats_trade,
     "[--group total|zone|country_pair|hs_chapter] [--period month|year] [--asset A]",
     "trade turnover (count and value of releases) by group and period", NULL, 0, 0,
     STATS_TRADE_OPTS, false, "stats"},
    {"op", cmd_op, "NAME --FIELD VALUE...",
     "build, sign and submit any registered operation from flags named after its fields",
     "  petro op NAME --help shows the operation's fields: flag, value, kind, limits. A field\n"
     "  marked optional may be left out (it is zero); every other field is required. A list\n"
     "  field takes its flag once per value (--approver A --approver B).\n",
     0, 1, NO_OPTS, true, "operations"},
};
#define COMMAND_COUNT (sizeof COMMANDS / sizeof COMMANDS[0])

static const char TX_HELP[] =
    "Transaction options:\n"
    "  --wallet FILE      sign with this wallet (repeat for multisig); the first wallet's\n"
    "                     account is the source unless --source is given\n"
    "  --source ADDRESS   the account that sends the transaction (e.g. a multisig treasury)\n"
    "  --fee DECIMAL      fee in PTR (default 0.000001 per operation)\n"
    "  --memo TEXT        up to 32 bytes of memo\n"
    "  --valid-for SECS   reject the transaction if not included within SECS seconds\n"
    "  --sequence N       use sequence N instead of the account's sequence + 1\n"
    "  --wait             wait until the transaction is committed and show its result\n";

static const char COMMON_HELP[] =
    "Common options (before or after the command):\n"
    "  --node URL         node to talk to (default $PETRO_NODE, else " CLI_DEFAULT_NODE ")\n"
    "  --json             print JSON (the node's answer) instead of text\n"
    "  --help             show help\n";

/* ------------------------------------------------------------------ groups and help */

/* A command group, as `petro help NAME` and `petro NAME` show it. A group that serves an
 * operation family takes its line from the registry and lists the family's operations. */
typedef struct group {
    const char *name;    /* as typed; the group column of COMMANDS */
    const char *family;  /* the registry family it serves, or NULL */
    const char *summary; /* the line of a group without a family */
} group;

static const group GROUPS[] = {
    {"query", NULL, "read the ledger: node status, accounts, transactions, blocks"},
    {"wallet", NULL, "wallet files and their addresses"},
    {"accounts", "accounts", NULL},
    {"payments", "payments", NULL},
    {"assets", "assets", NULL},
    {"reserves", "reserves", NULL},
    {"trade", "trade", NULL},
    {"zone", "zones", NULL},
    {"stats", NULL, "statistics the node computes from the ledger"},
    {"operations", NULL, "any registered operation, built from its fields"},
};
#define GROUP_COUNT (sizeof GROUPS / sizeof GROUPS[0])

static const char *group_summary(const group *g) {
    const petro_family_info *family = g->family != NULL ? petro_family_find(g->family) : NULL;
    if (family != NULL) return family->summary;
    return g->summary != NULL ? g->summary : "";
}

/* A group by its name or by its family's name ("zones" finds zone). */
static const group *find_group(const char *name) {
    for (size_t i = 0; i < GROUP_COUNT; i++) {
        if (strcmp(GROUPS[i].name, name) == 0) return &GROUPS[i];
        if (GROUPS[i].family != NULL && strcmp(GROUPS[i].family, name) == 0) return &GROUPS[i];
    }
    return NULL;
}

static bool is_help_flag(const char *arg) {
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static void print_overview(FILE *out) {
    fprintf(out, "usage: petro [--node URL] [--json] <command> [options]\n"
                 "       petro help [GROUP|COMMAND]   petro GROUP   petro COMMAND --help\n"
                 "       petro op NAME --FIELD VALUE...   petro --version\n");
    for (size_t i = 0; i < GROUP_COUNT; i++) {
        fprintf(out, "\n%s: %s\n", GROUPS[i].name, group_summary(&GROUPS[i]));
        for (size_t j = 0; j < COMMAND_COUNT; j++) {
            if (strcmp(COMMANDS[j].group, GROUPS[i].name) != 0) continue;
            fprintf(out, "  %-17s %s\n", COMMANDS[j].name, COMMANDS[j].summary);
        }
    }
    fprintf(out, "\n  %-17s %s\n", "help [NAME]", "show a group's commands or a command's usage");
    fprintf(out, "\n%s\nExit status: 0 success, 1 rejected or failed, 2 usage error, "
                 "3 node unreachable.\nSee docs/cli.md for examples.\n",
            COMMON_HELP);
}

static void print_usage_line(FILE *out, const char *prefix, const command *c) {
    fprintf(out, "%spetro %s%s%s%s\n", prefix, c->name, c->synopsis[0] ? " " : "", c->synopsis,
            c->is_tx ? " --wallet FILE [transaction options]" : "");
}

/* A group's commands with their flags, and its family's operations. */
static void print_group_help(FILE *out, const group *g) {
    fprintf(out, "petro %s: %s\n\nCommands:\n", g->name, group_summary(g));
    bool has_tx = false;
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        const command *c = &COMMANDS[i];
        if (strcmp(c->group, g->name) != 0) continue;
        print_usage_line(out, "  ", c);
        fprintf(out, "      %s\n", c->summary);
        has_tx = has_tx || c->is_tx;
    }
    const petro_family_info *family = g->family != NULL ? petro_family_find(g->family) : NULL;
    if (family != NULL && family->op_count > 0) {
        fprintf(out, "\nOperations of the %s family (petro op NAME --help shows the fields):\n",
                family->name);
        cmd_op_print_family(out, family);
    }
    fprintf(out, "\nEach command's details: petro COMMAND --help.\n");
    if (has_tx) fprintf(out, "\n%s", TX_HELP);
    fprintf(out, "\n%s", COMMON_HELP);
}

static void print_command_help(FILE *out, const command *c) {
    print_usage_line(out, "usage: ", c);
    fprintf(out, "\n%s.\n", c->summary);
    if (c->details != NULL) fprintf(out, "\n%s", c->details);
    if (c->handler == cmd_op) { /* the list of what NAME may be */
        fprintf(out, "\n");
        cmd_op_print_list(out);
    }
    fprintf(out, "\n%s", c->is_tx ? TX_HELP : "");
    fprintf(out, "%s%s", c->is_tx ? "\n" : "", COMMON_HELP);
}

/* `petro op NAME --help`: the command built from the schema. */
static void print_op_help(FILE *out, const command *c, const petro_op_schema *schema) {
    print_usage_line(out, "usage: ", c);
    fprintf(out, "\n");
    cmd_op_print_fields(out, schema);
    fprintf(out, "\n%s\n%s", TX_HELP, COMMON_HELP);
}

static const command *find_command(const char *name) {
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(COMMANDS[i].name, name) == 0) return &COMMANDS[i];
    }
    return NULL;
}

/* A two-word command ("trade create"). */
static const command *find_command2(const char *first, const char *second) {
    char name[64];
    int n = snprintf(name, sizeof name, "%s %s", first, second);
    if (n < 0 || (size_t)n >= sizeof name) return NULL;
    return find_command(name);
}

/* ------------------------------------------------------------------ options */

const char *args_get(const cli_args *args, const char *name) {
    const char *value = NULL;
    for (size_t i = 0; i < args->opt_count; i++) {
        if (strcmp(args->opts[i].name, name) == 0) value = args->opts[i].value;
    }
    return value;
}

bool args_has(const cli_args *args, const char *name) {
    for (size_t i = 0; i < args->opt_count; i++) {
        if (strcmp(args->opts[i].name, name) == 0) return true;
    }
    return false;
}

size_t args_get_all(const cli_args *args, const char *name, const char **out, size_t max) {
    size_t count = 0;
    for (size_t i = 0; i < args->opt_count && count < max; i++) {
        if (strcmp(args->opts[i].name, name) == 0) out[count++] = args->opts[i].value;
    }
    return count;
}

static const opt_spec *find_in(const opt_spec *list, const char *name, size_t name_len) {
    for (size_t i = 0; list[i].name != NULL; i++) {
        if (strlen(list[i].name) == name_len && strncmp(list[i].name, name, name_len) == 0) {
            return &list[i];
        }
    }
    return NULL;
}

static const opt_spec *find_opt(const command *c, const char *name, size_t name_len) {
    const opt_spec *s = find_in(COMMON_OPTS, name, name_len);
    if (s == NULL) s = find_in(c->opts, name, name_len);
    if (s == NULL && c->is_tx) s = find_in(TX_OPTS, name, name_len);
    return s;
}

/* Parse argv[first..argc) of command c into args. */
static int parse_command_args(cli_args *args, const command *c, int argc, char **argv,
                              int first) {
    bool options_done = false;
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (options_done || strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (!options_done && strcmp(arg, "--") == 0) {
                options_done = true;
                continue;
            }
            if (args->positional_count >= c->positional_max) {
                return cli_fail(CLI_EXIT_USAGE,
                                "%s: unexpected argument '%s' (see petro %s --help)", c->name,
                                arg, c->name);
            }
            args->positional[args->positional_count++] = arg;
            continue;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        const opt_spec *spec = find_opt(c, name, name_len);
        if (spec == NULL) {
            return cli_fail(CLI_EXIT_USAGE, "%s: unknown option --%.*s (see petro %s --help)",
                            c->name, (int)name_len, name, c->name);
        }
        const char *value = NULL;
        if (spec->value_name != NULL) {
            if (eq != NULL) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                return cli_fail(CLI_EXIT_USAGE, "%s: --%s needs a value %s", c->name, spec->name,
                                spec->value_name);
            }
        } else if (eq != NULL) {
            return cli_fail(CLI_EXIT_USAGE, "%s: --%s takes no value", c->name, spec->name);
        }
        if (!spec->is_repeatable && args_has(args, spec->name)) {
            return cli_fail(CLI_EXIT_USAGE, "%s: --%s given more than once", c->name, spec->name);
        }
        if (args->opt_count >= CLI_ARGS_OPTS_MAX) {
            return cli_fail(CLI_EXIT_USAGE, "%s: too many options", c->name);
        }
        args->opts[args->opt_count].name = spec->name;
        args->opts[args->opt_count].value = value;
        args->opt_count++;
    }
    return CLI_EXIT_OK;
}

/* Required options and positional counts, checked after --help had its chance. */
static int check_required(const cli_args *args, const command *c) {
    for (size_t i = 0; c->opts[i].name != NULL; i++) {
        if (c->opts[i].is_required && !args_has(args, c->opts[i].name)) {
            return cli_fail(CLI_EXIT_USAGE, "%s: missing --%s %s (usage: petro %s %s)", c->name,
                            c->opts[i].name, c->opts[i].value_name ? c->opts[i].value_name : "",
                            c->name, c->synopsis);
        }
    }
    if (c->is_tx && !args_has(args, "wallet")) {
        return cli_fail(CLI_EXIT_USAGE, "%s: missing --wallet FILE (the key that signs)", c->name);
    }
    if (args->positional_count < c->positional_min) {
        return cli_fail(CLI_EXIT_USAGE, "%s: missing %s (usage: petro %s %s)", c->name,
                        c->synopsis, c->name, c->synopsis);
    }
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ op NAME */

/* `op NAME`: the op command with NAME's fields as its options (lists repeatable, fields not
 * F_OPTIONAL required) and their flags as its usage line. */
typedef struct op_command {
    command c;
    const petro_op_schema *schema;
    char name[64]; /* "op payment" */
    char synopsis[CMD_OP_SYNOPSIS_SIZE];
    char flags[CMD_OP_FIELDS_MAX][CMD_OP_FLAG_SIZE]; /* "--field-name"; opts name it past "--" */
    opt_spec opts[CMD_OP_FIELDS_MAX + 1];
} op_command;

static int op_command_init(op_command *oc, const command *op, const char *op_name) {
    memset(oc, 0, sizeof *oc);
    oc->schema = petro_op_schema_find(op_name);
    if (oc->schema == NULL) {
        return cli_fail(CLI_EXIT_USAGE, "op: unknown operation '%s' (petro op lists them)",
                        op_name);
    }
    const petro_op_schema *s = oc->schema;
    int n = snprintf(oc->name, sizeof oc->name, "op %s", s->name);
    if (n < 0 || (size_t)n >= sizeof oc->name || s->field_count > CMD_OP_FIELDS_MAX) {
        return cli_fail(CLI_EXIT_FAILED, "op %s: too large for the CLI; use the API", s->name);
    }
    for (uint8_t i = 0; i < s->field_count; i++) {
        const petro_field *f = &s->fields[i];
        opjson_flag_name(oc->flags[i], CMD_OP_FLAG_SIZE, f);
        const char *flag = oc->flags[i] + 2;
        if (oc->flags[i][0] == '\0' || find_in(COMMON_OPTS, flag, strlen(flag)) != NULL ||
            find_in(TX_OPTS, flag, strlen(flag)) != NULL) {
            return cli_fail(CLI_EXIT_FAILED, "op %s: field %s has no usable flag; use the API",
                            s->name, f->name);
        }
        oc->opts[i] = (opt_spec){flag, cmd_op_value_name(f), f->list_max > 0,
                                 (f->flags & PETRO_FIELD_F_OPTIONAL) == 0};
    }
    cmd_op_synopsis(oc->synopsis, sizeof oc->synopsis, s);
    oc->c = *op;
    oc->c.name = oc->name;
    oc->c.synopsis = oc->synopsis;
    oc->c.summary = s->summary;
    oc->c.positional_min = 1; /* NAME, preset by run_command */
    oc->c.positional_max = 1;
    oc->c.opts = oc->opts;
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ configuration */

static int set_node_url(cli_config *cfg, const char *url) {
    size_t len = strlen(url);
    while (len > 0 && url[len - 1] == '/') len--;
    if (len == 0) return cli_fail(CLI_EXIT_USAGE, "empty node URL");
    if (len >= sizeof cfg->node_url) return cli_fail(CLI_EXIT_USAGE, "node URL too long");
    memcpy(cfg->node_url, url, len);
    cfg->node_url[len] = '\0';
    return CLI_EXIT_OK;
}

/* The one place that reads the environment: PETRO_NODE and PETRO_PASSPHRASE. */
static int cli_config_load(cli_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    const char *node = getenv("PETRO_NODE");
    int rc = set_node_url(cfg, node != NULL && node[0] != '\0' ? node : CLI_DEFAULT_NODE);
    if (rc != CLI_EXIT_OK) return rc;
    cfg->passphrase_env = getenv("PETRO_PASSPHRASE");
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ main */

/* Global options before the command. Returns the index of the command word, or -1 after
 * printing help or the version (*status set), or -2 on an error (*status set). */
static int parse_global(cli_config *cfg, int argc, char **argv, int *status) {
    int i = 1;
    while (i < argc && strncmp(argv[i], "-", 1) == 0) {
        const char *arg = argv[i];
        *status = CLI_EXIT_OK;
        if (strcmp(arg, "--json") == 0) {
            cfg->json = true;
        } else if (is_help_flag(arg)) {
            print_overview(stdout);
            return -1;
        } else if (strcmp(arg, "--version") == 0) {
            printf("petro %s\n", PETRO_VERSION);
            return -1;
        } else if (strcmp(arg, "--node") == 0 || strncmp(arg, "--node=", 7) == 0) {
            const char *url = arg[6] == '=' ? arg + 7 : (i + 1 < argc ? argv[++i] : NULL);
            *status = url != NULL ? set_node_url(cfg, url)
                                  : cli_fail(CLI_EXIT_USAGE, "--node needs a URL");
            if (*status != CLI_EXIT_OK) return -2;
        } else {
            *status = cli_fail(CLI_EXIT_USAGE, "unknown option %s (see petro help)", arg);
            return -2;
        }
        i++;
    }
    if (i >= argc) {
        *status = cli_fail(CLI_EXIT_USAGE, "no command given (see petro help)");
        return -2;
    }
    return i;
}

/* petro help [GROUP | COMMAND | WORD COMMAND | op NAME]. */
static int run_help(int argc, char **argv, int cmd_index) {
    if (cmd_index + 1 >= argc) {
        print_overview(stdout);
        return CLI_EXIT_OK;
    }
    const char *first = argv[cmd_index + 1];
    const char *second = cmd_index + 2 < argc ? argv[cmd_index + 2] : NULL;
    const group *g = second == NULL ? find_group(first) : NULL;
    if (g != NULL) {
        print_group_help(stdout, g);
        return CLI_EXIT_OK;
    }
    const command *c = find_command(first);
    if (c != NULL && c->handler == cmd_op && second != NULL) {
        op_command oc;
        int status = op_command_init(&oc, c, second);
        if (status == CLI_EXIT_OK) print_op_help(stdout, &oc.c, oc.schema);
        return status;
    }
    if (c == NULL && second != NULL) c = find_command2(first, second);
    if (c == NULL) {
        return cli_fail(CLI_EXIT_USAGE, "unknown command '%s%s%s' (see petro help)", first,
                        second != NULL ? " " : "", second != NULL ? second : "");
    }
    print_command_help(stdout, c);
    return CLI_EXIT_OK;
}

/* A word that is no command: a group's help, or an unknown command. */
static int run_group(int argc, char **argv, int cmd_index) {
    const char *name = argv[cmd_index];
    const char *next = cmd_index + 1 < argc ? argv[cmd_index + 1] : NULL;
    const group *g = find_group(name);
    if (g == NULL) return cli_fail(CLI_EXIT_USAGE, "unknown command '%s' (see petro help)", name);
    if (next == NULL || is_help_flag(next)) {
        print_group_help(stdout, g);
        return CLI_EXIT_OK;
    }
    return cli_fail(CLI_EXIT_USAGE, "unknown command '%s %s' (petro help %s lists the commands)",
                    name, next, g->name);
}

/* Parse, check and run command c on argv[first..); schema: c is `op NAME`, else NULL. */
static int run_command(cli_config *cfg, const command *c, const petro_op_schema *schema,
                       int argc, char **argv, int first) {
    cli_args args;
    memset(&args, 0, sizeof args);
    args.command = c->name;
    if (schema != NULL) args.positional[args.positional_count++] = schema->name;
    int status = parse_command_args(&args, c, argc, argv, first);
    if (status != CLI_EXIT_OK) return status;
    if (args_has(&args, "help")) {
        if (schema != NULL) {
            print_op_help(stdout, c, schema);
        } else {
            print_command_help(stdout, c);
        }
        return CLI_EXIT_OK;
    }
    if (args_has(&args, "json")) cfg->json = true;
    const char *node = args_get(&args, "node");
    if (node != NULL) {
        status = set_node_url(cfg, node);
        if (status != CLI_EXIT_OK) return status;
    }
    status = check_required(&args, c);
    if (status != CLI_EXIT_OK) return status;
    if (sodium_init() < 0) return cli_fail(CLI_EXIT_FAILED, "cannot initialise libsodium");
    status = http_global_init();
    if (status != CLI_EXIT_OK) return status;
    status = c->handler(cfg, &args);
    http_global_deinit();
    return status;
}

/* petro op [NAME ...]: without NAME (or with --help), the op command's help and the list. */
static int run_op(cli_config *cfg, const command *op, int argc, char **argv, int cmd_index) {
    const char *name = cmd_index + 1 < argc ? argv[cmd_index + 1] : NULL;
    if (name == NULL || is_help_flag(name)) {
        print_command_help(stdout, op);
        return CLI_EXIT_OK;
    }
    if (name[0] == '-') {
        return cli_fail(CLI_EXIT_USAGE, "op: the operation's NAME comes first: petro op NAME "
                                        "--FIELD VALUE... (petro op lists them)");
    }
    op_command oc;
    int status = op_command_init(&oc, op, name);
    if (status != CLI_EXIT_OK) return status;
    return run_command(cfg, &oc.c, oc.schema, argc, argv, cmd_index + 2);
}

static int run(int argc, char **argv) {
    cli_config cfg;
    int status = cli_config_load(&cfg);
    if (status != CLI_EXIT_OK) return status;
    if (argc <= 1) {
        print_overview(stdout);
        return CLI_EXIT_OK;
    }
    int cmd_index = parse_global(&cfg, argc, argv, &status);
    if (cmd_index < 0) return status;
    const char *name = argv[cmd_index];
    if (strcmp(name, "help") == 0) return run_help(argc, argv, cmd_index);
    const command *c = find_command(name);
    if (c == NULL && cmd_index + 1 < argc) { /* two-word commands: "trade create" */
        c = find_command2(name, argv[cmd_index + 1]);
        if (c != NULL) cmd_index++;
    }
    if (c == NULL) return run_group(argc, argv, cmd_index);
    if (c->handler == cmd_op) return run_op(&cfg, c, argc, argv, cmd_index);
    return run_command(&cfg, c, NULL, argc, argv, cmd_index + 1);
}

int main(int argc, char **argv) {
    int status = run(argc, argv);
    if (fflush(stdout) != 0 && status == CLI_EXIT_OK) {
        status = cli_fail(CLI_EXIT_FAILED, "cannot write to standard output");
    }
    return status;
}
