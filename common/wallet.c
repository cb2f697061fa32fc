/* Wallet files: one Ed25519 key per JSON file, shared by the petro CLI and petrod's devnet
 * bootstrap (which writes the demo wallets).
 *
 * Design. A wallet stores the 32-byte Ed25519 seed and the public key; addresses are derived
 * at use time because the same key has a ptr1 (main) and a tptr1 (test) address. Two forms:
 *
 *   encrypted: {"petro_wallet": 1, "name": "...", "public_key": "<hex32>",
 *               "kdf": {"alg": "argon2id13", "opslimit": N, "memlimit": N, "salt": "<hex16>"},
 *               "cipher": {"alg": "xchacha20poly1305-ietf", "nonce": "<hex24>",
 *                          "ciphertext": "<hex48>"}}
 *     The seed is sealed with XChaCha20-Poly1305 under a key derived from the passphrase
 *     with Argon2id; the public key is the associated data, so swapping the public key of a
 *     file makes decryption fail instead of silently signing with another key.
 *   devnet:    {"petro_wallet": 1, "name": "...", "public_key": "<hex32>",
 *               "address": "tptr1...", "devnet_only": true, "seed": "<hex32>"}
 *     "address" is informational (devnet wallets are only for test networks); when present it
 *     is checked on read like the public key.
 *
 * Invariants: the seed and secret key exist only in sodium_malloc'd memory and are wiped on
 * every path (including the serialised document, which is built by hand in sodium memory
 * rather than through jansson's heap). A file is written to a temporary file in the same
 * directory, fsync'd, and then linked (exclusive: fails if the target exists) or renamed
 * (overwrite) into place, and the directory is fsync'd (file_publish, file.h), so a crash
 * leaves either the old file or the complete new one. A read never leaves a partially filled key behind. */
#include "wallet.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "file.h"

#define WALLET_VERSION 1
#define WALLET_SEED_SIZE 32
#define WALLET_FILE_SIZE_MAX 65536 /* a wallet is ~600 bytes; anything larger is not one */
#define WALLET_DOC_SIZE_MAX 4096
#define WALLET_KDF_ALG "argon2id13"
#define WALLET_CIPHER_ALG "xchacha20poly1305-ietf"
#define WALLET_KEY_SIZE crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define WALLET_NONCE_SIZE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define WALLET_MAC_SIZE crypto_aead_xchacha20poly1305_ietf_ABYTES
#define WALLET_SALT_SIZE crypto_pwhash_SALTBYTES
#define WALLET_CT_SIZE (WALLET_SEED_SIZE + WALLET_MAC_SIZE)
#define WALLET_NAME_SIZE_MAX (sizeof(((wallet_key *)0)->name) - 1)

_Static_assert(WALLET_KEY_SIZE == 32, "xchacha20poly1305 key size");
_Static_assert(sizeof(petro_seckey) == 64, "seckey is seed || public key");

/* A hostile file must not make us burn minutes of CPU or gigabytes of memory: KDF parameters
 * read from a file are accepted only within [MIN, SENSITIVE]. */
#define WALLET_OPSLIMIT_MAX crypto_pwhash_OPSLIMIT_SENSITIVE
#define WALLET_MEMLIMIT_MAX crypto_pwhash_MEMLIMIT_SENSITIVE

/* Programmer errors only (NULL arguments); never reached by file contents. */
#define WALLET_ASSERT(cond)                                                                   \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d %s: assertion failed: %s\n", __FILE__, __LINE__, __func__, \
                    #cond);                                                                   \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

/* ------------------------------------------------------------------ keys */

/* Check a wallet name: 0..63 bytes of valid UTF-8 without control characters. */
static petro_result name_check(const char *name) {
    size_t len = strlen(name);
    if (len > WALLET_NAME_SIZE_MAX) return PETRO_ERR_BAD_REQUEST;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f) return PETRO_ERR_BAD_REQUEST;
    }
    json_t *probe = json_stringn(name, len); /* NULL iff not valid UTF-8 */
    if (probe == NULL) return PETRO_ERR_BAD_REQUEST;
    json_decref(probe);
    return PETRO_OK;
}

/* Derive the key pair from seed into a fresh sodium_malloc'd secret key. */
static petro_result key_from_seed(petro_pubkey *pk, petro_seckey **sk_out, const uint8_t *seed) {
    *sk_out = NULL;
    petro_seckey *sk = sodium_malloc(sizeof *sk);
    if (sk == NULL) return PETRO_ERR_NOMEM;
    petro_result r = petro_keypair_from_seed(pk, sk, seed);
    if (r != PETRO_OK) {
        sodium_free(sk);
        return r;
    }
    *sk_out = sk;
    return PETRO_OK;
}

