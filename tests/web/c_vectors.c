/* c_vectors: answers questions with the C core (libpetro), one per line, so that
 * tests/web/vectors.test.mjs can check web/src/petro.js against it on many inputs (a
 * differential test of the two implementations of docs/protocol.md).
 *
 * Each input line is a command and hex or text arguments; each output line is the answer:
 *
 *   tx HEX                  -> RESULT_NAME [ID_HEX]        petro_tx_decode, then petro_tx_id
 *   addr TEXT               -> RESULT KEY_HEX|-  (test) RESULT KEY_HEX|- (main)   petro_address_decode
 *   addrenc KEY_HEX         -> TEST_ADDRESS MAIN_ADDRESS
 *   amount TEXT             -> RESULT VALUE|-   (allow_negative false) and again with true
 *   fmt DECIMAL_INT64       -> TEXT                        petro_amount_format
 *   salt BLOCK_HEX PTR | salt BLOCK_HEX CODE ISSUER_HEX -> SALT_HEX
 *   leaf SALT_HEX ACCOUNT_HEX BALANCE -> HASH_HEX SUM
 *   lock SALT_HEX FAMILY ID OWNER_HEX AMOUNT -> HASH_HEX SUM   (petro_proof_lock_leaf)
 *   parent H1 S1 H2 S2      -> RESULT [HASH_HEX SUM]
 *   empty                   -> HASH_HEX SUM
 *   merkle [LEAF_HEX...]    -> ROOT_HEX
 *
 * "-" stands for an empty argument (the text "" of an amount or address). A line it cannot
 * read prints "error". Reads stdin until EOF. Test-only code: lines are at most 16 KiB. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "petro/petro.h"

#define LINE_MAX_SIZE 16384
#define ARGS_MAX 70

static uint8_t bytes_buf[LINE_MAX_SIZE / 2];

static void put_hex(const uint8_t *b, size_t n) {
    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

/* Hex text into out (cap bytes); returns the byte count or -1. */
static long hex_in(uint8_t *out, size_t cap, const char *hex) {
    size_t len = strlen(hex);
    if (strcmp(hex, "-") == 0) return 0;
    if (len % 2 != 0 || len / 2 > cap) return -1;
    return petro_hex_decode(out, len / 2, hex, len) == PETRO_OK ? (long)(len / 2) : -1;
}

static int key_in(uint8_t out[32], const char *hex) {
    return hex_in(out, 32, hex) == 32 ? 0 : -1;
}

static const char *text_arg(const char *s) { return strcmp(s, "-") == 0 ? "" : s; }

static void cmd_tx(char **argv, int argc) {
    long n = argc == 2 ? hex_in(bytes_buf, sizeof bytes_buf, argv[1]) : -1;
    if (n < 0) {
        printf("error");
        return;
    }
    static petro_tx tx;
    petro_result rc = petro_tx_decode(&tx, bytes_buf, (size_t)n);
    printf("%s", petro_result_name(rc));
    if (rc != PETRO_OK) return;
    petro_hash id;
    if (petro_tx_id(&id, &tx) != PETRO_OK) {
        printf(" id-error");
        return;
    }
    printf(" ");
    put_hex(id.bytes, 32);
}

static void cmd_addr(char **argv, int argc) {
    if (argc != 2) {
        printf("error");
        return;
    }
    const char *text = text_arg(argv[1]);
    const petro_net_kind kinds[2] = {PETRO_NET_TEST, PETRO_NET_MAIN};
    for (int i = 0; i < 2; i++) {
        petro_pubkey pk;
        petro_result rc = petro_address_decode(&pk, text, strlen(text), kinds[i]);
        printf("%s%s ", i ? " " : "", petro_result_name(rc));
        if (rc == PETRO_OK) {
            put_hex(pk.bytes, 32);
        } else {
            printf("-");
        }
    }
}

