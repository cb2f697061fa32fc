/* petro CLI: the schema-driven operation builder, for `petro op NAME --field value ...`, the
 * generated commands (`petro data set`) and every alias command of the families (family.h).
 *
 *   petro op                      every operation, by family, with its summary
 *   petro op NAME --help          its fields: flag, value, kind, limits, doc
 *   petro op NAME --FIELD VALUE... --wallet FILE [transaction options]
 *
 * Design: nothing here names an operation. The schema (petro/schema.h) gives each field's
 * flag (opjson_flag_name), its kind and limits; values are parsed by opjson_parse_value into
 * a zeroed petro_op at the field's offset, so an omitted F_OPTIONAL field is zero. An alias
 * command gives the same parser its own option names, defaults and fixed values instead of
 * the fields' flags, so `petro pay` and `petro op payment` build the same bytes. A list
 * field takes its flag once per element (--approver A --approver B), never comma-separated,
 * because text values may hold commas. A flag word (F_FLAGS) takes a number or its bits'
 * names joined by commas. Every address (and an issued asset's issuer) is noted in the
 * cli_tx_op, and cli_tx_submit (cmd_tx.c) checks its network kind against the node's before
 * anything is signed; the operation's static check (petro_op_check) runs first, before the
 * network is asked. */
#include "cmd_op.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "opjson.h"
#include "output.h"
#include "parse.h"

/* One operation being built from the command line into the pipeline's cli_tx_op. */
typedef struct op_build {
    const petro_op_schema *schema;
    const char *who; /* in messages: "op payment", or the alias command "pay" */
    cli_tx_op *txo;
} op_build;

/* ------------------------------------------------------------------ descriptions */

const char *cmd_op_value_name(const petro_field *f) {
    if ((f->flags & PETRO_FIELD_F_HEX) != 0) return "HEX";
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_PUBKEY: return "ADDRESS";
    case PETRO_FIELD_ASSET: return "PTR|CODE:ISSUER";
    case PETRO_FIELD_CODE: return "CODE";
    case PETRO_FIELD_AMOUNT: return "DECIMAL";
    case PETRO_FIELD_BOOL: return "true|false";
    case PETRO_FIELD_U8:
    case PETRO_FIELD_U16:
    case PETRO_FIELD_U32:
    case PETRO_FIELD_U64:
        if ((f->flags & PETRO_FIELD_F_ENUM) != 0) return "NAME";
        if ((f->flags & PETRO_FIELD_F_BOOLEAN) != 0) return "true|false";
        if ((f->flags & PETRO_FIELD_F_FLAGS) != 0) return "NAME,...|N";
        return "N";
    case PETRO_FIELD_TEXT: return "TEXT";
    case PETRO_FIELD_HASH: return "HEX";
    case PETRO_FIELD_SIG: return "HEX";
    case PETRO_FIELD_COUNTRY: return "CC";
    }
    return "VALUE";
}

static const char *kind_word(const petro_field *f) {
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_PUBKEY: return "address";
    case PETRO_FIELD_ASSET: return "asset";
    case PETRO_FIELD_CODE: return "asset code (1..12 of A-Z 0-9, not PTR)";
    case PETRO_FIELD_AMOUNT: return "amount (at most 8 decimals)";
    case PETRO_FIELD_BOOL: return "boolean";
    case PETRO_FIELD_U8:
    case PETRO_FIELD_U16:
    case PETRO_FIELD_U32:
    case PETRO_FIELD_U64:
        if ((f->flags & PETRO_FIELD_F_ENUM) != 0) return "name";
        if ((f->flags & PETRO_FIELD_F_BOOLEAN) != 0) return "boolean";
        if ((f->flags & PETRO_FIELD_F_FLAGS) != 0) return "flag word";
        return "integer";
    case PETRO_FIELD_TEXT: return "text (printable ASCII)";
    case PETRO_FIELD_HASH: return "hash (64 hex digits)";
    case PETRO_FIELD_SIG: return "signature (128 hex digits)";
    case PETRO_FIELD_COUNTRY: return "country code (ISO 3166-1 alpha-2)";
    }
    return "value";
}

/* Append formatted text at *used in out; stops quietly when out is full. */
static void append(char *out, size_t out_size, size_t *used, const char *fmt, ...)
    CLI_PRINTF(4, 5);

