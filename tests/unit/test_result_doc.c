/* Two generated parts of the docs come from PETRO_RESULT_TABLE (include/petro/result.h):
 *  - docs/api.md "Errors": the HTTP statuses and the result names answered with each (the
 *    http column);
 *  - docs/protocol.md "Result codes": every result's number, name, group, HTTP status and
 *    message, so an implementer has the numbers a block's results hold.
 * This test fails when a committed part differs from the table;
 *
 *     test_result_doc --write
 *
 * rewrites both in place in the source tree (between their BEGIN and END marker lines). */
#include "petro/petro.h"
#include "test.h"

#define DOC_WIDTH 100
#define DOC_SIZE_MAX ((size_t)1 << 20)

static const struct {
    petro_result code;
    int num;
    const char *name;
    int http;
    const char *msg;
} rows[] = {
#define ROW_(id, num, name, http, msg) {id, num, name, http, msg},
    PETRO_RESULT_TABLE(ROW_)
#undef ROW_
};
#define ROW_COUNT (sizeof rows / sizeof rows[0])

typedef struct text {
    char buf[65536];
    size_t size;
    size_t line; /* characters on the current line */
} text;

static void text_reset(text *t) {
    t->size = 0;
    t->line = 0;
    t->buf[0] = '\0';
}

static void put(text *t, const char *s) {
    size_t n = strlen(s);
    ASSERT_TRUE(t->size + n < sizeof t->buf);
    memcpy(t->buf + t->size, s, n + 1);
    t->size += n;
    const char *nl = strrchr(s, '\n');
    t->line = nl != NULL ? strlen(nl + 1) : t->line + n;
}

/* ------------------------------------------------------------ api.md: statuses */

/* The next distinct status above after (0: the lowest), or 0 when there is none. Errors only:
 * PETRO_OK's 200 is not listed. */
static int next_status(int after) {
    int best = 0;
    for (size_t i = 0; i < ROW_COUNT; i++) {
        int h = rows[i].http;
        if (rows[i].code != PETRO_OK && h > after && (best == 0 || h < best)) best = h;
    }
    return best;
}

/* "- 404: `not_found`\n", one item per status, codes in table order, wrapped at DOC_WIDTH. */
static void generate_statuses(text *t) {
    text_reset(t);
    for (int status = next_status(0); status != 0; status = next_status(status)) {
        char head[16];
        ASSERT_TRUE(snprintf(head, sizeof head, "- %d:", status) < (int)sizeof head);
        put(t, head);
        bool first = true;
        for (size_t i = 0; i < ROW_COUNT; i++) {
            if (rows[i].code == PETRO_OK || rows[i].http != status) continue;
            char item[80];
            int n = snprintf(item, sizeof item, "`%s`", rows[i].name);
            ASSERT_TRUE(n > 0 && (size_t)n < sizeof item - 1);
            if (!first) put(t, ",");
            /* +1 for the space before the item, +1 for a comma after it. */
            if (t->line + 1 + (size_t)n + 1 > DOC_WIDTH) {
                put(t, "\n ");
            }
            put(t, " ");
            put(t, item);
            first = false;
        }
        put(t, "\n");
    }
}

/* ------------------------------------------------------------ protocol.md: every code */

/* The group of a number: the ranges result.h's comments give. Ledger results are 0..999
 * (frozen, petro_result_is_ledger for 1..999); 1000.. are local. */
static const char *group_of(int num) {
    static const struct {
        int lo, hi;
        const char *name;
    } groups[] = {
        {0, 0, "success"},
        {1, 99, "encoding and envelope"},
        {100, 199, "transaction checks"},
        {200, 299, "amounts"},
        {300, 399, "operations: accounts, payments, assets"},
        {400, 499, "block checks"},
        {500, 549, "reserves"},
        {550, 599, "exchange"},
        {600, 649, "trade"},
        {650, 699, "zones"},
        {700, 999, "ledger (reserved)"},
    };
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        if (num >= groups[i].lo && num <= groups[i].hi) return groups[i].name;
    }
    ASSERT_TRUE(num >= 1000);
    return "local (never in a block)";
}

/* Markdown table cell text: a '|' would end the cell. */
static void put_cell(text *t, const char *s) {
    for (const char *p = s; *p != '\0'; p++) {
        char c[3] = {*p, '\0', '\0'};
        if (*p == '|') memcpy(c, "\\|", 3);
        put(t, c);
    }
}

