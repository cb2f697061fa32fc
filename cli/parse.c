/* petro CLI value parsers: thin, strict wrappers over the core's parsers (petro_amount_parse,
 * petro_address_decode, petro_asset_code_check) that turn their result codes into messages
 * naming the offending argument. No value is ever rounded, truncated or guessed. */
#include "parse.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "output.h"

const char *net_kind_name(petro_net_kind net) { return net == PETRO_NET_MAIN ? "main" : "test"; }

static int address_fail(const char *what, const char *text, petro_result r) {
    if (r == PETRO_ERR_BAD_ADDRESS_CHECKSUM) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: bad address checksum (typo?)", what, text);
    }
    return cli_fail(CLI_EXIT_USAGE, "%s %s: %s (%s)", what, text, petro_result_str(r),
                    petro_result_name(r));
}

int parse_address_any(petro_pubkey *pk, petro_net_kind *kind, const char *what, const char *text) {
    size_t len = strlen(text);
    petro_result r = petro_address_decode(pk, text, len, PETRO_NET_TEST);
    if (r == PETRO_OK) {
        *kind = PETRO_NET_TEST;
        return CLI_EXIT_OK;
    }
    if (r == PETRO_ERR_WRONG_ADDRESS_PREFIX) {
        petro_result m = petro_address_decode(pk, text, len, PETRO_NET_MAIN);
        if (m == PETRO_OK) {
            *kind = PETRO_NET_MAIN;
            return CLI_EXIT_OK;
        }
        /* Neither kind: report the main-net attempt only if it got further (a checksum). */
        if (m == PETRO_ERR_BAD_ADDRESS_CHECKSUM) r = m;
    }
    return address_fail(what, text, r);
}

int parse_address(petro_pubkey *pk, petro_net_kind net, const char *what, const char *text) {
    petro_net_kind kind = net;
    int rc = parse_address_any(pk, &kind, what, text);
    if (rc != CLI_EXIT_OK) return rc;
    if (kind != net) {
        return cli_fail(CLI_EXIT_USAGE,
                        "%s %s: address is for a %s network, but the node runs a %s network "
                        "(wrong_address_prefix)",
                        what, text, net_kind_name(kind), net_kind_name(net));
    }
    return CLI_EXIT_OK;
}

static int amount_parse(petro_amount *out, const char *what, const char *text, bool allow_zero) {
    petro_amount v = 0;
    petro_result r = petro_amount_parse(&v, text, strlen(text), false);
    if (r != PETRO_OK) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: %s", what, text, petro_result_str(r));
    }
    if (v == 0 && !allow_zero) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: %s", what, text,
                        petro_result_str(PETRO_ERR_AMOUNT_ZERO));
    }
    *out = v;
    return CLI_EXIT_OK;
}

int parse_amount(petro_amount *out, const char *what, const char *text) {
    return amount_parse(out, what, text, false);
}

int parse_amount_nonneg(petro_amount *out, const char *what, const char *text) {
    return amount_parse(out, what, text, true);
}

int parse_code(char out[PETRO_ASSET_CODE_SIZE_MAX + 1], const char *what, const char *text) {
    size_t len = strlen(text);
    if (len == 0 || len > PETRO_ASSET_CODE_SIZE_MAX ||
        petro_asset_code_check(text) != PETRO_OK) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: %s", what, text,
                        petro_result_str(PETRO_ERR_BAD_ASSET_CODE));
    }
    memcpy(out, text, len + 1);
    return CLI_EXIT_OK;
}

const char *asset_issuer_text(const petro_asset *asset, const char *text) {
    if (asset->kind != PETRO_ASSET_ISSUED) return NULL;
    const char *colon = strchr(text, ':');
    return colon != NULL ? colon + 1 : NULL;
}

int parse_asset(petro_asset *out, petro_net_kind *issuer_kind, const char *what,
                const char *text) {
    if (strcmp(text, "PTR") == 0) {
        *out = petro_asset_native();
        return CLI_EXIT_OK;
    }
    const char *colon = strchr(text, ':');
    if (colon == NULL) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: an asset is PTR or CODE:ISSUER_ADDRESS", what,
                        text);
    }
    size_t code_len = (size_t)(colon - text);
    char code[PETRO_ASSET_CODE_SIZE_MAX + 1];
    if (code_len == 0 || code_len > PETRO_ASSET_CODE_SIZE_MAX) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: %s", what, text,
                        petro_result_str(PETRO_ERR_BAD_ASSET_CODE));
    }
    memcpy(code, text, code_len);
    code[code_len] = '\0';
    petro_asset asset;
    memset(&asset, 0, sizeof asset);
    int rc = parse_code(asset.code, what, code);
    if (rc != CLI_EXIT_OK) return rc;
    rc = parse_address_any(&asset.issuer, issuer_kind, what, colon + 1);
    if (rc != CLI_EXIT_OK) return rc;
    asset.kind = PETRO_ASSET_ISSUED;
    *out = asset;
    return CLI_EXIT_OK;
}

int parse_uint(uint64_t *out, const char *what, const char *text, uint64_t min, uint64_t max) {
    size_t len = strlen(text);
    if (len == 0 || len > 20 || strspn(text, "0123456789") != len) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: not a whole number", what, text);
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        uint64_t digit = (uint64_t)(text[i] - '0');
        if (v > (UINT64_MAX - digit) / 10) {
            return cli_fail(CLI_EXIT_USAGE, "%s %s: number too large", what, text);
        }
        v = v * 10 + digit;
    }
    if (v < min || v > max) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: must be between %llu and %llu", what, text,
                        (unsigned long long)min, (unsigned long long)max);
    }
    *out = v;
    return CLI_EXIT_OK;
}

int parse_uint_opt(uint64_t *out, const char *what, const char *text, uint64_t min,
                   uint64_t max) {
    return text != NULL ? parse_uint(out, what, text, min, max) : CLI_EXIT_OK;
}

int parse_hash(petro_hash *out, const char *what, const char *text) {
    size_t len = strlen(text);
    if (len != 2 * sizeof out->bytes ||
        petro_hex_decode(out->bytes, sizeof out->bytes, text, len) != PETRO_OK) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: a hash is 64 hexadecimal characters", what, text);
    }
    return CLI_EXIT_OK;
}

int parse_file_hash(petro_hash *out, const char *what, const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return cli_fail(CLI_EXIT_FAILED, "%s %s: %s", what, path, strerror(errno));
    petro_hasher h;
    petro_hasher_init(&h);
    uint8_t buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) petro_hasher_update(&h, buf, n);
    bool is_error = ferror(f) != 0;
    fclose(f);
    if (is_error) return cli_fail(CLI_EXIT_FAILED, "%s %s: read error", what, path);
    petro_hasher_final(&h, out);
    return CLI_EXIT_OK;
}

int parse_file_or_hash(petro_hash *out, const char *file_what, const char *file_text,
                       const char *hash_what, const char *hash_text) {
    if ((file_text == NULL) == (hash_text == NULL)) {
        return cli_fail(CLI_EXIT_USAGE, "give exactly one of %s FILE and %s HEX", file_what,
                        hash_what);
    }
    return file_text != NULL ? parse_file_hash(out, file_what, file_text)
                             : parse_hash(out, hash_what, hash_text);
}

uint64_t cli_now_ms(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0) return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