petro_result wallet_key_generate(wallet_key *key, const char *name) {
    WALLET_ASSERT(key != NULL);
    memset(key, 0, sizeof *key);
    if (name == NULL) name = "";
    petro_result r = name_check(name);
    if (r != PETRO_OK) return r;
    if (petro_crypto_init() != PETRO_OK) return PETRO_ERR_CRYPTO;

    uint8_t *seed = sodium_malloc(WALLET_SEED_SIZE);
    if (seed == NULL) return PETRO_ERR_NOMEM;
    randombytes_buf(seed, WALLET_SEED_SIZE);
    r = key_from_seed(&key->pk, &key->sk, seed);
    sodium_free(seed); /* sodium_free wipes before releasing */
    if (r != PETRO_OK) {
        memset(key, 0, sizeof *key);
        return r;
    }
    memcpy(key->name, name, strlen(name) + 1);
    key->is_devnet = false;
    return PETRO_OK;
}

void wallet_key_deinit(wallet_key *key) {
    if (key == NULL) return;
    if (key->sk != NULL) sodium_free(key->sk);
    sodium_memzero(key, sizeof *key);
}

/* ------------------------------------------------------------------ writing */

/* Append formatted text to a fixed buffer; false if it did not fit. */
static bool doc_append(char *doc, size_t *used, const char *text) {
    size_t len = strlen(text);
    if (len >= WALLET_DOC_SIZE_MAX - *used) return false;
    memcpy(doc + *used, text, len + 1);
    *used += len;
    return true;
}

