/* Unit tests of petrod's state layers (petrod/layers.c): a layer's own table and sort, the
 * producer's merged index as layers are added and reaped oldest first (its backward-shift
 * deletion included, across the table's wrap-around), and the ordered merge of several layers,
 * each against a simple reference model over seeded random writes. Keys share prefixes and
 * vary in size, so the store's order (memcmp, shorter first) and hash collisions of the
 * index's low bits both occur. */
#include "test.h"

#include "assert.h" /* petrod/assert.h: petrod_assert_fail, defined below */
#include "layers.h"

_Noreturn void petrod_assert_fail(const char *file, int line, const char *func,
                                  const char *expr) {
    fprintf(stderr, "assertion failed: %s:%d %s: %s\n", file, line, func, expr);
    abort();
}

#define KEYS 3000u   /* the key space */
#define LAYERS 40u   /* layers built */
#define VALUE_MAX 24u

/* Key k: a 1-byte table, then a prefix shared by every key, then k's decimal digits, so that
 * some keys are prefixes of others ("3" and "30" in table 1). */
static size_t make_key(uint8_t *out, uint32_t k) {
    out[0] = (uint8_t)(1 + k % 3);
    size_t n = 1;
    memcpy(out + n, "acct/", 5);
    n += 5;
    uint32_t v = k;
    uint8_t digits[10];
    size_t d = 0;
    do {
        digits[d++] = (uint8_t)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < d; i++) out[n++] = digits[d - 1 - i];
    return n;
}

/* The model: per layer, per key, 0 absent, 1 deleted, 2 a value (its bytes in val). */
typedef struct model_layer {
    uint8_t kind[KEYS];
    uint8_t val[KEYS][VALUE_MAX];
    uint8_t val_size[KEYS];
} model_layer;

static model_layer models[LAYERS];
static layer *layers[LAYERS];
static uint8_t key_bytes[KEYS][16];
static size_t key_size[KEYS];

static void build_layer(uint32_t i) {
    layers[i] = layer_new();
    ASSERT_TRUE(layers[i] != NULL);
    model_layer *m = &models[i];
    memset(m, 0, sizeof *m);
    uint32_t writes = (uint32_t)(test_rand() % 600) + (i % 5 == 0 ? 2500u : 1u);
    /* Bounded by writes. */
    for (uint32_t w = 0; w < writes; w++) {
        uint32_t k = (uint32_t)(test_rand() % KEYS);
        if (test_rand() % 6 == 0) {
            ASSERT_OK(layer_put(layers[i], key_bytes[k], key_size[k], NULL, LAYER_DELETED));
            m->kind[k] = 1;
        } else {
            uint8_t size = (uint8_t)(test_rand() % (VALUE_MAX + 1));
            for (uint8_t b = 0; b < size; b++) m->val[k][b] = (uint8_t)test_rand();
            ASSERT_OK(layer_put(layers[i], key_bytes[k], key_size[k], m->val[k], size));
            m->kind[k] = 2;
            m->val_size[k] = size;
        }
    }
    ASSERT_OK(layer_sort(layers[i]));
}

static void check_entry(const layer *l, const layer_entry *e, const model_layer *m, uint32_t k) {
    ASSERT_TRUE(e != NULL);
    ASSERT_EQ(e->key_size, key_size[k]);
    ASSERT_MEMEQ(layer_key(l, e), key_bytes[k], key_size[k]);
    if (m->kind[k] == 1) {
        ASSERT_EQ(e->value_size, LAYER_DELETED);
    } else {
        ASSERT_EQ(e->value_size, m->val_size[k]);
        ASSERT_MEMEQ(layer_value(l, e), m->val[k], m->val_size[k]);
    }
}

/* Every layer's own table and order. */
static void test_layer_tables(void) {
    for (uint32_t i = 0; i < LAYERS; i++) {
        const layer *l = layers[i];
        uint32_t present = 0;
        for (uint32_t k = 0; k < KEYS; k++) {
            const layer_entry *e =
                layer_find(l, key_bytes[k], key_size[k], layer_key_hash(key_bytes[k], key_size[k]));
            if (models[i].kind[k] == 0) {
                ASSERT_TRUE(e == NULL);
                continue;
            }
            present++;
            check_entry(l, e, &models[i], k);
        }
        ASSERT_EQ(l->count, present);
        for (uint32_t e = 1; e < l->count; e++) {
            const layer_entry *a = &l->entries[e - 1], *b = &l->entries[e];
            ASSERT_TRUE(layer_key_cmp(layer_key(l, a), a->key_size, layer_key(l, b),
                                      b->key_size) < 0);
        }
    }
}

/* The index over layers [first, last): each key's newest entry. */
static void check_index(const layer_index *ix, uint32_t first, uint32_t last) {
    uint32_t live = 0;
    for (uint32_t k = 0; k < KEYS; k++) {
        const layer *owner = NULL;
        const layer_entry *e = layer_index_find(ix, key_bytes[k], key_size[k],
                                                layer_key_hash(key_bytes[k], key_size[k]),
                                                &owner);
        uint32_t newest = UINT32_MAX;
        for (uint32_t i = last; i-- > first;) {
            if (models[i].kind[k] != 0) {
                newest = i;
                break;
            }
        }
        if (newest == UINT32_MAX) {
            ASSERT_TRUE(e == NULL);
            continue;
        }
        live++;
        ASSERT_TRUE(owner == layers[newest]);
        check_entry(owner, e, &models[newest], k);
    }
    ASSERT_EQ(ix->count, live);
}

