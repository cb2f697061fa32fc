/* petro CLI: the generic operation command (cmd_op.c), `petro op NAME --field value ...`, and
 * the builder behind the families' alias commands (family.h).
 *
 * Any operation a family registers (petro/schema.h) gets a command without CLI code: its flags
 * are its fields (opjson_flag_name), its values are parsed by opjson_parse_value, and the
 * transaction goes through the pipeline of cmd_tx.c (cli_tx_submit). main.c builds the option
 * list of `op NAME` and of the generated commands from the schema with these helpers and
 * prints the help texts below. */
#ifndef PETRO_CLI_CMD_OP_H
#define PETRO_CLI_CMD_OP_H

#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "family.h"
#include "petro/schema.h"

#define CMD_OP_FIELDS_MAX 32    /* fields of one operation the CLI can take */
#define CMD_OP_FLAG_SIZE 48     /* "--", a field name with '_' as '-', NUL */
#define CMD_OP_SYNOPSIS_SIZE 1024

/* `petro op NAME ...`: args->positional[0] is NAME, a registered operation (main.c checked);
 * the required fields' flags were checked by main.c too. */
int cmd_op(const cli_config *cfg, const cli_args *args);

/* Build the operation of args->cmd's alias into txo (zeroed first) from the command's options
 * and the alias's extra fields (family.h), and run its static check. The caller then runs
 * cli_tx_submit. */
int cmd_op_build_alias(cli_tx_op *txo, const cli_args *args);

/* Add an address argument (what: "--asset", text: the address) to txo's network check. */
int cmd_op_note_address(cli_tx_op *txo, const char *what, const char *text);

/* The placeholder of a field's value in usage lines: "ADDRESS", "DECIMAL", "N"... */
const char *cmd_op_value_name(const petro_field *field);

/* The flags of schema as a usage line: "--destination ADDRESS --amount DECIMAL [--x N]",
 * a list's flag followed by "...". Ends in "..." if out_size is too small. */
void cmd_op_synopsis(char *out, size_t out_size, const petro_op_schema *schema);

/* Every registered operation by family with its summary (`petro op`). */
void cmd_op_print_list(FILE *out);
/* The operations of one family, one line each (for `petro help GROUP`). */
void cmd_op_print_family(FILE *out, const petro_family_info *family);
/* The fields of an operation: flag, value, kind, limits, doc (`petro op NAME --help`). */
void cmd_op_print_fields(FILE *out, const petro_op_schema *schema);

#endif