/* Append "name": "<escaped>" using jansson's string escaping (the name is not secret). */
static petro_result doc_append_name(char *doc, size_t *used, const char *name) {
    json_t *s = json_string(name);
    if (s == NULL) return PETRO_ERR_BAD_REQUEST;
    char *quoted = json_dumps(s, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(s);
    if (quoted == NULL) return PETRO_ERR_NOMEM;
    bool ok = doc_append(doc, used, "  \"name\": ") && doc_append(doc, used, quoted) &&
              doc_append(doc, used, ",\n");
    free(quoted);
    return ok ? PETRO_OK : PETRO_ERR_BUFFER_TOO_SMALL;
}

/* Body of the devnet form (after the name). seed_hex lives in sodium memory. */
static petro_result doc_devnet(char *doc, size_t *used, const wallet_key *key) {
    char pk_hex[65];
    char address[PETRO_ADDRESS_SIZE_MAX];
    petro_hex_encode(pk_hex, key->pk.bytes, sizeof key->pk.bytes);
    petro_address_encode(address, &key->pk, PETRO_NET_TEST);
    char *seed_hex = sodium_malloc(2 * WALLET_SEED_SIZE + 1);
    if (seed_hex == NULL) return PETRO_ERR_NOMEM;
    petro_hex_encode(seed_hex, key->sk->bytes, WALLET_SEED_SIZE);
    bool ok = doc_append(doc, used, "  \"public_key\": \"") && doc_append(doc, used, pk_hex) &&
              doc_append(doc, used, "\",\n  \"address\": \"") && doc_append(doc, used, address) &&
              doc_append(doc, used, "\",\n  \"devnet_only\": true,\n  \"seed\": \"") &&
              doc_append(doc, used, seed_hex) && doc_append(doc, used, "\"\n}\n");
    sodium_free(seed_hex);
    return ok ? PETRO_OK : PETRO_ERR_BUFFER_TOO_SMALL;
}

/* Body of the encrypted form (after the name). */
static petro_result doc_encrypted(char *doc, size_t *used, const wallet_key *key,
                                  const char *passphrase) {
    uint8_t salt[WALLET_SALT_SIZE];
    uint8_t nonce[WALLET_NONCE_SIZE];
    uint8_t ct[WALLET_CT_SIZE];
    randombytes_buf(salt, sizeof salt);
    randombytes_buf(nonce, sizeof nonce);
    unsigned long long opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    size_t memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

    uint8_t *aead_key = sodium_malloc(WALLET_KEY_SIZE);
    if (aead_key == NULL) return PETRO_ERR_NOMEM;
    if (crypto_pwhash(aead_key, WALLET_KEY_SIZE, passphrase, strlen(passphrase), salt, opslimit,
                      memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        sodium_free(aead_key);
        return PETRO_ERR_NOMEM; /* libsodium fails here only when it cannot get the memory */
    }
    unsigned long long ct_size = 0;
    int rc = crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &ct_size, key->sk->bytes,
                                                        WALLET_SEED_SIZE, key->pk.bytes,
                                                        sizeof key->pk.bytes, NULL, nonce,
                                                        aead_key);
    sodium_free(aead_key);
    if (rc != 0 || ct_size != WALLET_CT_SIZE) return PETRO_ERR_CRYPTO;

    char pk_hex[65], salt_hex[2 * WALLET_SALT_SIZE + 1], nonce_hex[2 * WALLET_NONCE_SIZE + 1];
    char ct_hex[2 * WALLET_CT_SIZE + 1];
    petro_hex_encode(pk_hex, key->pk.bytes, sizeof key->pk.bytes);
    petro_hex_encode(salt_hex, salt, sizeof salt);
    petro_hex_encode(nonce_hex, nonce, sizeof nonce);
    petro_hex_encode(ct_hex, ct, sizeof ct);
    char kdf[160];
    int n = snprintf(kdf, sizeof kdf, "\"opslimit\": %llu, \"memlimit\": %zu", opslimit, memlimit);
    if (n < 0 || (size_t)n >= sizeof kdf) return PETRO_ERR_BUFFER_TOO_SMALL;
    bool ok = doc_append(doc, used, "  \"public_key\": \"") && doc_append(doc, used, pk_hex) &&
              doc_append(doc, used, "\",\n  \"kdf\": {\"alg\": \"" WALLET_KDF_ALG "\", ") &&
              doc_append(doc, used, kdf) && doc_append(doc, used, ", \"salt\": \"") &&
              doc_append(doc, used, salt_hex) &&
              doc_append(doc, used, "\"},\n  \"cipher\": {\"alg\": \"" WALLET_CIPHER_ALG
                                    "\", \"nonce\": \"") &&
              doc_append(doc, used, nonce_hex) && doc_append(doc, used, "\", \"ciphertext\": \"") &&
              doc_append(doc, used, ct_hex) && doc_append(doc, used, "\"}\n}\n");
    return ok ? PETRO_OK : PETRO_ERR_BUFFER_TOO_SMALL;
}

petro_result wallet_write(const char *path, const wallet_key *key, const char *passphrase,
                          bool overwrite) {
    WALLET_ASSERT(path != NULL);
    WALLET_ASSERT(key != NULL);
    WALLET_ASSERT(key->sk != NULL);
    if (petro_crypto_init() != PETRO_OK) return PETRO_ERR_CRYPTO;
    if (memchr(key->name, '\0', sizeof key->name) == NULL) return PETRO_ERR_BAD_REQUEST;
    petro_result r = name_check(key->name);
    if (r != PETRO_OK) return r;

    char *doc = sodium_malloc(WALLET_DOC_SIZE_MAX);
    if (doc == NULL) return PETRO_ERR_NOMEM;
    doc[0] = '\0';
    size_t used = 0;
    r = doc_append(doc, &used, "{\n  \"petro_wallet\": 1,\n") ? PETRO_OK
                                                               : PETRO_ERR_BUFFER_TOO_SMALL;
    if (r == PETRO_OK) r = doc_append_name(doc, &used, key->name);
    if (r == PETRO_OK) {
        r = passphrase == NULL ? doc_devnet(doc, &used, key)
                               : doc_encrypted(doc, &used, key, passphrase);
    }
    if (r == PETRO_OK) r = file_publish(path, doc, used, overwrite);
    int saved = errno;
    sodium_free(doc);
    errno = saved;
    return r;
}

/* ------------------------------------------------------------------ reading */

/* Load and parse the file. The raw bytes are read into sodium memory and wiped. */
static petro_result load_json(json_t **out, const char *path) {
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PETRO_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        (void)close(fd);
        errno = saved;
        return PETRO_ERR_IO;
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > WALLET_FILE_SIZE_MAX) {
        (void)close(fd);
        return PETRO_ERR_BAD_REQUEST;
    }
    size_t cap = (size_t)st.st_size;
    char *buf = sodium_malloc(cap);
    if (buf == NULL) {
        (void)close(fd);
        return PETRO_ERR_NOMEM;
    }
    size_t size = 0;
    while (size < cap) {
        ssize_t n = read(fd, buf + size, cap - size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int saved = errno;
            sodium_free(buf);
            (void)close(fd);
            errno = saved;
            return PETRO_ERR_IO;
        }
        if (n == 0) break;
        size += (size_t)n;
    }
    (void)close(fd); /* read-only descriptor */
    json_error_t err;
    json_t *root = json_loadb(buf, size, JSON_REJECT_DUPLICATES, &err);
    sodium_free(buf);
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        return PETRO_ERR_BAD_REQUEST;
    }
    json_t *version = json_object_get(root, "petro_wallet");
    if (!json_is_integer(version) || json_integer_value(version) != WALLET_VERSION) {
        json_decref(root);
        return PETRO_ERR_BAD_REQUEST;
    }
    *out = root;
    return PETRO_OK;
}

