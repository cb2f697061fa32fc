/* petro CLI: the commands of each operation family, and the one list of families.
 *
 * Each registered family (libpetro/families.def) has one file cli/cmd_<family>.c that exports
 * one cli_family table: the family's name as the registry spells it, the group word typed on
 * the command line (`petro zone ...` for zones), its commands, and two optional callbacks: a
 * short human phrase for one of its operations (petro tx) and an explanation of a failed
 * operation (after --wait). cli/families.c lists the tables, one line per family; main.c
 * walks that list for the command table, the groups and the help, and output.c and cmd_tx.c
 * ask it for the callbacks. Nothing outside a family's file names its operations.
 *
 * An op-building command is declared, not written: its cli_alias names the operation, and each
 * of its options names the schema field it fills (with a default; fixed values are in the
 * alias); cmd_op.c's generic builder parses the values by the fields' kinds, checks the
 * operation and runs the transaction pipeline. A command whose operation needs more (hashing
 * a file, a value computed from the clock or read from the node) has a handler in its family
 * file that prepares those values and then calls the same builder.
 *
 * A family operation that no command of its family builds gets a generated command
 * `petro GROUP WORD` (WORD: the operation's name without "<family>_", '_' written '-'), whose
 * flags are the operation's fields, like `petro op NAME`: `petro data set --name N --value HEX`. */
#ifndef PETRO_CLI_FAMILY_H
#define PETRO_CLI_FAMILY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cli.h"
#include "output.h"

/* One option of a command (without the leading "--"). In an alias command (one with a
 * cli_alias), field names the schema field the option fills, and its text is parsed as
 * `petro op` parses the field's flag (opjson_parse_value):
 *  - an option with a value: its value (a list field: the option once per element), else
 *    fallback, else the field stays zero;
 *  - an option without a value: value when it is given, else fallback (authorize --revoke:
 *    authorize "false", else "true"). A flag word (FLAGS) ORs the names of every option that
 *    names it (create-asset --auth-required --revocable). */
typedef struct cli_opt {
    const char *name;
    const char *value_name; /* NULL for an option without a value */
    bool is_repeatable;
    bool is_required;
    const char *field;    /* alias commands: the schema field it fills, or NULL */
    const char *value;    /* an option without a value: the field's text when it is given */
    const char *fallback; /* the field's text when the option is absent, or NULL */
} cli_opt;

/* A field no option gives: a fixed text (untrust's limit "0"), or the value a handler
 * computed and stored under key with args_set (attest's valid-until-ms). */
typedef struct cli_field_map {
    const char *key;   /* the args entry the handler sets, or NULL for fixed */
    const char *field; /* the schema field's name */
    const char *fixed; /* the text when key is NULL */
} cli_field_map;

/* An op-building command: the operation, and the fields no option gives (NULL, or terminated
 * by a NULL field). */
typedef struct cli_alias {
    const char *op; /* the registry name of the operation: payment */
    const cli_field_map *extra;
} cli_alias;

/* One command. handler NULL: the alias command (cmd_alias in cmd_op.c). A handler of an alias
 * command prepares what the options cannot say, then calls cmd_alias or cmd_alias_with. */
typedef struct cli_command {
    const char *name;       /* as typed: "pay", "trade create" */
    cli_handler handler;    /* or NULL for a pure alias */
    const char *synopsis;   /* after "petro NAME " */
    const char *summary;
    const char *details;    /* extra help lines, may be NULL */
    size_t positional_min;
    size_t positional_max;
    const cli_opt *opts;    /* terminated by a NULL name */
    bool is_tx;             /* accepts the transaction options */
    const cli_alias *alias; /* the operation it builds, or NULL */
    const char *group;      /* help group if not its family's (stats trade), or NULL */
} cli_command;

/* A failed operation of an included transaction, for the family's explanation. */
typedef struct cli_op_failure {
    const cli_config *cfg;
    const cli_args *args;
    const petro_op *op;
    const char *source; /* the source account's address */
    petro_net_kind net;
    const char *code;   /* the operation's result name: "no_trust" */
} cli_op_failure;

/* A transaction about to be signed, for the family's preflight: the source account as
 * GET /v1/accounts shows it (balances, sequence) and the fee it will carry. */
typedef struct cli_preflight {
    cli_op_failure as_failure; /* cfg, args, op, source address, net; code NULL */
    const petro_pubkey *source_key;
    const json_t *account;
    petro_amount fee;
} cli_preflight;

typedef struct cli_family {
    const char *family; /* the registry's name: "zones" */
    const char *group;  /* the group word: "zone" */
    const cli_command *commands;
    size_t command_count;
    /* A short phrase for op (an operation object of the API) into out; false: none. */
    bool (*describe)(char *out, size_t out_size, const json_t *op);
    /* Print the reason a failed op gives with cli_fail and return its status, or return -1
     * to leave it to the generic message. */
    int (*explain)(const cli_op_failure *failure);
    /* Before signing (unless --no-preflight): print why the ledger would refuse the operation,
     * from what the CLI already read, with cli_fail and return its status; -1 to go on. Only
     * sure refusals: a doubt goes on to the node. May be NULL. */
    int (*preflight)(const cli_preflight *p);
} cli_family;

/* The families' tables (cli/families.c), in registry order. */
size_t cli_family_count(void);
const cli_family *cli_family_at(size_t i);
/* The table of the registry family called name, or NULL. */
const cli_family *cli_family_of(const char *family);
/* The table of the family that registers the operation called op_name, or NULL. */
const cli_family *cli_family_of_op(const char *op_name);

/* The command of a family table called name ("redeem-reserve"), or NULL. */
const cli_command *cli_command_find(const char *name);
/* Run args (another command's, e.g. redeem --delivery) as the alias of command_name. */
int cli_run_alias_of(const cli_config *cfg, const cli_args *args, const char *command_name);

/* The alias command handler: builds the operation of args->cmd's alias from its options and
 * submits it (cmd_op.c). */
int cmd_alias(const cli_config *cfg, const cli_args *args);
/* cmd_alias with the args entry key set to value (args_set), e.g. a computed hash. */
int cmd_alias_with(const cli_config *cfg, const cli_args *args, const char *key,
                   const char *value);

#endif
