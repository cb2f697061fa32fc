/* petro CLI, accounts family: create-account, set-signer, set-thresholds (aliases of the
 * family's operations, family.h), their phrases, and the reason an account cannot be
 * created. */
#include <string.h>

#include "family.h"
#include "output.h"

static const cli_opt CREATE_ACCOUNT_OPTS[] = {
    {"address", "ADDRESS", .is_required = true, .field = "destination"},
    {"amount", "DECIMAL", .is_required = true, .field = "starting_balance"},
    {.name = NULL},
};
static const cli_alias CREATE_ACCOUNT = {"create_account", NULL};

static const cli_opt SET_SIGNER_OPTS[] = {
    {"signer", "ADDRESS", .is_required = true, .field = "signer"},
    {"weight", "N", .is_required = true, .field = "weight"},
    {.name = NULL},
};
static const cli_alias SET_SIGNER = {"set_signer", NULL};

static const cli_opt SET_THRESHOLDS_OPTS[] = {
    {"master", "N", .is_required = true, .field = "master_weight"},
    {"low", "N", .is_required = true, .field = "low"},
    {"medium", "N", .is_required = true, .field = "medium"},
    {"high", "N", .is_required = true, .field = "high"},
    {.name = NULL},
};
static const cli_alias SET_THRESHOLDS = {"set_thresholds", NULL};

static const cli_command COMMANDS[] = {
    {"create-account", NULL, "--address ADDRESS --amount DECIMAL",
     "create a new account funded with PTR", NULL, 0, 0, CREATE_ACCOUNT_OPTS, true,
     &CREATE_ACCOUNT, NULL},
    {"set-signer", NULL, "--signer ADDRESS --weight N",
     "add or change an extra signer of the account (weight 0 removes it)", NULL, 0, 0,
     SET_SIGNER_OPTS, true, &SET_SIGNER, NULL},
    {"set-thresholds", NULL, "--master N --low N --medium N --high N",
     "set the master key weight and the low/medium/high thresholds", NULL, 0, 0,
     SET_THRESHOLDS_OPTS, true, &SET_THRESHOLDS, NULL},
};

static long long jint_or(const json_t *obj, const char *key, long long fallback) {
    long long v = 0;
    return jint(obj, key, &v) ? v : fallback;
}

static bool describe(char *out, size_t out_size, const json_t *op) {
    const char *type = jstr_or(op, "type", "");
    if (strcmp(type, "create_account") == 0) {
        cli_phrase(out, out_size, "create account %s with %s PTR",
                   jstr_or(op, "destination", "?"), jstr_or(op, "starting_balance", "?"));
    } else if (strcmp(type, "set_signer") == 0) {
        long long w = jint_or(op, "weight", -1);
        if (w == 0) {
            cli_phrase(out, out_size, "remove signer %s", jstr_or(op, "signer", "?"));
        } else {
            cli_phrase(out, out_size, "set signer %s weight %lld", jstr_or(op, "signer", "?"), w);
        }
    } else if (strcmp(type, "set_thresholds") == 0) {
        cli_phrase(out, out_size,
                   "set thresholds: master weight %lld, low %lld, medium %lld, high %lld",
                   jint_or(op, "master_weight", -1), jint_or(op, "low", -1),
                   jint_or(op, "medium", -1), jint_or(op, "high", -1));
    } else {
        return false;
    }
    return true;
}

static int explain(const cli_op_failure *f) {
    if (f->op->type != PETRO_OP_CREATE_ACCOUNT || strcmp(f->code, "account_exists") != 0) {
        return -1;
    }
    char dest[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(dest, &f->op->u.create_account.destination, f->net);
    return cli_fail(CLI_EXIT_FAILED, "account %s already exists (%s)", dest, f->code);
}

const cli_family cli_family_accounts = {
    "accounts", "accounts", COMMANDS, sizeof COMMANDS / sizeof COMMANDS[0], describe, explain,
    NULL,
};
