/* gen_ops_doc: the operation field tables of docs/protocol.md, generated from the family
 * registry (petro/schema.h, issue #14).
 *
 *   gen_ops_doc                 print the generated block on stdout
 *   gen_ops_doc --check FILE    exit 1, naming the first differing line, unless the text
 *                               between FILE's markers is exactly the generated block
 *   gen_ops_doc --write FILE    replace the text between FILE's markers (make docs-ops)
 *
 * The markers are the lines `<!-- ops:begin -->` and `<!-- ops:end -->`; everything outside
 * them is hand-written and never touched. CTest runs --check (unit.ops_doc), so a family whose
 * table changes without the docs being regenerated fails the unit tests.
 *
 * Design. The block is built in memory (a growing string) and walks only the public registry:
 * families in registry order, each family's operations by type, each operation's fields in
 * wire order, with every kind's wire encoding explained once at the top. Nothing here names a
 * family or an operation; a new kind or flag is a compile-time switch case or a line below. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "petro/petro.h"
#include "petro/schema.h"

#define MARK_BEGIN "<!-- ops:begin -->\n"
#define MARK_END "<!-- ops:end -->"

/* ---------------------------------------------------------------- a growing string */

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "gen_ops_doc: %s%s%s\n", what, detail != NULL ? ": " : "",
            detail != NULL ? detail : "");
    exit(2);
}

static void text_reserve(text *t, size_t more) {
    if (t->len + more + 1 <= t->cap) return;
    size_t cap = t->cap == 0 ? 4096 : t->cap;
    while (cap < t->len + more + 1) cap *= 2;
    char *s = realloc(t->s, cap);
    if (s == NULL) die("out of memory", NULL);
    t->s = s;
    t->cap = cap;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) die("format", fmt);
    text_reserve(t, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* A table cell: '|' escaped, line breaks flattened. */
static void put_cell(text *t, const char *s) {
    for (; s != NULL && *s != '\0'; s++) {
        if (*s == '|') {
            put(t, "\\|");
        } else {
            put(t, "%c", *s == '\n' ? ' ' : *s);
        }
    }
}

/* ---------------------------------------------------------------- kinds */

static const char *kind_name(uint8_t kind) {
    switch ((petro_field_kind)kind) {
    case PETRO_FIELD_PUBKEY: return "pubkey";
    case PETRO_FIELD_ASSET: return "asset";
    case PETRO_FIELD_CODE: return "code";
    case PETRO_FIELD_AMOUNT: return "amount";
    case PETRO_FIELD_U8: return "u8";
    case PETRO_FIELD_BOOL: return "bool";
    case PETRO_FIELD_U16: return "u16";
    case PETRO_FIELD_U32: return "u32";
    case PETRO_FIELD_U64: return "u64";
    case PETRO_FIELD_TEXT: return "text";
    case PETRO_FIELD_HASH: return "hash";
    case PETRO_FIELD_SIG: return "sig";
    case PETRO_FIELD_COUNTRY: return "country";
    }
    return NULL;
}

/* The wire encoding of each kind (docs/protocol.md, "Primitives"). */
static const char *kind_wire(uint8_t kind) {
    switch ((petro_field_kind)kind) {
    case PETRO_FIELD_PUBKEY: return "32 bytes, an Ed25519 public key";
    case PETRO_FIELD_ASSET:
        return "`u8` kind: 0 = native PTR (nothing follows), 1 = issued: a `code`, then the "
               "issuer's 32-byte pubkey (as in Primitives)";
    case PETRO_FIELD_CODE: return "`u8` length 1..12, then that many bytes of A-Z 0-9; not PTR";
    case PETRO_FIELD_AMOUNT: return "`i64` little-endian (two's complement), base units";
    case PETRO_FIELD_U8: return "1 byte";
    case PETRO_FIELD_BOOL: return "`u8` 0 or 1; any other byte is `malformed`";
    case PETRO_FIELD_U16: return "2 bytes, little-endian";
    case PETRO_FIELD_U32: return "4 bytes, little-endian";
    case PETRO_FIELD_U64: return "8 bytes, little-endian";
    case PETRO_FIELD_TEXT:
        return "`u8` length (up to the field's maximum, else `malformed`), then that many "
               "bytes of printable ASCII 0x20..0x7e (else `bad_text`, a static check)";
    case PETRO_FIELD_HASH: return "32 bytes (BLAKE2b-256)";
    case PETRO_FIELD_SIG: return "64 bytes (Ed25519)";
    case PETRO_FIELD_COUNTRY: return "2 bytes, capital letters A-Z (ISO 3166-1 alpha-2)";
    }
    return NULL;
}

static void put_kinds(text *t) {
    put(t, "Wire kinds: every field's values are encoded by their kind.\n\n");
    put(t, "| kind | encoding |\n| --- | --- |\n");
    for (uint8_t k = PETRO_FIELD_PUBKEY; k <= PETRO_FIELD_KIND_MAX; k++) {
        if (kind_name(k) == NULL) die("kind without a name", NULL);
        put(t, "| %s | %s |\n", kind_name(k), kind_wire(k));
    }
    put(t, "| list of *kind* | `u8` count (up to the list's maximum, else `malformed`), then "
           "that many values of the kind |\n\n");
}

/* ---------------------------------------------------------------- fields */

/* "u8 (enum, optional)", "list of pubkey (party)". */
static void put_kind_cell(text *t, const petro_field *f) {
    static const struct {
        uint8_t flag;
        const char *name;
    } flag_names[] = {
        {PETRO_FIELD_F_PARTY, "party"},   {PETRO_FIELD_F_ENUM, "enum"},
        {PETRO_FIELD_F_FLAGS, "flags"},   {PETRO_FIELD_F_BOOLEAN, "boolean"},
        {PETRO_FIELD_F_HEX, "hex"},       {PETRO_FIELD_F_OPTIONAL, "optional"},
    };
    put(t, "%s%s", f->list_max > 0 ? "list of " : "", kind_name(f->kind));
    bool any = false;
    for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++) {
        if ((f->flags & flag_names[i].flag) == 0) continue;
        put(t, "%s%s", any ? ", " : " (", flag_names[i].name);
        any = true;
    }
    if (any) put(t, ")");
}

