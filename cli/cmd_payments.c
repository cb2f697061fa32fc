/* petro CLI, payments family: `petro pay`, the phrase of a payment, and the reasons a
 * payment fails told from the payer's side (which trust line is missing, who lacks balance).
 *
 * pay is an alias of the payment operation (family.h): --to fills destination, --asset
 * (default PTR) asset, --amount amount; cmd_op.c builds and checks it. */
#include <stdio.h>
#include <string.h>

#include "family.h"
#include "http.h"
#include "opjson.h"
#include "output.h"

static const cli_opt PAY_OPTS[] = {
    {"to", "ADDRESS", .is_required = true, .field = "destination"},
    {"amount", "DECIMAL", .is_required = true, .field = "amount"},
    {"asset", "PTR|CODE:ISSUER", .field = "asset", .fallback = "PTR"},
    {.name = NULL},
};
static const cli_alias PAY = {"payment", NULL};

static const cli_command COMMANDS[] = {
    {"pay", NULL, "--to ADDRESS --amount DECIMAL [--asset PTR|CODE:ISSUER]",
     "send a payment (PTR unless --asset is given)", NULL, 0, 0, PAY_OPTS, true, &PAY, NULL},
};

static bool describe(char *out, size_t out_size, const json_t *op) {
    if (strcmp(jstr_or(op, "type", ""), "payment") != 0) return false;
    cli_phrase(out, out_size, "pay %s %s to %s", jstr_or(op, "amount", "?"),
               jstr_or(op, "asset", "?"), jstr_or(op, "destination", "?"));
    return true;
}

/* Whether account holds a trust line for asset_text: 1 yes, 0 no, -1 cannot tell. */
static int has_trust_line(const cli_config *cfg, const char *account, const char *asset_text) {
    char path[256];
    int n = snprintf(path, sizeof path, "/v1/accounts/%s", account);
    if (n < 0 || (size_t)n >= sizeof path) return -1;
    node_reply reply;
    if (node_get(cfg, path, &reply) != CLI_EXIT_OK) return -1;
    int found = reply.is_error ? -1 : 0;
    const json_t *balances = json_object_get(reply.body, "balances");
    for (size_t i = 0; found == 0 && json_is_array(balances) && i < json_array_size(balances);
         i++) {
        const char *a = jstr(json_array_get(balances, i), "asset");
        if (a != NULL && strcmp(a, asset_text) == 0) found = 1;
    }
    node_reply_deinit(&reply);
    return found;
}

static int explain_trust(const cli_op_failure *f, const char *dest, const char *asset) {
    /* Either side may lack the line: ask the node which one. */
    bool is_source = has_trust_line(f->cfg, f->source, asset) == 0;
    const char *role = is_source ? "source" : "destination";
    const char *who = is_source ? f->source : dest;
    if (strcmp(f->code, "no_trust") == 0) {
        return cli_fail(CLI_EXIT_FAILED, "%s %s has no trust line for %s (%s)", role, who, asset,
                        f->code);
    }
    return cli_fail(CLI_EXIT_FAILED,
                    "the trust line of %s %s for %s is not authorised by the issuer (%s)", role,
                    who, asset, f->code);
}

static int explain(const cli_op_failure *f) {
    if (f->op->type != PETRO_OP_PAYMENT) return -1;
    const petro_op_payment *p = &f->op->u.payment;
    char dest[PETRO_ADDRESS_SIZE_MAX], asset[OPJSON_ASSET_TEXT_SIZE];
    petro_address_encode(dest, &p->destination, f->net);
    (void)opjson_asset_text(asset, &p->asset, f->net);
    if (strcmp(f->code, "no_trust") == 0 || strcmp(f->code, "not_authorized") == 0) {
        return explain_trust(f, dest, asset);
    }
    if (strcmp(f->code, "balance_low") == 0) {
        char amount[PETRO_AMOUNT_TEXT_SIZE];
        (void)petro_amount_format(amount, p->amount);
        return cli_fail(CLI_EXIT_FAILED, "insufficient balance: %s cannot send %s %s (%s)",
                        f->source, amount, asset, f->code);
    }
    if (strcmp(f->code, "no_destination") == 0) {
        return cli_fail(CLI_EXIT_FAILED,
                        "destination account %s does not exist; fund it with "
                        "petro create-account (%s)",
                        dest, f->code);
    }
    if (strcmp(f->code, "line_full") == 0) {
        return cli_fail(CLI_EXIT_FAILED,
                        "the payment would exceed %s's trust line limit for %s (%s)", dest, asset,
                        f->code);
    }
    return -1;
}

/* A payment the ledger would refuse for sure: to itself, of an asset the source holds no line
 * of, or more than its balance (for PTR, after the fee). Nothing is signed then. */
static int preflight(const cli_preflight *p) {
    const petro_op *op = p->as_failure.op;
    if (op->type != PETRO_OP_PAYMENT) return -1;
    const petro_op_payment *pay = &op->u.payment;
    if (petro_pubkey_equal(&pay->destination, p->source_key)) {
        return cli_fail(CLI_EXIT_FAILED, "%s cannot pay itself: a payment needs another "
                                         "account (self_not_allowed)", p->as_failure.source);
    }
    char asset[OPJSON_ASSET_TEXT_SIZE];
    (void)opjson_asset_text(asset, &pay->asset, p->as_failure.net);
    const json_t *balances = json_object_get(p->account, "balances");
    const json_t *line = NULL;
    for (size_t i = 0; json_is_array(balances) && i < json_array_size(balances); i++) {
        const char *a = jstr(json_array_get(balances, i), "asset");
        if (a != NULL && strcmp(a, asset) == 0) line = json_array_get(balances, i);
    }
    if (line == NULL) {
        if (json_object_get(p->account, "balances_truncated") != NULL) return -1; /* unsure */
        cli_op_failure f = p->as_failure;
        f.code = "no_trust";
        return explain(&f);
    }
    petro_amount balance;
    const char *text = jstr(line, "balance");
    if (text == NULL || petro_amount_parse(&balance, text, strlen(text), false) != PETRO_OK) {
        return -1;
    }
    petro_amount need = pay->amount;
    if (pay->asset.kind == PETRO_ASSET_NATIVE) {
        if (balance < p->fee) {
            char fee[PETRO_AMOUNT_TEXT_SIZE];
            (void)petro_amount_format(fee, p->fee);
            return cli_fail(CLI_EXIT_FAILED, "%s holds %s PTR, less than the fee of %s PTR "
                                             "(fee_balance_low)", p->as_failure.source, text, fee);
        }
        balance -= p->fee; /* the fee is charged first */
    }
    if (balance < need) {
        cli_op_failure f = p->as_failure;
        f.code = "balance_low";
        return explain(&f);
    }
    return -1;
}

const cli_family cli_family_payments = {
    "payments", "payments", COMMANDS, sizeof COMMANDS / sizeof COMMANDS[0], describe, explain,
    preflight,
};
