/* docs/api.md "Errors": the list of HTTP statuses and the result codes answered with each is
 * generated from the http column of PETRO_RESULT_TABLE (include/petro/result.h). This test
 * fails when the committed list differs from the table;
 *
 *     test_result_doc --write docs/api.md
 *
 * rewrites it in place (between the BEGIN and END marker lines). */
#include "petro/petro.h"
#include "test.h"

#define DOC_BEGIN "<!-- BEGIN result-status: generated from the http column of PETRO_RESULT_TABLE"
#define DOC_END "<!-- END result-status -->"
#define DOC_WIDTH 100
#define DOC_SIZE_MAX ((size_t)1 << 20)

static const struct {
    petro_result code;
    const char *name;
    int http;
} rows[] = {
#define ROW_(id, num, name, http, msg) {id, name, http},
    PETRO_RESULT_TABLE(ROW_)
#undef ROW_
};
#define ROW_COUNT (sizeof rows / sizeof rows[0])

typedef struct text {
    char buf[16384];
    size_t size;
    size_t line; /* characters on the current line */
} text;

static void put(text *t, const char *s) {
    size_t n = strlen(s);
    ASSERT_TRUE(t->size + n < sizeof t->buf);
    memcpy(t->buf + t->size, s, n + 1);
    t->size += n;
    const char *nl = strrchr(s, '\n');
    t->line = nl != NULL ? strlen(nl + 1) : t->line + n;
}

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
static void generate(text *t) {
    t->size = 0;
    t->line = 0;
    t->buf[0] = '\0';
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

static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    ASSERT_TRUE(f != NULL);
    char *buf = malloc(DOC_SIZE_MAX + 1);
    ASSERT_TRUE(buf != NULL);
    *size = fread(buf, 1, DOC_SIZE_MAX, f);
    ASSERT_TRUE(feof(f));
    ASSERT_EQ(fclose(f), 0);
    buf[*size] = '\0';
    return buf;
}

/* The generated part of doc: from after the BEGIN line to the END line. */
static void find_section(const char *doc, const char **from, const char **to) {
    const char *begin = strstr(doc, DOC_BEGIN);
    if (begin == NULL) {
        fprintf(stderr, "docs/api.md has no line starting \"%s\"\n", DOC_BEGIN);
        exit(1);
    }
    *from = strchr(begin, '\n');
    ASSERT_TRUE(*from != NULL);
    (*from)++;
    *to = strstr(*from, DOC_END);
    ASSERT_TRUE(*to != NULL);
}

static void write_doc(const char *path, const char *doc, const char *from, const char *to,
                      const text *t) {
    FILE *f = fopen(path, "wb");
    ASSERT_TRUE(f != NULL);
    size_t head = (size_t)(from - doc);
    ASSERT_EQ(fwrite(doc, 1, head, f), head);
    ASSERT_EQ(fwrite(t->buf, 1, t->size, f), t->size);
    ASSERT_EQ(fputs(to, f) >= 0, 1);
    ASSERT_EQ(fclose(f), 0);
    printf("rewrote the result-status list of %s\n", path);
}

static void test_doc_matches_table(const char *write_path) {
    static text t;
    generate(&t);
    const char *path = write_path != NULL ? write_path : PETRO_SOURCE_DIR "/docs/api.md";
    size_t size = 0;
    char *doc = read_file(path, &size);
    const char *from = NULL;
    const char *to = NULL;
    find_section(doc, &from, &to);
    bool same = (size_t)(to - from) == t.size && memcmp(from, t.buf, t.size) == 0;
    if (write_path != NULL) {
        if (!same) write_doc(write_path, doc, from, to, &t);
    } else if (!same) {
        fprintf(stderr,
                "%s: the result-status list differs from PETRO_RESULT_TABLE; run\n"
                "    test_result_doc --write docs/api.md\nexpected:\n%s",
                path, t.buf);
        exit(1);
    }
    free(doc);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    const char *write_path = NULL;
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--write") == 0) write_path = argv[i + 1];
    }
    test_doc_matches_table(write_path);
    printf("test test_doc_matches_table ok\n");
    return 0;
}