static bool is_int(uint8_t kind) {
    return kind == PETRO_FIELD_U8 || kind == PETRO_FIELD_U16 || kind == PETRO_FIELD_U32 ||
           kind == PETRO_FIELD_U64 || kind == PETRO_FIELD_AMOUNT;
}

static void put_bound(text *t, const petro_field *f, int64_t v) {
    if (f->kind == PETRO_FIELD_AMOUNT && v == PETRO_SUPPLY_MAX) {
        put(t, "supply max");
    } else {
        put(t, "%lld", (long long)v);
    }
}

/* An integer's limits: enum values by name, flag bits by name, or its range. */
static void put_int_limits(text *t, const petro_field *f) {
    if (f->flags & PETRO_FIELD_F_ENUM) {
        for (int64_t v = f->min; v <= f->max && v < f->name_count; v++) {
            if (f->names[v] == NULL) continue;
            put(t, "%s%lld ", v == f->min ? "" : ", ", (long long)v);
            put_cell(t, f->names[v]);
        }
        return;
    }
    if (f->flags & PETRO_FIELD_F_FLAGS) {
        bool any = false;
        for (unsigned b = 0; b < f->name_count && b < 32; b++) {
            if (f->names[b] == NULL) continue;
            put(t, "%sbit %u ", any ? ", " : "", b);
            put_cell(t, f->names[b]);
            any = true;
        }
        put(t, "; other bits 0");
        return;
    }
    if (f->max != 0) {
        put_bound(t, f, f->min);
        put(t, "..");
        put_bound(t, f, f->max);
    } else if (f->min != 0) {
        put(t, ">= ");
        put_bound(t, f, f->min);
    }
}