/* Decode the hex string member `name` of obj into exactly size bytes. */
static petro_result get_hex(uint8_t *out, size_t size, const json_t *obj, const char *name) {
    const json_t *v = json_object_get(obj, name);
    if (!json_is_string(v)) return PETRO_ERR_BAD_REQUEST;
    return petro_hex_decode(out, size, json_string_value(v), json_string_length(v)) == PETRO_OK
               ? PETRO_OK
               : PETRO_ERR_BAD_REQUEST;
}

/* Which form a parsed wallet is: devnet when "devnet_only" is true and a seed is present,
 * encrypted when kdf and cipher objects are present. */
static petro_result classify(const json_t *root, bool *is_devnet) {
    const json_t *devnet = json_object_get(root, "devnet_only");
    if (json_is_true(devnet)) {
        if (!json_is_string(json_object_get(root, "seed"))) return PETRO_ERR_BAD_REQUEST;
        *is_devnet = true;
        return PETRO_OK;
    }
    if (devnet != NULL && !json_is_false(devnet)) return PETRO_ERR_BAD_REQUEST;
    if (!json_is_object(json_object_get(root, "kdf")) ||
        !json_is_object(json_object_get(root, "cipher"))) {
        return PETRO_ERR_BAD_REQUEST;
    }
    *is_devnet = false;
    return PETRO_OK;
}

petro_result wallet_probe(const char *path, bool *is_devnet) {
    WALLET_ASSERT(path != NULL);
    WALLET_ASSERT(is_devnet != NULL);
    *is_devnet = false;
    json_t *root = NULL;
    petro_result r = load_json(&root, path);
    if (r != PETRO_OK) return r;
    r = classify(root, is_devnet);
    json_decref(root);
    return r;
}

