/* docs/protocol.md "Trade: state": the numbering tables of the trade family (document types,
 * Incoterms, contract states, disputed_by, turnover groups) are generated from the code's
 * own tables (petro_trade_doc_name, petro_trade_incoterm_name, petro_trade_state_name and the
 * PETRO_TRADE_* / PETRO_STATS_* constants of include/petro/trade.h). This test fails when the
 * committed tables differ;
 *
 *     test_trade_doc --write
 *
 * rewrites them in place in the source tree (between the BEGIN and END marker lines). */
#include "petro/petro.h"
#include "petro/trade.h"
#include "test.h"

#define DOC_PATH PETRO_SOURCE_DIR "/docs/protocol.md"
#define DOC_BEGIN "<!-- BEGIN trade-enums: generated from include/petro/trade.h"
#define DOC_END "<!-- END trade-enums -->"
#define DOC_SIZE_MAX ((size_t)1 << 20)

typedef struct text {
    char buf[16384];
    size_t size;
} text;

static void put(text *t, const char *s) {
    size_t n = strlen(s);
    ASSERT_TRUE(t->size + n < sizeof t->buf);
    memcpy(t->buf + t->size, s, n + 1);
    t->size += n;
}

/* "| num | `name` |" and, with a meaning, "| num | `name` | meaning |". */
static void put_row(text *t, unsigned num, const char *name, const char *meaning) {
    char row[256];
    int n = meaning == NULL ? snprintf(row, sizeof row, "| %u | `%s` |\n", num, name)
                            : snprintf(row, sizeof row, "| %u | `%s` | %s |\n", num, name, meaning);
    ASSERT_TRUE(n > 0 && (size_t)n < sizeof row);
    put(t, row);
}

/* What each state means (the comments of PETRO_TRADE_* in trade.h), by number. */
static const char *const state_meaning[PETRO_TRADE_STATE_MAX + 1] = {
    NULL,
    "proposed by the importer, not funded",
    "escrow locked; documents and approvals are collected",
    "escrow locked; only the approvers' resolution moves it",
    "the whole amount paid to the exporter (closed)",
    "escrow returned to the importer after expiry (closed)",
    "dispute settled by the approvers (closed)",
};

static void generate(text *t) {
    t->size = 0;
    t->buf[0] = '\0';
    put(t, "Document types (`documents` of op 30, `document` of op 32, the type byte of a `'C' "
           "'d'` key):\n\n| number | name |\n| --- | --- |\n");
    for (unsigned i = 1; i <= PETRO_DOC_TYPE_MAX; i++) {
        ASSERT_TRUE(petro_trade_doc_name((uint8_t)i) != NULL);
        put_row(t, i, petro_trade_doc_name((uint8_t)i), NULL);
    }
    ASSERT_TRUE(petro_trade_doc_name(0) == NULL);
    ASSERT_TRUE(petro_trade_doc_name(PETRO_DOC_TYPE_MAX + 1) == NULL);

    put(t, "\nIncoterms 2020 rules (`incoterm` of op 30):\n\n| number | rule |\n| --- | --- |\n");
    for (unsigned i = 1; i <= PETRO_INCOTERM_MAX; i++) {
        ASSERT_TRUE(petro_trade_incoterm_name((uint8_t)i) != NULL);
        put_row(t, i, petro_trade_incoterm_name((uint8_t)i), NULL);
    }
    ASSERT_TRUE(petro_trade_incoterm_name(0) == NULL);
    ASSERT_TRUE(petro_trade_incoterm_name(PETRO_INCOTERM_MAX + 1) == NULL);

    put(t, "\nContract states (`state` of a `'C' 'c'` record; the API's `\"state\"` is the "
           "name):\n\n| number | name | meaning |\n| --- | --- | --- |\n");
    ASSERT_EQ(PETRO_TRADE_CREATED, 1);
    ASSERT_EQ(PETRO_TRADE_RESOLVED, PETRO_TRADE_STATE_MAX);
    for (unsigned i = 1; i <= PETRO_TRADE_STATE_MAX; i++) {
        ASSERT_TRUE(petro_trade_state_name((uint8_t)i) != NULL);
        put_row(t, i, petro_trade_state_name((uint8_t)i), state_meaning[i]);
    }

    put(t, "\n`disputed_by` of a contract record (the API shows the party, or `null`):\n\n"
           "| number | party |\n| --- | --- |\n| 0 | none (never disputed) |\n"
           "| 1 | the importer |\n| 2 | the exporter |\n");

    static const struct {
        char byte;
        const char *group, *key;
    } groups[] = {
        {PETRO_STATS_TOTAL, "total", "none"},
        {PETRO_STATS_ZONE, "the exporter's zone at the payout",
         "zone_id u32 big-endian (0 = no zone)"},
        {PETRO_STATS_COUNTRY_PAIR, "country pair", "origin (2 bytes), then destination (2 bytes)"},
        {PETRO_STATS_HS_CHAPTER, "HS chapter", "u8 = hs_code / 10000 (the first two digits)"},
    };
    put(t, "\nTurnover groups (the byte after `'C' 's'` in a turnover key):\n\n"
           "| byte | group | group key |\n| --- | --- | --- |\n");
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        char row[256];
        int n = snprintf(row, sizeof row, "| `'%c'` (0x%02x) | %s | %s |\n", groups[i].byte,
                         (unsigned)(unsigned char)groups[i].byte, groups[i].group, groups[i].key);
        ASSERT_TRUE(n > 0 && (size_t)n < sizeof row);
        put(t, row);
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

int main(int argc, char **argv) {
    test_init(argc, argv);
    bool write = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--write") == 0) write = true;
    }
    static text t;
    generate(&t);
    size_t size = 0;
    char *doc = read_file(DOC_PATH, &size);
    const char *begin = strstr(doc, DOC_BEGIN);
    if (begin == NULL) {
        fprintf(stderr, "%s has no line starting \"%s\"\n", DOC_PATH, DOC_BEGIN);
        return 1;
    }
    const char *from = strchr(begin, '\n');
    ASSERT_TRUE(from != NULL);
    from++;
    const char *to = strstr(from, DOC_END);
    ASSERT_TRUE(to != NULL);
    bool same = (size_t)(to - from) == t.size && memcmp(from, t.buf, t.size) == 0;
    if (!same && write) {
        FILE *f = fopen(DOC_PATH, "wb");
        ASSERT_TRUE(f != NULL);
        size_t head = (size_t)(from - doc);
        ASSERT_EQ(fwrite(doc, 1, head, f), head);
        ASSERT_EQ(fwrite(t.buf, 1, t.size, f), t.size);
        ASSERT_EQ(fputs(to, f) >= 0, 1);
        ASSERT_EQ(fclose(f), 0);
        printf("rewrote the trade numbering tables of %s\n", DOC_PATH);
    } else if (!same) {
        fprintf(stderr,
                "%s: the trade numbering tables differ from include/petro/trade.h; run\n"
                "    test_trade_doc --write\nexpected:\n%s",
                DOC_PATH, t.buf);
        return 1;
    }
    free(doc);
    printf("test test_trade_tables_match ok\n");
    return 0;
}
