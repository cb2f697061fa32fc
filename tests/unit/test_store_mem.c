/* Unit tests of the in-memory store: get/put/del, value replacement, iteration order
 * (ascending memcmp, shorter key first on a common prefix), prefix iteration, and a seeded
 * random comparison against a simple reference model. */
#include "test.h"

#include "petro/petro.h"

typedef struct seen {
    uint8_t keys[64][16];
    size_t sizes[64];
    size_t count;
    size_t stop_after; /* 0 = never stop */
} seen;

static int collect(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                   size_t value_size) {
    seen *s = ctx;
    (void)value;
    (void)value_size;
    ASSERT_TRUE(s->count < 64 && key_size <= 16);
    memcpy(s->keys[s->count], key, key_size);
    s->sizes[s->count] = key_size;
    s->count++;
    return (s->stop_after != 0 && s->count == s->stop_after) ? 1 : 0;
}

static void put_str(petro_store *st, const char *k, const char *v) {
    ASSERT_OK(st->put(st->ctx, (const uint8_t *)k, strlen(k), (const uint8_t *)v, strlen(v)));
}

static void test_basic(void) {
    petro_store st;
    petro_store_mem *m;
    ASSERT_OK(petro_store_mem_create(&m, &st));
    uint8_t buf[64];
    size_t size = 99;
    bool found = true;
    ASSERT_OK(st.get(st.ctx, (const uint8_t *)"a", 1, buf, sizeof buf, &size, &found));
    ASSERT_TRUE(!found);
    ASSERT_EQ(size, 0);

    put_str(&st, "b", "2");
    put_str(&st, "a", "1");
    put_str(&st, "ab", "12");
    put_str(&st, "c", "");
    ASSERT_EQ(petro_store_mem_count(m), 4);
    ASSERT_OK(st.get(st.ctx, (const uint8_t *)"ab", 2, buf, sizeof buf, &size, &found));
    ASSERT_TRUE(found);
    ASSERT_EQ(size, 2);
    ASSERT_MEMEQ(buf, "12", 2);
    ASSERT_OK(st.get(st.ctx, (const uint8_t *)"c", 1, buf, sizeof buf, &size, &found));
    ASSERT_TRUE(found);
    ASSERT_EQ(size, 0);

    /* Replace with a longer and then a shorter value. */
    put_str(&st, "a", "a-much-longer-value-than-before");
    ASSERT_OK(st.get(st.ctx, (const uint8_t *)"a", 1, buf, sizeof buf, &size, &found));
    ASSERT_EQ(size, 31);
    ASSERT_MEMEQ(buf, "a-much-longer-value-than-before", 31);
    put_str(&st, "a", "x");
    ASSERT_OK(st.get(st.ctx, (const uint8_t *)"a", 1, buf, sizeof buf, &size, &found));
    ASSERT_EQ(size, 1);
    ASSERT_EQ(buf[0], 'x');
    ASSERT_EQ(petro_store_mem_count(m), 4);

    /* Too small a buffer. */
    ASSERT_RESULT(st.get(st.ctx, (const uint8_t *)"ab", 2, buf, 1, &size, &found),
                  PETRO_ERR_BUFFER_TOO_SMALL);

    /* Order: a < ab < b < c (shorter first on the common prefix "a"). */
    seen s;
    memset(&s, 0, sizeof s);
    ASSERT_OK(st.iter(st.ctx, NULL, 0, collect, &s));
    ASSERT_EQ(s.count, 4);
    ASSERT_EQ(s.sizes[0], 1);
    ASSERT_EQ(s.keys[0][0], 'a');
    ASSERT_EQ(s.sizes[1], 2);
    ASSERT_MEMEQ(s.keys[1], "ab", 2);
    ASSERT_EQ(s.keys[2][0], 'b');
    ASSERT_EQ(s.keys[3][0], 'c');

    /* Prefix iteration includes the key equal to the prefix. */
    memset(&s, 0, sizeof s);
    ASSERT_OK(st.iter(st.ctx, (const uint8_t *)"a", 1, collect, &s));
    ASSERT_EQ(s.count, 2);
    memset(&s, 0, sizeof s);
    ASSERT_OK(st.iter(st.ctx, (const uint8_t *)"ab", 2, collect, &s));
    ASSERT_EQ(s.count, 1);
    memset(&s, 0, sizeof s);
    ASSERT_OK(st.iter(st.ctx, (const uint8_t *)"abc", 3, collect, &s));
    ASSERT_EQ(s.count, 0);
    memset(&s, 0, sizeof s);
    ASSERT_OK(st.iter(st.ctx, (const uint8_t *)"0", 1, collect, &s));
    ASSERT_EQ(s.count, 0);
    /* Stopping early. */
    memset(&s, 0, sizeof s);
    s.stop_after = 2;
    ASSERT_OK(st.iter(st.ctx, NULL, 0, collect, &s));
    ASSERT_EQ(s.count, 2);

    /* Delete, including an absent key. */
    ASSERT_OK(st.del(st.ctx, (const uint8_t *)"ab", 2));
    ASSERT_OK(st.del(st.ctx, (const uint8_t *)"zz", 2));
    ASSERT_EQ(petro_store_mem_count(m), 3);
    ASSERT_OK(st.get(st.ctx, (const uint8_t *)"ab", 2, buf, sizeof buf, &size, &found));
    ASSERT_TRUE(!found);
    ASSERT_OK(st.get(st.ctx, (const uint8_t *)"a", 1, buf, sizeof buf, &size, &found));
    ASSERT_TRUE(found);

    /* Bytes >= 0x80 sort after ASCII (unsigned comparison). */
    const uint8_t hi[1] = {0xF0}, lo[2] = {0x00, 0x01};
    ASSERT_OK(st.put(st.ctx, hi, 1, hi, 1));
    ASSERT_OK(st.put(st.ctx, lo, 2, lo, 2));
    memset(&s, 0, sizeof s);
    ASSERT_OK(st.iter(st.ctx, NULL, 0, collect, &s));
    ASSERT_EQ(s.count, 5);
    ASSERT_EQ(s.keys[0][0], 0x00);
    ASSERT_EQ(s.keys[4][0], 0xF0);
    petro_store_mem_destroy(m);
    petro_store_mem_destroy(NULL);
}