/* Decrypt the sealed seed of an encrypted wallet into seed (sodium memory). */
static petro_result open_sealed(uint8_t *seed, const json_t *root, const petro_pubkey *pk,
                                const char *passphrase) {
    const json_t *kdf = json_object_get(root, "kdf");
    const json_t *cipher = json_object_get(root, "cipher");
    const json_t *kdf_alg = json_object_get(kdf, "alg");
    const json_t *cipher_alg = json_object_get(cipher, "alg");
    const json_t *ops = json_object_get(kdf, "opslimit");
    const json_t *mem = json_object_get(kdf, "memlimit");
    if (!json_is_string(kdf_alg) || strcmp(json_string_value(kdf_alg), WALLET_KDF_ALG) != 0 ||
        !json_is_string(cipher_alg) ||
        strcmp(json_string_value(cipher_alg), WALLET_CIPHER_ALG) != 0 ||
        !json_is_integer(ops) || !json_is_integer(mem)) {
        return PETRO_ERR_BAD_REQUEST;
    }
    json_int_t opslimit = json_integer_value(ops);
    json_int_t memlimit = json_integer_value(mem);
    if (opslimit < (json_int_t)crypto_pwhash_OPSLIMIT_MIN ||
        opslimit > (json_int_t)WALLET_OPSLIMIT_MAX ||
        memlimit < (json_int_t)crypto_pwhash_MEMLIMIT_MIN ||
        memlimit > (json_int_t)WALLET_MEMLIMIT_MAX) {
        return PETRO_ERR_BAD_REQUEST;
    }
    uint8_t salt[WALLET_SALT_SIZE], nonce[WALLET_NONCE_SIZE], ct[WALLET_CT_SIZE];
    if (get_hex(salt, sizeof salt, kdf, "salt") != PETRO_OK ||
        get_hex(nonce, sizeof nonce, cipher, "nonce") != PETRO_OK ||
        get_hex(ct, sizeof ct, cipher, "ciphertext") != PETRO_OK) {
        return PETRO_ERR_BAD_REQUEST;
    }
    if (passphrase == NULL) return PETRO_ERR_BAD_PASSPHRASE;

    uint8_t *aead_key = sodium_malloc(WALLET_KEY_SIZE);
    if (aead_key == NULL) return PETRO_ERR_NOMEM;
    if (crypto_pwhash(aead_key, WALLET_KEY_SIZE, passphrase, strlen(passphrase), salt,
                      (unsigned long long)opslimit, (size_t)memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        sodium_free(aead_key);
        return PETRO_ERR_NOMEM;
    }
    unsigned long long seed_size = 0;
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(seed, &seed_size, NULL, ct, sizeof ct,
                                                        pk->bytes, sizeof pk->bytes, nonce,
                                                        aead_key);
    sodium_free(aead_key);
    if (rc != 0 || seed_size != WALLET_SEED_SIZE) {
        sodium_memzero(seed, WALLET_SEED_SIZE);
        return PETRO_ERR_BAD_PASSPHRASE;
    }
    return PETRO_OK;
}

/* Copy the devnet seed out of the document and wipe jansson's copy of it. */
static petro_result open_devnet(uint8_t *seed, json_t *root, const petro_pubkey *pk) {
    json_t *seed_json = json_object_get(root, "seed");
    petro_result r = get_hex(seed, WALLET_SEED_SIZE, root, "seed");
    if (json_is_string(seed_json)) {
        /* jansson owns a heap copy of the hex seed; scrub it before it is freed. */
        sodium_memzero((char *)(uintptr_t)json_string_value(seed_json),
                       json_string_length(seed_json));
    }
    if (r != PETRO_OK) return r;
    const json_t *address = json_object_get(root, "address");
    if (address != NULL) {
        if (!json_is_string(address)) return PETRO_ERR_BAD_REQUEST;
        petro_pubkey stored;
        petro_result a = petro_address_decode(&stored, json_string_value(address),
                                              json_string_length(address), PETRO_NET_TEST);
        if (a != PETRO_OK) return PETRO_ERR_BAD_REQUEST;
        if (!petro_pubkey_equal(&stored, pk)) return PETRO_ERR_CORRUPT;
    }
    return PETRO_OK;
}

petro_result wallet_read(wallet_key *key, const char *path, const char *passphrase) {
    WALLET_ASSERT(key != NULL);
    WALLET_ASSERT(path != NULL);
    if (petro_crypto_init() != PETRO_OK) return PETRO_ERR_CRYPTO;
    json_t *root = NULL;
    petro_result r = load_json(&root, path);
    if (r != PETRO_OK) return r;

    bool is_devnet = false;
    petro_pubkey stored_pk;
    const json_t *name = json_object_get(root, "name");
    r = classify(root, &is_devnet);
    if (r == PETRO_OK &&
        (!json_is_string(name) || name_check(json_string_value(name)) != PETRO_OK ||
         strlen(json_string_value(name)) != json_string_length(name))) {
        r = PETRO_ERR_BAD_REQUEST;
    }
    if (r == PETRO_OK) r = get_hex(stored_pk.bytes, sizeof stored_pk.bytes, root, "public_key");

    uint8_t *seed = sodium_malloc(WALLET_SEED_SIZE);
    if (seed == NULL && r == PETRO_OK) r = PETRO_ERR_NOMEM;
    if (r == PETRO_OK) {
        r = is_devnet ? open_devnet(seed, root, &stored_pk)
                      : open_sealed(seed, root, &stored_pk, passphrase);
    }
    petro_pubkey pk;
    petro_seckey *sk = NULL;
    if (r == PETRO_OK) r = key_from_seed(&pk, &sk, seed);
    if (seed != NULL) sodium_free(seed);
    if (r == PETRO_OK && sodium_memcmp(pk.bytes, stored_pk.bytes, sizeof pk.bytes) != 0) {
        r = PETRO_ERR_CORRUPT;
    }
    if (r != PETRO_OK) {
        if (sk != NULL) sodium_free(sk);
        json_decref(root);
        return r;
    }
    memset(key, 0, sizeof *key);
    key->pk = pk;
    key->sk = sk;
    memcpy(key->name, json_string_value(name), json_string_length(name) + 1);
    key->is_devnet = is_devnet;
    json_decref(root);
    return PETRO_OK;
}