static void append(char *out, size_t out_size, size_t *used, const char *fmt, ...) {
    if (*used >= out_size) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *used, out_size - *used, fmt, ap);
    va_end(ap);
    *used = n < 0 ? out_size : *used + (size_t)n;
}

static uint64_t int_kind_max(const petro_field *f) {
    if (f->kind == PETRO_FIELD_U8) return UINT8_MAX;
    if (f->kind == PETRO_FIELD_U16) return UINT16_MAX;
    if (f->kind == PETRO_FIELD_U32) return UINT32_MAX;
    return UINT64_MAX;
}

/* The names of an enumeration or a flag word: "a, b, c". */
static void append_names(char *out, size_t out_size, size_t *used, const petro_field *f) {
    const char *sep = "";
    for (uint8_t i = 0; i < f->name_count; i++) {
        if (f->names[i] == NULL) continue;
        append(out, out_size, used, "%s%s", sep, f->names[i]);
        sep = ", ";
    }
}

/* The accepted values of a field beyond its kind: range, names, length. */
static void append_limits(char *out, size_t out_size, size_t *used, const petro_field *f) {
    bool is_int = f->kind == PETRO_FIELD_U8 || f->kind == PETRO_FIELD_U16 ||
                  f->kind == PETRO_FIELD_U32 || f->kind == PETRO_FIELD_U64;
    if ((f->flags & PETRO_FIELD_F_ENUM) != 0) {
        append(out, out_size, used, ", one of: ");
        append_names(out, out_size, used, f);
    } else if ((f->flags & PETRO_FIELD_F_FLAGS) != 0) {
        append(out, out_size, used, ", names joined by ',' (");
        append_names(out, out_size, used, f);
        append(out, out_size, used, ") or a number");
    } else if (is_int && (f->flags & PETRO_FIELD_F_BOOLEAN) == 0) {
        uint64_t lo = f->min > 0 ? (uint64_t)f->min : 0, hi = int_kind_max(f);
        if (f->max > 0 && (uint64_t)f->max < hi) hi = (uint64_t)f->max;
        append(out, out_size, used, " %" PRIu64 "..%" PRIu64, lo, hi);
    } else if (f->kind == PETRO_FIELD_AMOUNT && (f->min > 0 || f->max > 0)) {
        char lo[PETRO_AMOUNT_TEXT_SIZE], hi[PETRO_AMOUNT_TEXT_SIZE];
        (void)petro_amount_format(lo, f->min > 0 ? f->min : 0);
        (void)petro_amount_format(hi, f->max > 0 ? f->max : PETRO_SUPPLY_MAX);
        append(out, out_size, used, " %s..%s", lo, hi);
    } else if (f->kind == PETRO_FIELD_TEXT) {
        append(out, out_size, used, ", at most %u characters", (unsigned)f->text_max);
    }
}

void cmd_op_synopsis(char *out, size_t out_size, const petro_op_schema *s) {
    size_t used = 0;
    out[0] = '\0';
    for (uint8_t i = 0; i < s->field_count; i++) {
        const petro_field *f = &s->fields[i];
        char flag[CMD_OP_FLAG_SIZE];
        opjson_flag_name(flag, sizeof flag, f);
        bool is_optional = (f->flags & PETRO_FIELD_F_OPTIONAL) != 0;
        append(out, out_size, &used, "%s%s%s %s%s%s", i > 0 ? " " : "", is_optional ? "[" : "",
               flag, cmd_op_value_name(f), is_optional ? "]" : "",
               f->list_max > 0 && (f->flags & PETRO_FIELD_F_HEX) == 0 ? "..." : "");
    }
    if (used >= out_size && out_size > 4) memcpy(out + out_size - 4, "...", 4);
}

static const char *threshold_name(uint8_t threshold) {
    if (threshold == PETRO_THRESHOLD_LOW) return "low";
    if (threshold == PETRO_THRESHOLD_HIGH) return "high";
    return "medium";
}

/* text on lines of at most HELP_WIDTH columns, indented by 6, broken at spaces. */
#define HELP_WIDTH 96
static void print_wrapped(FILE *out, const char *text) {
    const size_t room = HELP_WIDTH - 6;
    while (*text != '\0') {
        size_t n = strlen(text);
        if (n > room) {
            n = room;
            while (n > 0 && text[n] != ' ') n--;
            if (n == 0) n = strcspn(text, " "); /* one long word: on a line of its own */
        }
        fprintf(out, "      %.*s\n", (int)n, text);
        text += n;
        while (*text == ' ') text++;
    }
}

