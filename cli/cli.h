/* petro CLI: shared types of the command-line wallet.
 *
 * Conventions every command follows:
 *  - a command returns its process exit status: CLI_EXIT_OK, CLI_EXIT_FAILED (the node or the
 *    ledger rejected something, or a local operation failed), CLI_EXIT_USAGE (bad arguments or
 *    input text), CLI_EXIT_UNREACHABLE (no HTTP answer from the node);
 *  - the function that detects a failure prints it, once, with cli_fail() ("petro: <reason>"
 *    on one stderr line), and callers only pass the status up. So exactly one line is printed;
 *  - configuration (environment variables) is read in one place, cli_config_load() in main.c. */
#ifndef PETRO_CLI_CLI_H
#define PETRO_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "petro/petro.h"
#include "wallet.h"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILED = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_UNREACHABLE = 3,
};

#define CLI_DEFAULT_NODE "http://127.0.0.1:8420"
#define CLI_URL_SIZE_MAX 512
#define CLI_ARGS_OPTS_MAX 64
#define CLI_ARGS_POSITIONAL_MAX 8
#define CLI_TX_ADDRS_MAX 16 /* addresses of one operation checked against the node's network */

typedef struct cli_config {
    char node_url[CLI_URL_SIZE_MAX]; /* without a trailing '/' */
    bool json;                       /* print JSON instead of human text */
    const char *passphrase_env;      /* PETRO_PASSPHRASE, or NULL; borrowed from environ */
} cli_config;

/* One command line after the command name, split into options and positional arguments.
 * Values are borrowed from argv. */
typedef struct cli_args {
    const char *command;
    size_t positional_count;
    const char *positional[CLI_ARGS_POSITIONAL_MAX];
    size_t opt_count;
    struct {
        const char *name; /* without the leading "--" */
        const char *value; /* NULL for a flag */
    } opts[CLI_ARGS_OPTS_MAX];
} cli_args;

/* Last value of --name, or NULL. */
const char *args_get(const cli_args *args, const char *name);
/* Whether --name was given. */
bool args_has(const cli_args *args, const char *name);
/* Every value of a repeatable option, in order; returns the count (at most max). */
size_t args_get_all(const cli_args *args, const char *name, const char **out, size_t max);

/* A command handler. */
typedef int (*cli_handler)(const cli_config *cfg, const cli_args *args);

/* Query commands (cmd_query.c). */
int cmd_status(const cli_config *cfg, const cli_args *args);
int cmd_balance(const cli_config *cfg, const cli_args *args);
int cmd_account(const cli_config *cfg, const cli_args *args);
int cmd_tx(const cli_config *cfg, const cli_args *args);
int cmd_block(const cli_config *cfg, const cli_args *args);
int cmd_assets(const cli_config *cfg, const cli_args *args);

/* Wallet commands (cmd_wallet.c). */
int cmd_keygen(const cli_config *cfg, const cli_args *args);
int cmd_address(const cli_config *cfg, const cli_args *args);

/* Wallet helpers (cmd_wallet.c), shared with the transaction commands. */
/* A passphrase: PETRO_PASSPHRASE if set, else asked on /dev/tty without echo (twice when
 * confirm is set). On CLI_EXIT_OK *out is sodium_malloc'd: release with passphrase_free. */
int passphrase_get(const cli_config *cfg, const char *prompt, bool confirm, char **out);
void passphrase_free(char *passphrase);
/* Open a wallet for signing on a network of kind net: refuses devnet wallets on main
 * networks, asks for the passphrase of encrypted ones. key must be zeroed; on CLI_EXIT_OK the
 * caller must wallet_key_deinit it. */
int wallet_open(const cli_config *cfg, const char *path, petro_net_kind net, wallet_key *key);

/* Transaction commands (cmd_tx.c). */
int cmd_pay(const cli_config *cfg, const cli_args *args);
int cmd_create_account(const cli_config *cfg, const cli_args *args);
int cmd_trust(const cli_config *cfg, const cli_args *args);
int cmd_untrust(const cli_config *cfg, const cli_args *args);
int cmd_create_asset(const cli_config *cfg, const cli_args *args);
int cmd_authorize(const cli_config *cfg, const cli_args *args);
int cmd_issue(const cli_config *cfg, const cli_args *args);
int cmd_redeem(const cli_config *cfg, const cli_args *args);
int cmd_set_signer(const cli_config *cfg, const cli_args *args);
int cmd_set_thresholds(const cli_config *cfg, const cli_args *args);
/* Run the transaction pipeline of cmd_tx.c for a prepared operation (used by the other
 * command files); whats/texts name the addresses parsed into op, checked against the node's
 * network kind. More than CLI_TX_ADDRS_MAX addresses is a usage error. */
int cli_tx_run_op(const cli_config *cfg, const cli_args *args, const petro_op *op,
                  size_t addr_count, const char *const *whats, const char *const *texts);
/* cli_tx_run_op with one address to check (what, text), or none when text is NULL. */
int cli_tx_run_op_addr(const cli_config *cfg, const cli_args *args, const petro_op *op,
                       const char *what, const char *text);

/* Reserves commands (cmd_reserves.c). */
int cmd_reserves(const cli_config *cfg, const cli_args *args);
int cmd_attest(const cli_config *cfg, const cli_args *args);
int cmd_oracle_price(const cli_config *cfg, const cli_args *args);
int cmd_issue_reserve(const cli_config *cfg, const cli_args *args);
int cmd_redeem_reserve(const cli_config *cfg, const cli_args *args);
int cmd_fulfill(const cli_config *cfg, const cli_args *args);
int cmd_proof(const cli_config *cfg, const cli_args *args);
int cmd_verify_proof(const cli_config *cfg, const cli_args *args);

#endif
