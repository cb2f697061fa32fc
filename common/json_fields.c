/* JSON field helpers of the proof files (json_fields.h). */
#include "json_fields.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *jf_hex(const uint8_t *bytes, size_t n) {
    char *text = malloc(2 * n + 1);
    if (text == NULL) return NULL;
    petro_hex_encode(text, bytes, n);
    json_t *s = json_string(text);
    free(text);
    return s;
}

json_t *jf_u64(uint64_t v) {
    if (v <= (uint64_t)INT64_MAX) return json_integer((json_int_t)v);
    char text[24];
    snprintf(text, sizeof text, "%" PRIu64, v);
    return json_string(text);
}

bool jf_set(json_t *o, const char *k, json_t *v) {
    if (o == NULL || v == NULL) {
        json_decref(v);
        return false;
    }
    return json_object_set_new(o, k, v) == 0;
}

void jf_bad(jf_parser *ps, const char *field) {
    if (ps->ok && ps->why_cap > 0) snprintf(ps->why, ps->why_cap, "%s", field);
    ps->ok = false;
}

void jf_get_hex(jf_parser *ps, const json_t *o, const char *k, uint8_t *out, size_t n) {
    const char *s = json_string_value(json_object_get(o, k));
    if (s == NULL || petro_hex_decode(out, n, s, strlen(s)) != PETRO_OK) jf_bad(ps, k);
}

void jf_get_hex_var(jf_parser *ps, const json_t *o, const char *k, uint8_t *out, size_t cap,
                    size_t *size) {
    const char *s = json_string_value(json_object_get(o, k));
    size_t len = s != NULL ? strlen(s) : 1;
    *size = 0;
    if (s == NULL || len % 2 != 0 || len / 2 > cap ||
        (len > 0 && petro_hex_decode(out, len / 2, s, len) != PETRO_OK)) {
        jf_bad(ps, k);
        return;
    }
    *size = len / 2;
}

void jf_get_u64(jf_parser *ps, const json_t *o, const char *k, uint64_t *out) {
    const json_t *v = json_object_get(o, k);
    *out = 0;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return;
    }
    const char *s = json_string_value(v);
    char *end = NULL;
    if (s != NULL && s[0] >= '0' && s[0] <= '9') {
        errno = 0;
        unsigned long long x = strtoull(s, &end, 10);
        if (errno == 0 && end != NULL && *end == '\0') {
            *out = (uint64_t)x;
            return;
        }
    }
    jf_bad(ps, k);
}