void cmd_op_print_fields(FILE *out, const petro_op_schema *s) {
    fprintf(out, "%s: %s (family %s, signing threshold %s).\n\nFields:\n", s->name, s->summary,
            s->family, threshold_name(s->threshold));
    for (uint8_t i = 0; i < s->field_count; i++) {
        const petro_field *f = &s->fields[i];
        char flag[CMD_OP_FLAG_SIZE], notes[512];
        size_t used = 0;
        opjson_flag_name(flag, sizeof flag, f);
        bool is_hex = (f->flags & PETRO_FIELD_F_HEX) != 0;
        append(notes, sizeof notes, &used, "%s", is_hex ? "bytes" : kind_word(f));
        if (!is_hex) append_limits(notes, sizeof notes, &used, f);
        if (is_hex) {
            append(notes, sizeof notes, &used, "; 0..%u bytes as one hex string",
                   (unsigned)f->list_max);
        } else if (f->list_max > 0) {
            append(notes, sizeof notes, &used, "; a list of %s..%u: repeat the flag",
                   (f->flags & PETRO_FIELD_F_OPTIONAL) != 0 ? "0" : "1", (unsigned)f->list_max);
        }
        append(notes, sizeof notes, &used, "; %s",
               (f->flags & PETRO_FIELD_F_OPTIONAL) != 0 ? "optional (omitted: zero)"
                                                        : "required");
        fprintf(out, "  %s %s\n", flag, cmd_op_value_name(f));
        print_wrapped(out, f->doc != NULL ? f->doc : "");
        print_wrapped(out, notes);
    }
}

void cmd_op_print_family(FILE *out, const petro_family_info *family) {
    for (size_t i = 0; i < family->op_count; i++) {
        const petro_op_schema *s = petro_family_op(family, i);
        fprintf(out, "  %-22s %s\n", s->name, s->summary);
    }
}

void cmd_op_print_list(FILE *out) {
    fprintf(out, "Operations by family (petro op NAME --help shows an operation's fields):\n");
    for (size_t i = 0; i < petro_family_count(); i++) {
        const petro_family_info *family = petro_family_at(i);
        fprintf(out, "\n%s: %s\n", family->name, family->summary);
        cmd_op_print_family(out, family);
    }
}

/* ------------------------------------------------------------------ building */

int cmd_op_note_address(cli_tx_op *t, const char *what, const char *text) {
    if (t->addr_count >= CLI_TX_ADDRS_MAX) {
        return cli_fail(CLI_EXIT_USAGE, "%s: more than %d addresses", what, CLI_TX_ADDRS_MAX);
    }
    int n = snprintf(t->whats[t->addr_count], CLI_TX_WHAT_SIZE, "%s", what);
    if (n < 0 || n >= CLI_TX_WHAT_SIZE) return cli_fail(CLI_EXIT_FAILED, "%s: name too long", what);
    t->texts[t->addr_count] = text;
    t->addr_count++;
    return CLI_EXIT_OK;
}

static int note_address(op_build *b, const char *what, const char *text) {
    return cmd_op_note_address(b->txo, what, text);
}

/* A flag word by its bits' names: "auth_required,revocable", ORed into *out (an alias may
 * give each bit by its own option). */
static int parse_flag_names(const petro_field *f, uint32_t *out, const char *flag,
                            const char *text) {
    uint32_t v = 0;
    for (const char *p = text;;) {
        size_t n = strcspn(p, ",");
        bool found = false;
        for (uint8_t bit = 0; !found && bit < f->name_count && bit < 32; bit++) {
            const char *name = f->names[bit];
            found = name != NULL && strlen(name) == n && strncmp(name, p, n) == 0;
            if (found) v |= UINT32_C(1) << bit;
        }
        if (!found) {
            return cli_fail(CLI_EXIT_USAGE, "%s %s: '%.*s' is not one of its names", flag, text,
                            (int)n, p);
        }
        if (p[n] == '\0') break;
        p += n + 1;
    }
    *out |= v;
    return CLI_EXIT_OK;
}

