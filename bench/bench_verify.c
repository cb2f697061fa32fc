/* bench-verify: the physical limit for signed transfers. Ed25519 verifications per second of
 * transaction-sized messages (the encoded body of a real one-payment transaction), with one
 * thread and with one thread per core. Also measures the whole per-transaction crypto the node
 * does on admission (decode the envelope, BLAKE2b id over the body, verify the signature over
 * the id), which is the limit the node can actually reach.
 *
 *   bench-verify [--seconds S] [--threads T] [--json]
 *
 * Last line: `verify_all_cores: <n> verify/s`. Every verification is checked (a failed one is a
 * broken tool: exit 1). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "petro/petro.h"

#define KEYS 256

typedef struct sample {
    uint8_t body[512];
    size_t body_size;
    petro_sig body_sig; /* signature over the body bytes */
    uint8_t envelope[1024];
    size_t envelope_size;
    petro_pubkey pk;
} sample;

static sample samples[KEYS];

typedef struct worker {
    pthread_t thread;
    int mode; /* 0: verify body, 1: decode + id + verify (node path) */
    uint64_t deadline_ns;
    uint64_t done;
    uint64_t failed;
    unsigned offset;
} worker;

static void *worker_main(void *arg) {
    worker *w = arg;
    uint64_t done = 0, failed = 0;
    unsigned i = w->offset;
    petro_tx *tx = malloc(sizeof *tx);
    if (tx == NULL) abort();
    for (;;) {
        for (int k = 0; k < 32; k++) {
            const sample *s = &samples[i++ % KEYS];
            if (w->mode == 0) {
                if (!petro_verify(&s->body_sig, s->body, s->body_size, &s->pk)) failed++;
            } else {
                petro_hash id;
                if (petro_tx_decode(tx, s->envelope, s->envelope_size) != PETRO_OK ||
                    petro_tx_id(&id, tx) != PETRO_OK || petro_tx_verify_sigs(tx, &id) != 1u) {
                    failed++;
                }
            }
            done++;
        }
        if (bench_now_ns() >= w->deadline_ns) break;
    }
    free(tx);
    w->done = done;
    w->failed = failed;
    return NULL;
}

static double run(int mode, unsigned threads, double seconds) {
    worker *ws = calloc(threads, sizeof *ws);
    if (ws == NULL) abort();
    uint64_t start = bench_now_ns();
    uint64_t deadline = start + (uint64_t)(seconds * 1e9);
    for (unsigned t = 0; t < threads; t++) {
        ws[t].mode = mode;
        ws[t].deadline_ns = deadline;
        ws[t].offset = t * 37u;
        if (pthread_create(&ws[t].thread, NULL, worker_main, &ws[t]) != 0) {
            fprintf(stderr, "bench-verify: cannot start a thread\n");
            exit(1);
        }
    }
    uint64_t total = 0, failed = 0;
    for (unsigned t = 0; t < threads; t++) {
        pthread_join(ws[t].thread, NULL);
        total += ws[t].done;
        failed += ws[t].failed;
    }
    uint64_t elapsed = bench_now_ns() - start;
    free(ws);
    if (failed != 0) {
        fprintf(stderr, "bench-verify: %llu verifications failed: the tool is broken\n",
                (unsigned long long)failed);
        exit(1);
    }
    return (double)total * 1e9 / (double)elapsed;
}

static void make_samples(void) {
    petro_hash net;
    petro_hash_bytes(&net, (const uint8_t *)"bench", 5);
    for (unsigned i = 0; i < KEYS; i++) {
        sample *s = &samples[i];
        uint8_t seed[32] = {0};
        seed[0] = (uint8_t)i;
        seed[1] = 0x5a;
        petro_seckey sk;
        if (petro_keypair_from_seed(&s->pk, &sk, seed) != PETRO_OK) abort();
        petro_tx tx;
        memset(&tx, 0, sizeof tx);
        tx.version = PETRO_TX_VERSION;
        tx.network_id = net;
        tx.source = s->pk;
        tx.sequence = 1 + i;
        tx.fee = PETRO_BASE_FEE;
        tx.op_count = 1;
        tx.ops[0].type = PETRO_OP_PAYMENT;
        memset(tx.ops[0].u.payment.destination.bytes, (int)i + 1, 32);
        tx.ops[0].u.payment.asset = petro_asset_native();
        tx.ops[0].u.payment.amount = 1000 + i;
        if (petro_tx_sign(&tx, &s->pk, &sk) != PETRO_OK ||
            petro_tx_encode_body(s->body, sizeof s->body, &s->body_size, &tx) != PETRO_OK ||
            petro_tx_encode(s->envelope, sizeof s->envelope, &s->envelope_size, &tx) != PETRO_OK) {
            fprintf(stderr, "bench-verify: cannot build a sample transaction\n");
            exit(1);
        }
        petro_sign(&s->body_sig, s->body, s->body_size, &sk);
    }
}

int main(int argc, char **argv) {
    double seconds = 2.0;
    unsigned threads = bench_cores();
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = (double)bench_parse_u64("bench-verify", "--seconds", argv[++i], 1, 3600);
        } else if (strcmp(argv[i], "--millis") == 0 && i + 1 < argc) {
            seconds = (double)bench_parse_u64("bench-verify", "--millis", argv[++i], 10,
                                              3600000) / 1000.0;
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            threads = (unsigned)bench_parse_u64("bench-verify", "--threads", argv[++i], 1, 1024);
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            fprintf(stderr, "usage: bench-verify [--seconds S | --millis MS] [--threads T] "
                            "[--json]\n");
            return 2;
        }
    }
    if (petro_crypto_init() != PETRO_OK) return 1;
    make_samples();
    double one = run(0, 1, seconds);
    double all = run(0, threads, seconds);
    double node_one = run(1, 1, seconds);
    double node_all = run(1, threads, seconds);
    char cpu[256];
    bench_cpu_model(cpu, sizeof cpu);
    if (json) {
        printf("{\"cores\":%u,\"threads\":%u,\"cpu\":\"%s\",\"message_bytes\":%zu,"
               "\"verify_1_thread\":%.0f,\"verify_all_cores\":%.0f,"
               "\"tx_crypto_1_thread\":%.0f,\"tx_crypto_all_cores\":%.0f}\n",
               bench_cores(), threads, cpu, samples[0].body_size, one, all, node_one, node_all);
    } else {
        printf("cpu: %s (%u cores), %u threads, message %zu bytes\n", cpu, bench_cores(),
               threads, samples[0].body_size);
        printf("verify_1_thread: %.0f verify/s\n", one);
        printf("tx_crypto_1_thread: %.0f tx/s (decode + id + verify)\n", node_one);
        printf("tx_crypto_all_cores: %.0f tx/s (decode + id + verify)\n", node_all);
        printf("verify_all_cores: %.0f verify/s\n", all);
    }
    return 0;
}