/* Reference model: a fixed universe of keys, each present or not with a value. */
#define UNIVERSE 200
typedef struct model_entry {
    uint8_t key[6];
    size_t key_size;
    bool present;
    uint8_t value[40];
    size_t value_size;
} model_entry;

static int model_cmp(const model_entry *a, const model_entry *b) {
    size_t n = a->key_size < b->key_size ? a->key_size : b->key_size;
    int c = memcmp(a->key, b->key, n);
    if (c != 0) return c;
    return (int)a->key_size - (int)b->key_size;
}

typedef struct walk {
    const model_entry *sorted[UNIVERSE];
    size_t count;
    size_t pos;
    const uint8_t *prefix;
    size_t prefix_size;
} walk;

static int check_visit(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                       size_t value_size) {
    walk *w = ctx;
    /* Skip model entries not matching the prefix or absent. */
    while (w->pos < w->count &&
           (!w->sorted[w->pos]->present || w->sorted[w->pos]->key_size < w->prefix_size ||
            memcmp(w->sorted[w->pos]->key, w->prefix, w->prefix_size) != 0)) {
        w->pos++;
    }
    ASSERT_TRUE(w->pos < w->count);
    const model_entry *e = w->sorted[w->pos++];
    ASSERT_EQ(key_size, e->key_size);
    ASSERT_MEMEQ(key, e->key, key_size);
    ASSERT_EQ(value_size, e->value_size);
    if (value_size > 0) ASSERT_MEMEQ(value, e->value, value_size);
    return 0;
}

static void test_random_model(void) {
    static model_entry model[UNIVERSE];
    memset(model, 0, sizeof model);
    /* Short keys over a tiny alphabet give many common prefixes. */
    for (size_t i = 0; i < UNIVERSE; i++) {
        model[i].key_size = 1 + test_rand() % 5;
        for (size_t j = 0; j < model[i].key_size; j++) model[i].key[j] = (uint8_t)(test_rand() % 3);
        for (size_t k = 0; k < i; k++) {
            if (model_cmp(&model[k], &model[i]) == 0) { /* make keys unique */
                model[i].key[model[i].key_size - 1] = (uint8_t)(3 + i % 250);
                break;
            }
        }
    }
    petro_store st;
    petro_store_mem *m;
    ASSERT_OK(petro_store_mem_create(&m, &st));
    for (int step = 0; step < 20000; step++) {
        model_entry *e = &model[test_rand() % UNIVERSE];
        uint64_t action = test_rand() % 10;
        if (action < 6) {
            e->value_size = test_rand() % sizeof e->value;
            for (size_t j = 0; j < e->value_size; j++) e->value[j] = (uint8_t)test_rand();
            e->present = true;
            ASSERT_OK(st.put(st.ctx, e->key, e->key_size, e->value, e->value_size));
        } else if (action < 9) {
            e->present = false;
            ASSERT_OK(st.del(st.ctx, e->key, e->key_size));
        } else {
            uint8_t buf[64];
            size_t size;
            bool found;
            ASSERT_OK(st.get(st.ctx, e->key, e->key_size, buf, sizeof buf, &size, &found));
            ASSERT_EQ(found, e->present);
            if (found) {
                ASSERT_EQ(size, e->value_size);
                if (size > 0) ASSERT_MEMEQ(buf, e->value, size);
            }
        }
        if (step % 997 == 0) {
            walk w;
            memset(&w, 0, sizeof w);
            size_t present = 0;
            for (size_t i = 0; i < UNIVERSE; i++) {
                /* insertion sort of pointers by key */
                size_t k = w.count++;
                while (k > 0 && model_cmp(w.sorted[k - 1], &model[i]) > 0) {
                    w.sorted[k] = w.sorted[k - 1];
                    k--;
                }
                w.sorted[k] = &model[i];
                if (model[i].present) present++;
            }
            ASSERT_EQ(petro_store_mem_count(m), present);
            uint8_t prefix[2] = {(uint8_t)(test_rand() % 3), (uint8_t)(test_rand() % 3)};
            w.prefix_size = test_rand() % 3;
            w.prefix = prefix;
            ASSERT_OK(st.iter(st.ctx, prefix, w.prefix_size, check_visit, &w));
            /* No present, matching model entry may remain unvisited. */
            for (; w.pos < w.count; w.pos++) {
                const model_entry *e2 = w.sorted[w.pos];
                ASSERT_TRUE(!(e2->present && e2->key_size >= w.prefix_size &&
                              memcmp(e2->key, prefix, w.prefix_size) == 0));
            }
        }
    }
    petro_store_mem_destroy(m);
}