static void put_limits_cell(text *t, const petro_field *f) {
    if (f->list_max > 0) {
        put(t, "%u..%u values", f->size_min, f->list_max);
        if (f->flags & PETRO_FIELD_F_HEX) return; /* a byte string: any bytes */
        if (is_int(f->kind) && (f->max != 0 || f->min != 0)) put(t, "; each ");
    }
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_TEXT: put(t, "%u..%u bytes", f->size_min, f->text_max); return;
    case PETRO_FIELD_BOOL: put(t, "0 or 1"); return;
    case PETRO_FIELD_AMOUNT:
    case PETRO_FIELD_U8:
    case PETRO_FIELD_U16:
    case PETRO_FIELD_U32:
    case PETRO_FIELD_U64: put_int_limits(t, f); return;
    case PETRO_FIELD_PUBKEY:
    case PETRO_FIELD_ASSET:
    case PETRO_FIELD_CODE:
    case PETRO_FIELD_HASH:
    case PETRO_FIELD_SIG:
    case PETRO_FIELD_COUNTRY: return; /* the kind says it all */
    }
}

/* ---------------------------------------------------------------- operations */

static const char *threshold_name(uint8_t threshold) {
    switch (threshold) {
    case PETRO_THRESHOLD_LOW: return "low";
    case PETRO_THRESHOLD_MEDIUM: return "medium";
    case PETRO_THRESHOLD_HIGH: return "high";
    default: return "?";
    }
}

static void put_op(text *t, const petro_op_schema *s) {
    put(t, "| %u | `%s` | %s | | | | ", s->type, s->name, threshold_name(s->threshold));
    put_cell(t, s->summary);
    put(t, " |\n");
    for (uint8_t i = 0; i < s->field_count; i++) {
        const petro_field *f = &s->fields[i];
        if (kind_name(f->kind) == NULL) die("field of an unknown kind", f->name);
        text limits = {0};
        put(&limits, "%s", "");
        put_limits_cell(&limits, f);
        put(t, "| | | | `%s` | ", f->name);
        put_kind_cell(t, f);
        put(t, limits.len > 0 ? " | %s | " : " |%s | ", limits.s);
        put_cell(t, f->doc);
        put(t, " |\n");
        free(limits.s);
    }
}

static void put_prefix(text *t, const petro_family_info *fam) {
    if (fam->state_prefix == 0) {
        put(t, "core records only");
    } else {
        put(t, "`'%c'`", fam->state_prefix);
    }
}

/* One row per family: the registry order, its types, its state key prefix. A new family takes
 * a free type range (include/petro/tx.h) and a prefix no row shows and the core does not use
 * ('A', 'T', 'S', 'M'). */
static void put_families(text *t) {
    put(t, "Families, in registry order (`libpetro/families.def`):\n\n");
    put(t, "| family | types | state keys | summary |\n| --- | --- | --- | --- |\n");
    for (size_t i = 0; i < petro_family_count(); i++) {
        const petro_family_info *fam = petro_family_at(i);
        put(t, "| `%s` | ", fam->name);
        for (size_t k = 0; k < fam->op_count; k++) {
            put(t, "%s%u", k == 0 ? "" : ", ", petro_family_op(fam, k)->type);
        }
        put(t, " | ");
        put_prefix(t, fam);
        put(t, " | ");
        put_cell(t, fam->summary);
        put(t, " |\n");
    }
    put(t, "\nThe core's own state keys start with `'A'` (accounts), `'T'` (trust lines), `'S'` "
           "(assets) and `'M'` (node metadata).\n\n");
}

static void put_family(text *t, const petro_family_info *fam) {
    put(t, "#### Family `%s`\n\n", fam->name);
    put_cell(t, fam->summary);
    put(t, ".\n\nState keys: ");
    put_prefix(t, fam);
    put(t, ".\n\n| type | name | threshold | field | kind | limits | doc |\n");
    put(t, "| --- | --- | --- | --- | --- | --- | --- |\n");
    for (size_t i = 0; i < fam->op_count; i++) put_op(t, petro_family_op(fam, i));
    put(t, "\n");
}

/* The whole block between the markers (ends with a newline). */
static void generate(text *t) {
    put(t, "<!-- Generated from the family registry by tests/tools/gen_ops_doc.c: do not edit; "
           "`make docs-ops` rewrites it and CTest (unit.ops_doc) checks it. -->\n\n");
    put_families(t);
    put_kinds(t);
    put(t, "Each operation is its `u8` type, then its fields in the order below. An operation "
           "row gives its signing threshold and summary; a field row its kind (annotated: "
           "party = an account the operation touches, optional = may be left zero when "
           "building), the limits the operation's static check applies to it, and what it "
           "means.\n\n");
    for (size_t i = 0; i < petro_family_count(); i++) put_family(t, petro_family_at(i));
}