/* "| number | name | group | HTTP | message |", one row per result in table order. */
static void generate_codes(text *t) {
    text_reset(t);
    put(t, "| number | name | group | HTTP | message |\n| --- | --- | --- | --- | --- |\n");
    for (size_t i = 0; i < ROW_COUNT; i++) {
        ASSERT_EQ((int)rows[i].code, rows[i].num);
        bool ledger = rows[i].num >= 1 && rows[i].num <= 999;
        ASSERT_EQ(petro_result_is_ledger(rows[i].code) != 0, ledger);
        char head[96];
        int n = snprintf(head, sizeof head, "| %d | `%s` | %s | %d | ", rows[i].num, rows[i].name,
                         group_of(rows[i].num), rows[i].http);
        ASSERT_TRUE(n > 0 && (size_t)n < sizeof head);
        put(t, head);
        put_cell(t, rows[i].msg);
        put(t, " |\n");
    }
}

/* ------------------------------------------------------------ checking and writing */

typedef struct doc_part {
    const char *path;  /* relative to the source tree */
    const char *begin; /* the BEGIN line starts with this */
    const char *end;   /* the END line */
    const char *what;
    void (*generate)(text *t);
} doc_part;

static const doc_part parts[] = {
    {"docs/api.md",
     "<!-- BEGIN result-status: generated from the http column of PETRO_RESULT_TABLE",
     "<!-- END result-status -->", "result-status list", generate_statuses},
    {"docs/protocol.md", "<!-- BEGIN result-codes: generated from PETRO_RESULT_TABLE",
     "<!-- END result-codes -->", "result-code table", generate_codes},
};

static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    char *buf = malloc(DOC_SIZE_MAX + 1);
    ASSERT_TRUE(buf != NULL);
    *size = fread(buf, 1, DOC_SIZE_MAX, f);
    ASSERT_TRUE(feof(f));
    ASSERT_EQ(fclose(f), 0);
    buf[*size] = '\0';
    return buf;
}

/* The generated part of doc: from after the BEGIN line to the END line. */
static void find_section(const doc_part *p, const char *doc, const char **from, const char **to) {
    const char *begin = strstr(doc, p->begin);
    if (begin == NULL) {
        fprintf(stderr, "%s has no line starting \"%s\"\n", p->path, p->begin);
        exit(1);
    }
    *from = strchr(begin, '\n');
    ASSERT_TRUE(*from != NULL);
    (*from)++;
    *to = strstr(*from, p->end);
    if (*to == NULL) {
        fprintf(stderr, "%s has no line \"%s\" after its BEGIN line\n", p->path, p->end);
        exit(1);
    }
}

static void write_doc(const char *path, const char *doc, const char *from, const char *to,
                      const text *t, const char *what) {
    FILE *f = fopen(path, "wb");
    ASSERT_TRUE(f != NULL);
    size_t head = (size_t)(from - doc);
    ASSERT_EQ(fwrite(doc, 1, head, f), head);
    ASSERT_EQ(fwrite(t->buf, 1, t->size, f), t->size);
    ASSERT_EQ(fputs(to, f) >= 0, 1);
    ASSERT_EQ(fclose(f), 0);
    printf("rewrote the %s of %s\n", what, path);
}

/* Check (or with write, rewrite) one generated part; returns whether it matched. */
static bool part_matches(const doc_part *p, bool write) {
    static text t;
    p->generate(&t);
    char path[4096];
    ASSERT_TRUE(snprintf(path, sizeof path, "%s/%s", PETRO_SOURCE_DIR, p->path) <
                (int)sizeof path);
    size_t size = 0;
    char *doc = read_file(path, &size);
    const char *from = NULL;
    const char *to = NULL;
    find_section(p, doc, &from, &to);
    bool same = (size_t)(to - from) == t.size && memcmp(from, t.buf, t.size) == 0;
    if (write && !same) {
        write_doc(path, doc, from, to, &t, p->what);
    } else if (!same) {
        fprintf(stderr,
                "%s: the %s differs from PETRO_RESULT_TABLE; run\n"
                "    test_result_doc --write\nexpected:\n%s",
                path, p->what, t.buf);
    }
    free(doc);
    return same || write;
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    bool write = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--write") == 0) write = true;
    }
    bool ok = true;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        ok = part_matches(&parts[i], write) && ok;
    }
    if (!ok) return 1;
    printf("test test_doc_matches_table ok\n");
    return 0;
}