/* One value of field f (a list's element) from text into p. */
static int parse_one(op_build *b, const petro_field *f, void *p, const char *flag,
                     const char *text) {
    if ((f->flags & PETRO_FIELD_F_FLAGS) != 0 && f->kind == PETRO_FIELD_U32 &&
        !(text[0] >= '0' && text[0] <= '9')) {
        return parse_flag_names(f, p, flag, text);
    }
    petro_net_kind kind = PETRO_NET_TEST;
    const char *why = "";
    petro_result r = opjson_parse_value(f, p, text, &kind, &why);
    if (r != PETRO_OK) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: %s (%s)", flag, text,
                        why[0] != '\0' ? why : petro_result_str(r), petro_result_name(r));
    }
    if (f->kind == PETRO_FIELD_PUBKEY) return note_address(b, flag, text);
    if (f->kind == PETRO_FIELD_ASSET) {
        const char *issuer = asset_issuer_text(p, text);
        if (issuer != NULL) return note_address(b, flag, issuer);
    }
    return CLI_EXIT_OK;
}

/* Field f from the n texts given for it (flag names it in messages); none leaves it zero. */
static int set_field(op_build *b, const petro_field *f, const char *flag,
                     const char *const *values, size_t n) {
    uint8_t *base = petro_op_fields(&b->txo->op);
    if ((f->flags & PETRO_FIELD_F_HEX) != 0) {
        if (n > 1) return cli_fail(CLI_EXIT_USAGE, "%s: give it once, as one hex string", flag);
        const char *why = "";
        petro_result r = n == 1 ? opjson_parse_hex_list(f, base, values[0], &why) : PETRO_OK;
        if (r != PETRO_OK) {
            return cli_fail(CLI_EXIT_USAGE, "%s %s: %s (%s)", flag, values[0], why,
                            petro_result_name(r));
        }
        return CLI_EXIT_OK;
    }
    size_t max = f->list_max > 0 ? f->list_max : 1;
    if (n > max) {
        return cli_fail(CLI_EXIT_USAGE, "%s: at most %zu value%s", flag, max, max > 1 ? "s" : "");
    }
    for (size_t k = 0; k < n; k++) {
        int rc = parse_one(b, f, base + f->offset + k * f->elem_size, flag, values[k]);
        if (rc != CLI_EXIT_OK) return rc;
    }
    if (f->list_max > 0) base[f->count_offset] = (uint8_t)n;
    return CLI_EXIT_OK;
}

/* The operation's static check, before the network is asked. */
static int check_built(const op_build *b) {
    petro_result r = petro_op_check(&b->txo->op);
    if (r == PETRO_OK) return CLI_EXIT_OK;
    return cli_fail(CLI_EXIT_USAGE, "%s: %s (%s; see petro %s --help)", b->who,
                    petro_result_str(r), petro_result_name(r), b->who);
}

static int build_start(op_build *b, cli_tx_op *txo, const char *op_name, const char *who) {
    memset(txo, 0, sizeof *txo);
    b->txo = txo;
    b->who = who;
    b->schema = petro_op_schema_find(op_name);
    if (b->schema == NULL) {
        return cli_fail(CLI_EXIT_USAGE, "op: unknown operation '%s' (petro op lists them)",
                        op_name);
    }
    if (b->schema->field_count > CMD_OP_FIELDS_MAX) {
        return cli_fail(CLI_EXIT_FAILED, "op %s: too large for the CLI; use the API",
                        b->schema->name);
    }
    txo->op.type = b->schema->type;
    return CLI_EXIT_OK;
}

/* Every field from its own flag (`petro op NAME`, generated commands). */
static int build_from_fields(op_build *b, const cli_args *args) {
    for (uint8_t i = 0; i < b->schema->field_count; i++) {
        const petro_field *f = &b->schema->fields[i];
        char flag[CMD_OP_FLAG_SIZE];
        opjson_flag_name(flag, sizeof flag, f);
        if (flag[0] == '\0') return cli_fail(CLI_EXIT_FAILED, "op: field name too long");
        const char *values[UINT8_MAX + 1];
        size_t cap = f->list_max > 0 ? (size_t)f->list_max + 1 : 1;
        size_t n = args_get_all(args, flag + 2, values, cap);
        if (n == 0 && (f->flags & PETRO_FIELD_F_OPTIONAL) == 0) {
            return cli_fail(CLI_EXIT_USAGE, "%s: missing %s %s", b->who, flag,
                            cmd_op_value_name(f));
        }
        int rc = set_field(b, f, flag, values, n);
        if (rc != CLI_EXIT_OK) return rc;
    }
    return check_built(b);
}

