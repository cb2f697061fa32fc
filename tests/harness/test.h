/* Minimal test harness: ASSERT_* macros that print both operands, a printed seed, and a
 * deterministic PRNG (splitmix64) for randomised tests. Include once per test program. */
#ifndef PETRO_TEST_H
#define PETRO_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define ASSERT_TRUE(c)                                                                   \
    do {                                                                                 \
        if (!(c)) {                                                                      \
            fprintf(stderr, "%s:%d: ASSERT_TRUE(%s) failed\n", __FILE__, __LINE__, #c);  \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)
#define ASSERT_EQ(a, b)                                                                  \
    do {                                                                                 \
        long long a_ = (long long)(a), b_ = (long long)(b);                              \
        if (a_ != b_) {                                                                  \
            fprintf(stderr, "%s:%d: ASSERT_EQ(%s, %s) failed: %lld != %lld\n", __FILE__, \
                    __LINE__, #a, #b, a_, b_);                                           \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)
#define ASSERT_RESULT(a, b)                                                              \
    do {                                                                                 \
        petro_result a_ = (a), b_ = (b);                                                 \
        if (a_ != b_) {                                                                  \
            fprintf(stderr, "%s:%d: %s == %s (%d) but expected %s (%d)\n", __FILE__,     \
                    __LINE__, #a, petro_result_name(a_), (int)a_, petro_result_name(b_), \
                    (int)b_);                                                            \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)
#define ASSERT_OK(a) ASSERT_RESULT((a), PETRO_OK)
#define ASSERT_STREQ(a, b)                                                               \
    do {                                                                                 \
        const char *a_ = (a), *b_ = (b);                                                 \
        if (strcmp(a_, b_) != 0) {                                                       \
            fprintf(stderr, "%s:%d: ASSERT_STREQ(%s, %s) failed: \"%s\" != \"%s\"\n",    \
                    __FILE__, __LINE__, #a, #b, a_, b_);                                 \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)
#define ASSERT_MEMEQ(a, b, n) ASSERT_TRUE(memcmp((a), (b), (n)) == 0)

static uint64_t test_rng_state_;
static inline uint64_t test_rand(void) {
    uint64_t z = (test_rng_state_ += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Seed from --seed N, else PETRO_TEST_SEED, else a fixed default; always printed first. */
static inline uint64_t test_init(int argc, char **argv) {
    uint64_t seed = UINT64_C(0x5EED);
    const char *env = getenv("PETRO_TEST_SEED");
    if (env) seed = strtoull(env, NULL, 0);
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0) seed = strtoull(argv[i + 1], NULL, 0);
    }
    printf("random seed = %" PRIu64 "\n", seed);
    test_rng_state_ = seed;
    return seed;
}

#define RUN_TEST(fn)                         \
    do {                                     \
        printf("test %s ...\n", #fn);        \
        fn();                                \
        printf("test %s ok\n", #fn);         \
    } while (0)

#endif