static void cmd_addrenc(char **argv, int argc) {
    petro_pubkey pk;
    if (argc != 2 || key_in(pk.bytes, argv[1]) != 0) {
        printf("error");
        return;
    }
    char a[PETRO_ADDRESS_SIZE_MAX], b[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(a, &pk, PETRO_NET_TEST);
    petro_address_encode(b, &pk, PETRO_NET_MAIN);
    printf("%s %s", a, b);
}

static void cmd_amount(char **argv, int argc) {
    if (argc != 2) {
        printf("error");
        return;
    }
    const char *text = text_arg(argv[1]);
    for (int neg = 0; neg < 2; neg++) {
        petro_amount v = 0;
        petro_result rc = petro_amount_parse(&v, text, strlen(text), neg == 1);
        printf("%s%s ", neg ? " " : "", petro_result_name(rc));
        if (rc == PETRO_OK) {
            printf("%" PRId64, v);
        } else {
            printf("-");
        }
    }
}

static void cmd_fmt(char **argv, int argc) {
    char *end = NULL;
    long long v = argc == 2 ? strtoll(argv[1], &end, 10) : 0;
    if (argc != 2 || end == NULL || *end != '\0') {
        printf("error");
        return;
    }
    char text[PETRO_AMOUNT_TEXT_SIZE];
    petro_amount_format(text, (petro_amount)v);
    printf("%s", text);
}

static void cmd_salt(char **argv, int argc) {
    petro_hash block;
    petro_asset asset = petro_asset_native();
    if (argc < 3 || key_in(block.bytes, argv[1]) != 0) {
        printf("error");
        return;
    }
    if (strcmp(argv[2], "PTR") != 0) {
        if (argc != 4 || strlen(argv[2]) > PETRO_ASSET_CODE_SIZE_MAX ||
            key_in(asset.issuer.bytes, argv[3]) != 0) {
            printf("error");
            return;
        }
        asset.kind = PETRO_ASSET_ISSUED;
        memset(asset.code, 0, sizeof asset.code);
        memcpy(asset.code, argv[2], strlen(argv[2]));
    }
    petro_hash salt;
    petro_proof_salt(&salt, &block, &asset);
    put_hex(salt.bytes, 32);
}

static int node_in(petro_sum_node *n, const char *hash_hex, const char *sum) {
    char *end = NULL;
    n->sum = (petro_amount)strtoll(sum, &end, 10);
    return key_in(n->hash.bytes, hash_hex) == 0 && end != NULL && *end == '\0' ? 0 : -1;
}

static void put_node(const petro_sum_node *n) {
    put_hex(n->hash.bytes, 32);
    printf(" %" PRId64, n->sum);
}

static void cmd_leaf(char **argv, int argc) {
    petro_hash salt;
    petro_pubkey account;
    char *end = NULL;
    long long balance = argc == 4 ? strtoll(argv[3], &end, 10) : 0;
    if (argc != 4 || key_in(salt.bytes, argv[1]) != 0 || key_in(account.bytes, argv[2]) != 0 ||
        end == NULL || *end != '\0') {
        printf("error");
        return;
    }
    petro_sum_node n;
    petro_proof_leaf(&n, &salt, &account, (petro_amount)balance);
    put_node(&n);
}

static void cmd_lock(char **argv, int argc) {
    petro_hash salt;
    petro_pubkey owner;
    char *end_id = NULL, *end_amount = NULL;
    unsigned long long id = argc == 6 ? strtoull(argv[3], &end_id, 10) : 0;
    long long amount = argc == 6 ? strtoll(argv[5], &end_amount, 10) : 0;
    if (argc != 6 || key_in(salt.bytes, argv[1]) != 0 || !petro_proof_lock_family_ok(argv[2]) ||
        end_id == NULL || *end_id != '\0' || key_in(owner.bytes, argv[4]) != 0 ||
        end_amount == NULL || *end_amount != '\0') {
        printf("error");
        return;
    }
    petro_sum_node n;
    petro_proof_lock_leaf(&n, &salt, argv[2], (uint64_t)id, &owner, (petro_amount)amount);
    put_node(&n);
}

static void cmd_parent(char **argv, int argc) {
    petro_sum_node l, r, out;
    if (argc != 5 || node_in(&l, argv[1], argv[2]) != 0 || node_in(&r, argv[3], argv[4]) != 0) {
        printf("error");
        return;
    }
    petro_result rc = petro_proof_parent(&out, &l, &r);
    printf("%s", petro_result_name(rc));
    if (rc == PETRO_OK) {
        printf(" ");
        put_node(&out);
    }
}

static void cmd_merkle(char **argv, int argc) {
    static petro_hash leaves[ARGS_MAX], scratch[ARGS_MAX];
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        if (key_in(leaves[count].bytes, argv[i]) != 0) {
            printf("error");
            return;
        }
        count++;
    }
    petro_hash root;
    petro_merkle_root(&root, leaves, count, scratch);
    put_hex(root.bytes, 32);
}

int main(void) {
    static char line[LINE_MAX_SIZE];
    while (fgets(line, sizeof line, stdin) != NULL) {
        char *argv[ARGS_MAX];
        int argc = 0;
        for (char *tok = strtok(line, " \r\n"); tok != NULL && argc < ARGS_MAX;
             tok = strtok(NULL, " \r\n")) {
            argv[argc++] = tok;
        }
        if (argc == 0) {
            printf("error");
        } else if (strcmp(argv[0], "tx") == 0) {
            cmd_tx(argv, argc);
        } else if (strcmp(argv[0], "addr") == 0) {
            cmd_addr(argv, argc);
        } else if (strcmp(argv[0], "addrenc") == 0) {
            cmd_addrenc(argv, argc);
        } else if (strcmp(argv[0], "amount") == 0) {
            cmd_amount(argv, argc);
        } else if (strcmp(argv[0], "fmt") == 0) {
            cmd_fmt(argv, argc);
        } else if (strcmp(argv[0], "salt") == 0) {
            cmd_salt(argv, argc);
        } else if (strcmp(argv[0], "leaf") == 0) {
            cmd_leaf(argv, argc);
        } else if (strcmp(argv[0], "lock") == 0) {
            cmd_lock(argv, argc);
        } else if (strcmp(argv[0], "parent") == 0) {
            cmd_parent(argv, argc);
        } else if (strcmp(argv[0], "empty") == 0) {
            petro_sum_node n;
            petro_proof_empty(&n);
            put_node(&n);
        } else if (strcmp(argv[0], "merkle") == 0) {
            cmd_merkle(argv, argc);
        } else {
            printf("error");
        }
        printf("\n");
    }
    return ferror(stdin) ? 1 : 0;
}