static const petro_field *field_named(const petro_op_schema *s, const char *name) {
    for (uint8_t i = 0; i < s->field_count; i++) {
        if (strcmp(s->fields[i].name, name) == 0) return &s->fields[i];
    }
    return NULL;
}

/* The texts option o gives its field (family.h, cli_opt); *n of them. */
static void option_values(const cli_args *args, const cli_opt *o, const char **values,
                          size_t cap, size_t *n) {
    *n = 0;
    if (o->value_name == NULL) {
        if (args_has(args, o->name) && o->value != NULL) values[(*n)++] = o->value;
    } else {
        *n = args_get_all(args, o->name, values, cap);
    }
    if (*n == 0 && o->fallback != NULL) values[(*n)++] = o->fallback;
}

/* One field of an alias from texts, named by flag_name ("to") in messages. */
static int alias_field(op_build *b, const char *field, const char *flag_name,
                       const cli_args *args, const cli_opt *o, const char *fixed) {
    const petro_field *f = field_named(b->schema, field);
    if (f == NULL) {
        return cli_fail(CLI_EXIT_FAILED, "%s: operation %s has no field %s (a CLI bug)",
                        args->command, b->schema->name, field);
    }
    char flag[CMD_OP_FLAG_SIZE];
    int n = snprintf(flag, sizeof flag, "--%s", flag_name);
    if (n < 0 || (size_t)n >= sizeof flag) return cli_fail(CLI_EXIT_FAILED, "flag too long");
    const char *values[UINT8_MAX + 1];
    size_t count = 0;
    if (o != NULL) {
        option_values(args, o, values, f->list_max > 0 ? (size_t)f->list_max + 1 : 1, &count);
    } else if (fixed != NULL) {
        values[count++] = fixed;
    }
    return set_field(b, f, flag, values, count);
}

int cmd_op_build_alias(cli_tx_op *txo, const cli_args *args) {
    const cli_command *c = args->cmd;
    if (c == NULL || c->alias == NULL) {
        return cli_fail(CLI_EXIT_FAILED, "%s: no operation (a CLI bug)", args->command);
    }
    op_build b;
    int rc = build_start(&b, txo, c->alias->op, args->command);
    for (size_t i = 0; rc == CLI_EXIT_OK && c->opts[i].name != NULL; i++) {
        const cli_opt *o = &c->opts[i];
        if (o->field != NULL) rc = alias_field(&b, o->field, o->name, args, o, NULL);
    }
    const cli_field_map *extra = c->alias->extra;
    for (size_t i = 0; rc == CLI_EXIT_OK && extra != NULL && extra[i].field != NULL; i++) {
        const cli_field_map *m = &extra[i];
        const char *text = m->key != NULL ? args_get(args, m->key) : m->fixed;
        rc = alias_field(&b, m->field, m->key != NULL ? m->key : m->field, args, NULL, text);
    }
    return rc == CLI_EXIT_OK ? check_built(&b) : rc;
}

int cmd_alias(const cli_config *cfg, const cli_args *args) {
    cli_tx_op txo;
    int rc = cmd_op_build_alias(&txo, args);
    return rc == CLI_EXIT_OK ? cli_tx_submit(cfg, args, &txo) : rc;
}

int cmd_alias_with(const cli_config *cfg, const cli_args *args, const char *key,
                   const char *value) {
    cli_args copy = *args;
    int rc = args_set(&copy, key, value);
    return rc == CLI_EXIT_OK ? cmd_alias(cfg, &copy) : rc;
}

int cmd_op(const cli_config *cfg, const cli_args *args) {
    op_build b;
    cli_tx_op txo;
    char who[CMD_OP_FLAG_SIZE + 4];
    int n = snprintf(who, sizeof who, "op %s", args->positional[0]);
    if (n < 0 || (size_t)n >= sizeof who) return cli_fail(CLI_EXIT_USAGE, "op: name too long");
    bool is_generated = strncmp(args->command, "op ", 3) != 0; /* "data set" */
    int rc = build_start(&b, &txo, args->positional[0], is_generated ? args->command : who);
    if (rc == CLI_EXIT_OK) rc = build_from_fields(&b, args);
    return rc == CLI_EXIT_OK ? cli_tx_submit(cfg, args, &txo) : rc;
}
