/* petro CLI: everything printed. Errors go through cli_fail (one "petro: ..." line on stderr);
 * human output is aligned "key  value" lines; --json output is the node's JSON, indented. */
#ifndef PETRO_CLI_OUTPUT_H
#define PETRO_CLI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "petro/petro.h"

#if defined(__GNUC__)
#define CLI_PRINTF(fmt_index, args_index) __attribute__((format(printf, fmt_index, args_index)))
#else
#define CLI_PRINTF(fmt_index, args_index)
#endif

/* Print "petro: <formatted reason>" as one line on stderr and return status. Newlines in the
 * formatted text are replaced by spaces so that the reason stays on one line. With --json
 * (cli_output_json_errors), the error is one JSON object on stdout instead:
 * {"error": NAME, "message": REASON, "exit": status[, "hash": HASH]}, NAME being the last
 * result code in parentheses in the reason ("balance_low"), else the status's word (failed,
 * usage, unreachable, pending); unless the command already printed its JSON answer (out_json):
 * then the line goes to stderr, so stdout stays one JSON document. */
int cli_fail(int status, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Errors as JSON objects on stdout from now on (--json). */
void cli_output_json_errors(void);
/* The transaction hash a JSON error carries from now on (a pending transaction's). */
void cli_error_hash(const char *hash_hex);

/* Print a JSON value to stdout, indented, followed by a newline. Returns CLI_EXIT_OK or
 * CLI_EXIT_FAILED (after cli_fail) if it could not be serialised. */
int out_json(const json_t *value);

/* Print one "key  value" line with the key padded to a fixed column. */
void out_kv(const char *key, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Field getters that tolerate absent or mistyped members. */
const char *jstr(const json_t *obj, const char *key);          /* NULL if not a string */
const char *jstr_or(const json_t *obj, const char *key, const char *fallback);
bool jint(const json_t *obj, const char *key, long long *out); /* false if not an integer */
bool jbool(const json_t *obj, const char *key, bool *out);     /* false if not a boolean */

/* "insufficient balance (balance_low)": the sentence of a result name from result.h, or the
 * node's message when the name is unknown to this build, followed by the name. */
void describe_code(char *out, size_t out_size, const char *code_name, const char *node_message);

/* Format a phrase into out (for descriptions); truncation, for display only, is marked "...". */
void cli_phrase(char *out, size_t out_size, const char *fmt, ...) CLI_PRINTF(3, 4);

/* Describe one operation object of the API (docs/api.md) in a short human phrase: its
 * family's describe callback (family.h), else its compact JSON. */
void describe_op(char *out, size_t out_size, const json_t *op);

/* Render memo bytes given in hex: as quoted text when printable ASCII, else as hex. */
void describe_memo(char *out, size_t out_size, const char *memo_hex);

/* Render a unix time in milliseconds as "2026-11-23 13:19:02.123 UTC". */
void describe_time_ms(char *out, size_t out_size, long long ms);

#endif
