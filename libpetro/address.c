/* Addresses: bech32m (BIP-350) of the 32-byte public key, human part "ptr" (main) or "tptr"
 * (test and dev). Written from the BIP text.
 *
 * Decoding tells apart the mistakes a person makes: a typo (the checksum fails), an address
 * of the other network or of another system (a valid bech32m string with another human
 * part), and text that is no address at all (characters, case, length, padding, or a
 * bech32 rather than bech32m checksum). */
#include <string.h>

#include "internal.h"

#define BECH32M_CONST UINT32_C(0x2bc830a3)
#define BECH32_CONST UINT32_C(1)
#define BECH32_TEXT_SIZE_MAX 90 /* BIP-173 */
#define CHECKSUM_SIZE 6
#define KEY_GROUPS 52 /* ceil(256 / 5) five-bit groups */
#define HRP_SIZE_MAX 83

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

_Static_assert(sizeof "tptr" - 1 + 1 + KEY_GROUPS + CHECKSUM_SIZE < PETRO_ADDRESS_SIZE_MAX,
               "address fits its buffer");

static const char *hrp_of(petro_net_kind kind) {
    return kind == PETRO_NET_MAIN ? "ptr" : "tptr";
}

static uint32_t polymod_step(uint32_t chk, uint8_t v) {
    static const uint32_t gen[5] = {UINT32_C(0x3b6a57b2), UINT32_C(0x26508e6d),
                                    UINT32_C(0x1ea119fa), UINT32_C(0x3d4233dd),
                                    UINT32_C(0x2a1462b3)};
    uint32_t top = chk >> 25;
    chk = ((chk & UINT32_C(0x1ffffff)) << 5) ^ v;
    for (unsigned i = 0; i < 5; i++) {
        if ((top >> i) & 1u) chk ^= gen[i];
    }
    return chk;
}

/* polymod over hrp_expand(hrp) || data (lower-case hrp). */
static uint32_t polymod(const char *hrp, size_t hrp_size, const uint8_t *data, size_t data_size) {
    uint32_t chk = 1;
    for (size_t i = 0; i < hrp_size; i++) chk = polymod_step(chk, (uint8_t)((uint8_t)hrp[i] >> 5));
    chk = polymod_step(chk, 0);
    for (size_t i = 0; i < hrp_size; i++) chk = polymod_step(chk, (uint8_t)((uint8_t)hrp[i] & 31u));
    for (size_t i = 0; i < data_size; i++) chk = polymod_step(chk, data[i]);
    return chk;
}

void petro_address_encode(char out[PETRO_ADDRESS_SIZE_MAX], const petro_pubkey *pk,
                          petro_net_kind kind) {
    const char *hrp = hrp_of(kind);
    size_t hrp_size = strlen(hrp);
    uint8_t data[KEY_GROUPS + CHECKSUM_SIZE];
    /* 8-bit to 5-bit groups, most significant bits first, zero padding at the end. */
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < sizeof pk->bytes; i++) {
        acc = (acc << 8) | pk->bytes[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            data[n++] = (uint8_t)((acc >> bits) & 31u);
        }
        acc &= (UINT32_C(1) << bits) - 1u;
    }
    if (bits > 0) data[n++] = (uint8_t)((acc << (5 - bits)) & 31u);
    PETRO_ASSERT(n == KEY_GROUPS);
    memset(data + KEY_GROUPS, 0, CHECKSUM_SIZE);
    uint32_t mod = polymod(hrp, hrp_size, data, sizeof data) ^ BECH32M_CONST;
    for (size_t i = 0; i < CHECKSUM_SIZE; i++) {
        data[KEY_GROUPS + i] = (uint8_t)((mod >> (5 * (CHECKSUM_SIZE - 1 - i))) & 31u);
    }
    size_t len = 0;
    memcpy(out, hrp, hrp_size);
    len += hrp_size;
    out[len++] = '1';
    for (size_t i = 0; i < sizeof data; i++) out[len++] = charset[data[i]];
    out[len] = '\0';
}

static int charset_index(char c) {
    const char *p = c == '\0' ? NULL : strchr(charset, c);
    return p == NULL ? -1 : (int)(p - charset);
}

/* 5-bit groups back to the 32 key bytes; false if the padding bits are not zero. */
static bool groups_to_key(petro_pubkey *pk, const uint8_t *groups) {
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < KEY_GROUPS; i++) {
        acc = (acc << 5) | groups[i];
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            pk->bytes[n++] = (uint8_t)((acc >> bits) & 0xffu);
        }
        acc &= (UINT32_C(1) << bits) - 1u;
    }
    /* 260 bits read, 256 used: the last 4 bits are padding and must be zero. */
    return n == sizeof pk->bytes && bits == 4 && acc == 0;
}

petro_result petro_address_decode(petro_pubkey *pk, const char *text, size_t text_size,
                                  petro_net_kind kind) {
    if (text == NULL || text_size < 1 + 1 + CHECKSUM_SIZE || text_size > BECH32_TEXT_SIZE_MAX) {
        return PETRO_ERR_BAD_ADDRESS;
    }
    char lower[BECH32_TEXT_SIZE_MAX];
    bool has_lower = false, has_upper = false;
    size_t sep = text_size; /* position of the last '1' */
    for (size_t i = 0; i < text_size; i++) {
        char c = text[i];
        if (c < 33 || c > 126) return PETRO_ERR_BAD_ADDRESS;
        if (c >= 'a' && c <= 'z') has_lower = true;
        if (c >= 'A' && c <= 'Z') {
            has_upper = true;
            c = (char)(c - 'A' + 'a');
        }
        if (c == '1') sep = i;
        lower[i] = c;
    }
    if (has_lower && has_upper) return PETRO_ERR_BAD_ADDRESS;
    if (sep == text_size || sep < 1 || sep > HRP_SIZE_MAX) return PETRO_ERR_BAD_ADDRESS;
    size_t hrp_size = sep;
    size_t data_size = text_size - sep - 1;
    if (data_size < CHECKSUM_SIZE) return PETRO_ERR_BAD_ADDRESS;
    uint8_t data[BECH32_TEXT_SIZE_MAX];
    for (size_t i = 0; i < data_size; i++) {
        int v = charset_index(lower[sep + 1 + i]);
        if (v < 0) return PETRO_ERR_BAD_ADDRESS;
        data[i] = (uint8_t)v;
    }

    const char *want = hrp_of(kind);
    const char *other = hrp_of(kind == PETRO_NET_MAIN ? PETRO_NET_TEST : PETRO_NET_MAIN);
    bool is_want = hrp_size == strlen(want) && memcmp(lower, want, hrp_size) == 0;
    bool is_other = hrp_size == strlen(other) && memcmp(lower, other, hrp_size) == 0;
    /* A Petro address of the wrong length is truncated or padded, not mistyped. */
    if ((is_want || is_other) && data_size != KEY_GROUPS + CHECKSUM_SIZE) {
        return PETRO_ERR_BAD_ADDRESS;
    }

    uint32_t mod = polymod(lower, hrp_size, data, data_size);
    if (mod == BECH32_CONST) return PETRO_ERR_BAD_ADDRESS; /* bech32, not bech32m */
    if (mod != BECH32M_CONST) return PETRO_ERR_BAD_ADDRESS_CHECKSUM;

    petro_pubkey key;
    if (is_want || is_other) {
        if (!groups_to_key(&key, data)) return PETRO_ERR_BAD_ADDRESS;
    }
    if (!is_want) return PETRO_ERR_WRONG_ADDRESS_PREFIX; /* other network, or not Petro */
    *pk = key;
    return PETRO_OK;
}
