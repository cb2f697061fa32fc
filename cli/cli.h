/* petro CLI: shared types of the command-line wallet.
 *
 * Conventions every command follows:
 *  - a command returns its process exit status: CLI_EXIT_OK, CLI_EXIT_FAILED (the node or the
 *    ledger rejected something, or a local operation failed), CLI_EXIT_USAGE (bad arguments or
 *    input text), CLI_EXIT_UNREACHABLE (no HTTP answer from the node);
 *  - the function that detects a failure prints it, once, with cli_fail() ("petro: <reason>"
 *    on one stderr line), and callers only pass the status up. So exactly one line is printed;
 *  - configuration (environment variables, and the saved settings of `petro config`,
 *    config.c) is read in one place, cli_config_load() in main.c. */
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
    CLI_EXIT_PENDING = 4, /* --wait: accepted, not committed within the wait */
};

#define CLI_DEFAULT_NODE "http://127.0.0.1:8420"
#define CLI_PATH_SIZE_MAX 1024
#define CLI_URL_SIZE_MAX 512
#define CLI_ARGS_OPTS_MAX 64
#define CLI_ARGS_POSITIONAL_MAX 8
#define CLI_TX_ADDRS_MAX 16 /* addresses of one operation checked against the node's network */
#define CLI_TX_WHAT_SIZE 48 /* "--" and an option's name */

/* The saved settings (`petro config`, config.c): $XDG_CONFIG_HOME/petro/config.json, else
 * ~/.config/petro/config.json. Empty strings are settings not saved. */
typedef struct cli_settings {
    char path[CLI_PATH_SIZE_MAX];    /* the file; "" when neither XDG_CONFIG_HOME nor HOME is set */
    char node[CLI_URL_SIZE_MAX];     /* "node": the node URL */
    char wallets[CLI_PATH_SIZE_MAX]; /* "wallets": the wallet directory of names */
    char error[CLI_PATH_SIZE_MAX + 256]; /* why the file could not be read, or "" */
} cli_settings;

typedef struct cli_config {
    char node_url[CLI_URL_SIZE_MAX]; /* without a trailing '/' */
    const char *node_from;           /* "--node", "PETRO_NODE", "config file", "default" */
    bool json;                       /* print JSON instead of human text */
    const char *passphrase_env;      /* PETRO_PASSPHRASE, or NULL; borrowed from environ */
    const char *wallets_env;         /* PETRO_WALLETS, or NULL; borrowed from environ */
    cli_settings saved;
} cli_config;

/* One command line after the command name, split into options and positional arguments.
 * Values are borrowed from argv. */
struct cli_command;

typedef struct cli_args {
    const char *command;
    const struct cli_command *cmd; /* the command's table entry (family.h) */
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
/* Give --name the value (replacing earlier values), for a handler that computes a value its
 * alias then reads. name and value are borrowed: static or outliving args. Returns
 * CLI_EXIT_OK, or CLI_EXIT_USAGE (too many options) after cli_fail. */
int args_set(cli_args *args, const char *name, const char *value);

/* A command handler. */
typedef int (*cli_handler)(const cli_config *cfg, const cli_args *args);

/* Query commands (cmd_query.c). */
int cmd_status(const cli_config *cfg, const cli_args *args);
int cmd_balance(const cli_config *cfg, const cli_args *args);
int cmd_account(const cli_config *cfg, const cli_args *args);
int cmd_tx(const cli_config *cfg, const cli_args *args);
int cmd_block(const cli_config *cfg, const cli_args *args);

/* State commitment commands (cmd_state.c). */
int cmd_state_proof(const cli_config *cfg, const cli_args *args);
int cmd_verify_state_proof(const cli_config *cfg, const cli_args *args);

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
/* The public key of a wallet file without decrypting it (its clear "public_key"), and whether
 * it is a devnet wallet. Prints the failure (exit 1). */
int wallet_public_key(const char *path, petro_pubkey *pk, bool *is_devnet);

/* Saved settings (config.c). */
/* Find the settings file from XDG_CONFIG_HOME / HOME (either may be NULL) and read it into s.
 * A file that does not exist is no settings; one that cannot be read or parsed leaves
 * s->error set (commands other than `petro config` then refuse to run). Prints nothing. */
void cli_settings_load(cli_settings *s, const char *xdg_config_home, const char *home);
/* petro config show | get KEY | set KEY VALUE | unset KEY. */
int cmd_config(const cli_config *cfg, const cli_args *args);

/* Wallet names (names.c): `--wallet alice` is DIR/alice.json, `--to bob` bob's address. */
/* The wallet directory: PETRO_WALLETS, else the saved "wallets", else ./devnet/wallets if it
 * is a directory. Returns false (out "") when there is none; *from says which. */
bool names_dir(const cli_config *cfg, char *out, size_t out_size, const char **from);
/* The value of a wallet option (what: "--wallet") into *out: text itself when it is a file
 * that exists or a path (a '/' or ".json" in it), else the name's file DIR/NAME.json. A name
 * that does not resolve is a usage error (exit 2) saying where it was looked for. */
int names_wallet(const cli_config *cfg, const char *what, const char *text, const char **out);
/* The value of an address argument into *out: text itself when it looks like an address
 * (ptr1..., tptr1...) or is neither a name nor a path, else the address of the wallet file or
 * named wallet (its public key, read without the passphrase). */
int names_address(const cli_config *cfg, const char *what, const char *text, const char **out);
/* An asset argument "CODE:ISSUER" whose ISSUER is a name: the same with its address. */
int names_asset(const cli_config *cfg, const char *what, const char *text, const char **out);

/* The transaction pipeline (cmd_tx.c): one operation, with what is checked before signing. */
typedef struct cli_tx_op {
    petro_op op;
    /* Addresses parsed from arguments, checked against the node's network kind. */
    size_t addr_count;
    char whats[CLI_TX_ADDRS_MAX][CLI_TX_WHAT_SIZE]; /* the argument: "--to" */
    const char *texts[CLI_TX_ADDRS_MAX]; /* the address as typed */
    /* When set, the source account must be required_source (issue --asset CODE:ISSUER). */
    bool has_required_source;
    petro_pubkey required_source;
    const char *required_source_why; /* "--asset: only the issuer can issue" */
} cli_tx_op;

/* Run the pipeline for txo (status, network check, wallets, sequence, sign, submit, report):
 * see cmd_tx.c. txo->op is wiped before returning. */
int cli_tx_submit(const cli_config *cfg, const cli_args *args, cli_tx_op *txo);

#endif