/* ---------------------------------------------------------------- --check and --write */

static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) die(path, strerror(errno));
    text t = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        text_reserve(&t, n);
        memcpy(t.s + t.len, buf, n);
        t.len += n;
    }
    if (ferror(f)) die(path, strerror(errno));
    fclose(f);
    text_reserve(&t, 0);
    t.s[t.len] = '\0';
    *size = t.len;
    return t.s;
}

/* The committed block: [*begin, *end) of doc, between the marker lines. */
static void find_block(const char *path, const char *doc, size_t *begin, size_t *end) {
    const char *b = strstr(doc, MARK_BEGIN);
    const char *e = b != NULL ? strstr(b, MARK_END) : NULL;
    if (b == NULL || e == NULL || (e > doc && e[-1] != '\n')) {
        fprintf(stderr, "gen_ops_doc: %s: no '%.18s' line followed by a '%s' line; add "
                "them where the generated operation tables go\n", path, MARK_BEGIN, MARK_END);
        exit(1);
    }
    *begin = (size_t)(b - doc) + strlen(MARK_BEGIN);
    *end = (size_t)(e - doc);
}

static size_t line_of(const char *doc, size_t offset) {
    size_t line = 1;
    for (size_t i = 0; i < offset; i++) line += doc[i] == '\n';
    return line;
}

/* Prints the first line where the committed block and the generated one differ. */
static void report_diff(const char *path, const char *doc, size_t begin, size_t end,
                        const text *gen) {
    size_t i = 0, line_start = 0;
    while (begin + i < end && i < gen->len && doc[begin + i] == gen->s[i]) {
        if (gen->s[i] == '\n') line_start = i + 1;
        i++;
    }
    bool c_end = begin + line_start >= end, g_end = line_start >= gen->len;
    const char *c = c_end ? "(end of block)" : doc + begin + line_start;
    const char *g = g_end ? "(end of block)" : gen->s + line_start;
    fprintf(stderr,
            "%s:%zu: the operation tables between '<!-- ops:begin -->' and '%s' differ from "
            "the family registry.\n  committed: %.*s\n  generated: %.*s\n"
            "Run `make docs-ops` (or gen_ops_doc --write %s) and commit the result.\n",
            path, line_of(doc, begin + line_start), MARK_END, (int)strcspn(c, "\n"), c,
            (int)strcspn(g, "\n"), g, path);
}

static int check(const char *path, const text *gen) {
    size_t size, begin, end;
    char *doc = read_file(path, &size);
    find_block(path, doc, &begin, &end);
    bool same = end - begin == gen->len && memcmp(doc + begin, gen->s, gen->len) == 0;
    if (!same) report_diff(path, doc, begin, end, gen);
    free(doc);
    return same ? 0 : 1;
}

static int write_doc(const char *path, const text *gen) {
    size_t size, begin, end;
    char *doc = read_file(path, &size);
    find_block(path, doc, &begin, &end);
    if (end - begin == gen->len && memcmp(doc + begin, gen->s, gen->len) == 0) {
        printf("%s: operation tables already up to date\n", path);
        free(doc);
        return 0;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) die(tmp, strerror(errno));
    bool ok = fwrite(doc, 1, begin, f) == begin && fwrite(gen->s, 1, gen->len, f) == gen->len &&
              fwrite(doc + end, 1, size - end, f) == size - end;
    if (fclose(f) != 0 || !ok) die(tmp, "write failed");
    if (rename(tmp, path) != 0) die(path, strerror(errno));
    printf("%s: operation tables rewritten from the registry\n", path);
    free(doc);
    return 0;
}

int main(int argc, char **argv) {
    text gen = {0};
    generate(&gen);
    if (argc == 1) {
        fwrite(gen.s, 1, gen.len, stdout);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--check") == 0) return check(argv[2], &gen);
    if (argc == 3 && strcmp(argv[1], "--write") == 0) return write_doc(argv[2], &gen);
    fprintf(stderr, "usage: gen_ops_doc [--check FILE | --write FILE]\n");
    return 2;
}
