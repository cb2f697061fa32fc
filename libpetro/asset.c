/* Assets: the native PTR value, equality and the issued-code rule (1..12 of A-Z0-9, not
 * "PTR", which is reserved for the native asset). */
#include <string.h>

#include "internal.h"

petro_asset petro_asset_native(void) {
    petro_asset a;
    memset(&a, 0, sizeof a); /* no padding bleeds into copies */
    a.kind = PETRO_ASSET_NATIVE;
    memcpy(a.code, "PTR", 4);
    return a;
}

bool petro_asset_equal(const petro_asset *a, const petro_asset *b) {
    if (a->kind != b->kind) return false;
    if (a->kind == PETRO_ASSET_NATIVE) return true;
    if (strncmp(a->code, b->code, sizeof a->code) != 0) return false;
    return memcmp(a->issuer.bytes, b->issuer.bytes, sizeof a->issuer.bytes) == 0;
}

petro_result petro_asset_code_check(const char *code) {
    if (code == NULL) return PETRO_ERR_BAD_ASSET_CODE;
    size_t len = 0;
    /* Bounded: never look past 13 characters. */
    while (len <= PETRO_ASSET_CODE_SIZE_MAX && code[len] != '\0') {
        char c = code[len];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return PETRO_ERR_BAD_ASSET_CODE;
        len++;
    }
    if (len == 0 || len > PETRO_ASSET_CODE_SIZE_MAX) return PETRO_ERR_BAD_ASSET_CODE;
    if (strcmp(code, "PTR") == 0) return PETRO_ERR_BAD_ASSET_CODE;
    return PETRO_OK;
}