/* Layers join at the new end and leave at the old end, as the producer adds and reaps them. */
static void test_index(void) {
    layer_index ix = {0};
    uint32_t first = 0, last = 0;
    /* Bounded: each round adds or reaps one layer. */
    while (first < LAYERS) {
        bool add = last < LAYERS && (first == last || test_rand() % 3 != 0);
        if (add) {
            ASSERT_OK(layer_index_reserve(&ix, layers[last]->count));
            uint32_t refs = layers[last]->refs;
            ASSERT_OK(layer_index_add(&ix, layers[last])); /* takes a reference */
            ASSERT_EQ(layers[last]->refs, refs + 1);
            last++;
        } else {
            uint32_t refs = layers[first]->refs;
            layer_index_remove(&ix, layers[first]); /* drops the index's reference */
            ASSERT_EQ(layers[first]->refs, refs - 1);
            first++;
        }
        check_index(&ix, first, last);
    }
    ASSERT_EQ(ix.count, 0);
    layer_index_free(&ix);
}

/* A merge of layers [first, last) from the start key of key s (or from the beginning). */
static void check_merge(uint32_t first, uint32_t last, int s) {
    layer *newest_first[LAYERS];
    size_t n = 0;
    for (uint32_t i = last; i-- > first;) newest_first[n++] = layers[i];
    layer_merge m;
    layer_merge_init(&m, newest_first, n, s < 0 ? NULL : key_bytes[s],
                     s < 0 ? 0 : key_size[s]);
    const uint8_t *prev = NULL;
    size_t prev_size = 0;
    uint32_t seen = 0;
    const layer *owner, *peek_owner;
    const layer_entry *e, *peeked;
    /* Bounded by the entries of the layers. */
    while ((peeked = layer_merge_peek(&m, &peek_owner)), (e = layer_merge_next(&m, &owner))) {
        ASSERT_TRUE(peeked == e && peek_owner == owner);
        const uint8_t *key = layer_key(owner, e);
        if (prev != NULL) ASSERT_TRUE(layer_key_cmp(prev, prev_size, key, e->key_size) < 0);
        if (s >= 0) ASSERT_TRUE(layer_key_cmp(key_bytes[s], key_size[s], key, e->key_size) <= 0);
        prev = key;
        prev_size = e->key_size;
        uint32_t k = KEYS;
        for (uint32_t j = 0; j < KEYS; j++) {
            if (key_size[j] == e->key_size && memcmp(key_bytes[j], key, e->key_size) == 0) k = j;
        }
        ASSERT_TRUE(k < KEYS);
        uint32_t newest = UINT32_MAX;
        for (uint32_t i = last; i-- > first;) {
            if (models[i].kind[k] != 0) {
                newest = i;
                break;
            }
        }
        ASSERT_TRUE(newest != UINT32_MAX && owner == layers[newest]);
        check_entry(owner, e, &models[newest], k);
        seen++;
    }
    ASSERT_TRUE(layer_merge_peek(&m, &peek_owner) == NULL);
    uint32_t want = 0;
    for (uint32_t k = 0; k < KEYS; k++) {
        if (s >= 0 && layer_key_cmp(key_bytes[k], key_size[k], key_bytes[s], key_size[s]) < 0) {
            continue;
        }
        for (uint32_t i = first; i < last; i++) {
            if (models[i].kind[k] != 0) {
                want++;
                break;
            }
        }
    }
    ASSERT_EQ(seen, want);
}

static void test_merge(void) {
    for (int round = 0; round < 30; round++) {
        uint32_t first = (uint32_t)(test_rand() % LAYERS);
        uint32_t last = first + 1 + (uint32_t)(test_rand() % (LAYERS - first));
        check_merge(first, last, round % 3 == 0 ? -1 : (int)(test_rand() % KEYS));
    }
}

/* A second put of a key in the same layer replaces the first; layer_clear forgets all. */
static void test_replace_and_clear(void) {
    layer *l = layer_new();
    ASSERT_TRUE(l != NULL);
    const uint8_t k[] = {1, 'x'};
    ASSERT_OK(layer_put(l, k, sizeof k, (const uint8_t *)"one", 3));
    ASSERT_OK(layer_put(l, k, sizeof k, (const uint8_t *)"second", 6));
    const layer_entry *e = layer_find(l, k, sizeof k, layer_key_hash(k, sizeof k));
    ASSERT_TRUE(e != NULL && e->value_size == 6 && memcmp(layer_value(l, e), "second", 6) == 0);
    ASSERT_EQ(l->count, 1);
    ASSERT_OK(layer_put(l, k, sizeof k, NULL, LAYER_DELETED));
    e = layer_find(l, k, sizeof k, layer_key_hash(k, sizeof k));
    ASSERT_TRUE(e != NULL && e->value_size == LAYER_DELETED);
    layer_clear(l);
    ASSERT_EQ(l->count, 0);
    ASSERT_TRUE(layer_find(l, k, sizeof k, layer_key_hash(k, sizeof k)) == NULL);
    layer_unref(l);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    for (uint32_t k = 0; k < KEYS; k++) key_size[k] = make_key(key_bytes[k], k);
    for (uint32_t i = 0; i < LAYERS; i++) build_layer(i);
    RUN_TEST(test_layer_tables);
    RUN_TEST(test_merge);
    RUN_TEST(test_index);
    RUN_TEST(test_replace_and_clear);
    for (uint32_t i = 0; i < LAYERS; i++) layer_unref(layers[i]);
    printf("test_layers: ok\n");
    return 0;
}
