/* Result names, messages and advisory HTTP statuses, generated from PETRO_RESULT_TABLE so the
 * enum, the names used by the API ("error" field), the statuses it answers with and the
 * messages can never drift apart. */
#include <string.h>

#include "internal.h"

const char *petro_result_name(petro_result r) {
    switch (r) {
#define PETRO_RESULT_NAME_(id, num, name, http, msg) \
    case id:                                         \
        return name;
        PETRO_RESULT_TABLE(PETRO_RESULT_NAME_)
#undef PETRO_RESULT_NAME_
    }
    return "unknown";
}

const char *petro_result_str(petro_result r) {
    switch (r) {
#define PETRO_RESULT_STR_(id, num, name, http, msg) \
    case id:                                        \
        return msg;
        PETRO_RESULT_TABLE(PETRO_RESULT_STR_)
#undef PETRO_RESULT_STR_
    }
    return "unknown result code";
}

int petro_result_http_status(petro_result r) {
    switch (r) {
#define PETRO_RESULT_HTTP_(id, num, name, http, msg) \
    case id:                                         \
        return http;
        PETRO_RESULT_TABLE(PETRO_RESULT_HTTP_)
#undef PETRO_RESULT_HTTP_
    }
    return 500; /* a number outside the table: the node is at fault, not the client */
}

int petro_result_is_ledger(petro_result r) {
    return (int)r >= 1 && (int)r <= 999;
}

/* A linear scan over a table of about a hundred entries: only used when parsing API
 * answers, never on a hot path. */
int petro_result_from_name(petro_result *out, const char *name) {
    static const struct {
        petro_result code;
        const char *name;
    } table[] = {
#define PETRO_RESULT_ROW_(id, num, nm, http, msg) {id, nm},
        PETRO_RESULT_TABLE(PETRO_RESULT_ROW_)
#undef PETRO_RESULT_ROW_
    };
    if (name == NULL) return 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(table[i].name, name) == 0) {
            *out = table[i].code;
            return 1;
        }
    }
    return 0;
}