/* Many keys: exercises the hash index growth and the folds triggered by size (not only by
 * iteration), with deletes, re-inserts and updates, checked against a sorted model. */
#define LARGE 30000
typedef struct large_key {
    uint8_t key[33];
    bool present;
    uint32_t value;
} large_key;

static int large_cmp(const void *a, const void *b) {
    return memcmp(((const large_key *)a)->key, ((const large_key *)b)->key, 33);
}

typedef struct large_walk {
    const large_key *keys;
    size_t pos;
    size_t visited;
} large_walk;

static int large_visit(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                       size_t value_size) {
    large_walk *w = ctx;
    while (w->pos < LARGE && !w->keys[w->pos].present) w->pos++;
    ASSERT_TRUE(w->pos < LARGE);
    const large_key *k = &w->keys[w->pos++];
    ASSERT_EQ(key_size, 33);
    ASSERT_MEMEQ(key, k->key, 33);
    ASSERT_EQ(value_size, 4);
    uint32_t v;
    memcpy(&v, value, 4);
    ASSERT_EQ(v, k->value);
    w->visited++;
    return 0;
}

static void test_large(void) {
    large_key *keys = calloc(LARGE, sizeof *keys);
    ASSERT_TRUE(keys != NULL);
    for (size_t i = 0; i < LARGE; i++) {
        keys[i].key[0] = 'T';
        for (size_t j = 1; j < 33; j++) keys[i].key[j] = (uint8_t)test_rand();
    }
    qsort(keys, LARGE, sizeof *keys, large_cmp); /* the model is kept in key order */
    petro_store st;
    petro_store_mem *m;
    ASSERT_OK(petro_store_mem_create(&m, &st));
    size_t live = 0;
    for (int round = 0; round < 4; round++) {
        for (size_t n = 0; n < LARGE; n++) {
            large_key *k = &keys[test_rand() % LARGE];
            if (test_rand() % 4 == 0) {
                if (k->present) live--;
                k->present = false;
                ASSERT_OK(st.del(st.ctx, k->key, 33));
            } else {
                if (!k->present) live++;
                k->present = true;
                k->value = (uint32_t)test_rand();
                ASSERT_OK(st.put(st.ctx, k->key, 33, (const uint8_t *)&k->value, 4));
            }
        }
        ASSERT_EQ(petro_store_mem_count(m), live);
        for (size_t i = 0; i < LARGE; i += 7) {
            uint8_t buf[8];
            size_t size;
            bool found;
            ASSERT_OK(st.get(st.ctx, keys[i].key, 33, buf, sizeof buf, &size, &found));
            ASSERT_EQ(found, keys[i].present);
            if (found) ASSERT_MEMEQ(buf, &keys[i].value, 4);
        }
        large_walk w = {keys, 0, 0};
        ASSERT_OK(st.iter(st.ctx, (const uint8_t *)"T", 1, large_visit, &w));
        ASSERT_EQ(w.visited, live);
    }
    /* Delete everything. */
    for (size_t i = 0; i < LARGE; i++) ASSERT_OK(st.del(st.ctx, keys[i].key, 33));
    ASSERT_EQ(petro_store_mem_count(m), 0);
    large_walk w = {keys, LARGE, 0};
    ASSERT_OK(st.iter(st.ctx, NULL, 0, large_visit, &w));
    ASSERT_EQ(w.visited, 0);
    petro_store_mem_destroy(m);
    free(keys);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    RUN_TEST(test_basic);
    RUN_TEST(test_random_model);
    RUN_TEST(test_large);
    return 0;
}
