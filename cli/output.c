/* petro CLI output: the one error line, JSON dumps, and human descriptions of the node's JSON
 * objects. Everything the node sends is treated as untrusted text: missing or mistyped fields
 * are shown as "?" rather than trusted or dereferenced blindly. */
#include "output.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define OUT_KEY_WIDTH 14

int cli_fail(int status, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) {
        static const char fallback[] = "(could not format the error message)";
        memcpy(line, fallback, sizeof fallback);
    } else if ((size_t)n >= sizeof line) {
        memcpy(line + sizeof line - 4, "...", 4); /* a reason this long is cut visibly */
    }
    for (char *p = line; *p != '\0'; p++) {
        if (*p == '\n' || *p == '\r') *p = ' ';
    }
    fflush(stdout);
    fprintf(stderr, "petro: %s\n", line);
    return status;
}

int out_json(const json_t *value) {
    char *text = json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (text == NULL) return cli_fail(CLI_EXIT_FAILED, "cannot serialise JSON output");
    int rc = puts(text);
    free(text);
    if (rc == EOF) return cli_fail(CLI_EXIT_FAILED, "cannot write to standard output");
    return CLI_EXIT_OK;
}

void out_kv(const char *key, const char *fmt, ...) {
    printf("%-*s ", OUT_KEY_WIDTH, key);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

const char *jstr(const json_t *obj, const char *key) {
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *jstr_or(const json_t *obj, const char *key, const char *fallback) {
    const char *s = jstr(obj, key);
    return s != NULL ? s : fallback;
}

bool jint(const json_t *obj, const char *key, long long *out) {
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v)) return false;
    *out = (long long)json_integer_value(v);
    return true;
}

bool jbool(const json_t *obj, const char *key, bool *out) {
    const json_t *v = json_object_get(obj, key);
    if (!json_is_boolean(v)) return false;
    *out = json_is_true(v);
    return true;
}

void describe_code(char *out, size_t out_size, const char *code_name, const char *node_message) {
    petro_result r = PETRO_OK;
    const char *name = code_name != NULL ? code_name : "unknown";
    const char *sentence = NULL;
    if (code_name != NULL && petro_result_from_name(&r, code_name)) {
        sentence = petro_result_str(r);
    } else if (node_message != NULL && node_message[0] != '\0') {
        sentence = node_message;
    } else {
        sentence = "unknown error";
    }
    int n = snprintf(out, out_size, "%s (%s)", sentence, name);
    if (n < 0 || (size_t)n >= out_size) out[out_size - 1] = '\0';
}

/* Format a phrase into out; truncation is acceptable for display only and is marked. */
static void phrase(char *out, size_t out_size, const char *fmt, ...) CLI_PRINTF(3, 4);
static void phrase(char *out, size_t out_size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, out_size, fmt, ap);
    va_end(ap);
    if (n < 0) {
        out[0] = '\0';
    } else if ((size_t)n >= out_size && out_size > 4) {
        memcpy(out + out_size - 4, "...", 4);
    }
}

static long long jint_or(const json_t *obj, const char *key, long long fallback) {
    long long v = 0;
    return jint(obj, key, &v) ? v : fallback;
}

void describe_op(char *out, size_t out_size, const json_t *op) {
    const char *type = jstr_or(op, "type", "?");
    if (strcmp(type, "payment") == 0) {
        phrase(out, out_size, "pay %s %s to %s", jstr_or(op, "amount", "?"),
               jstr_or(op, "asset", "?"), jstr_or(op, "destination", "?"));
    } else if (strcmp(type, "create_account") == 0) {
        phrase(out, out_size, "create account %s with %s PTR", jstr_or(op, "destination", "?"),
               jstr_or(op, "starting_balance", "?"));
    } else if (strcmp(type, "set_signer") == 0) {
        long long w = jint_or(op, "weight", -1);
        if (w == 0) {
            phrase(out, out_size, "remove signer %s", jstr_or(op, "signer", "?"));
        } else {
            phrase(out, out_size, "set signer %s weight %lld", jstr_or(op, "signer", "?"), w);
        }
    } else if (strcmp(type, "set_thresholds") == 0) {
        phrase(out, out_size,
               "set thresholds: master weight %lld, low %lld, medium %lld, high %lld",
               jint_or(op, "master_weight", -1), jint_or(op, "low", -1),
               jint_or(op, "medium", -1), jint_or(op, "high", -1));
    } else if (strcmp(type, "create_asset") == 0) {
        const json_t *flags = json_object_get(op, "flags");
        bool auth = false, revocable = false;
        (void)jbool(flags, "auth_required", &auth);
        (void)jbool(flags, "revocable", &revocable);
        phrase(out, out_size, "create asset %s%s%s", jstr_or(op, "code", "?"),
               auth ? ", authorisation required" : "", revocable ? ", revocable" : "");
    } else if (strcmp(type, "change_trust") == 0) {
        const char *limit = jstr_or(op, "limit", "?");
        if (strcmp(limit, "0") == 0) {
            phrase(out, out_size, "remove trust line for %s", jstr_or(op, "asset", "?"));
        } else {
            phrase(out, out_size, "trust %s up to %s", jstr_or(op, "asset", "?"), limit);
        }
    } else if (strcmp(type, "authorize_trust") == 0) {
        bool yes = false;
        const json_t *a = json_object_get(op, "authorize");
        yes = json_is_true(a) || (json_is_integer(a) && json_integer_value(a) != 0);
        phrase(out, out_size, "%s %s to hold %s", yes ? "authorise" : "revoke authorisation of",
               jstr_or(op, "trustor", "?"), jstr_or(op, "code", "?"));
    } else if (strcmp(type, "issue") == 0) {
        phrase(out, out_size, "issue %s %s to %s", jstr_or(op, "amount", "?"),
               jstr_or(op, "code", "?"), jstr_or(op, "destination", "?"));
    } else if (strcmp(type, "redeem") == 0) {
        phrase(out, out_size, "redeem %s %s", jstr_or(op, "amount", "?"),
               jstr_or(op, "asset", "?"));
    } else {
        char *text = json_dumps(op, JSON_COMPACT | JSON_PRESERVE_ORDER);
        phrase(out, out_size, "%s", text != NULL ? text : type);
        free(text);
    }
}

void describe_memo(char *out, size_t out_size, const char *memo_hex) {
    uint8_t memo[PETRO_MEMO_SIZE_MAX];
    size_t hex_size = memo_hex != NULL ? strlen(memo_hex) : 0;
    if (hex_size == 0) {
        phrase(out, out_size, "(none)");
        return;
    }
    size_t size = hex_size / 2;
    if (hex_size % 2 != 0 || size > sizeof memo ||
        petro_hex_decode(memo, size, memo_hex, hex_size) != PETRO_OK) {
        phrase(out, out_size, "%s", memo_hex);
        return;
    }
    bool printable = true;
    for (size_t i = 0; i < size; i++) {
        if (memo[i] < 0x20 || memo[i] > 0x7e || memo[i] == '"') printable = false;
    }
    if (printable) {
        phrase(out, out_size, "\"%.*s\"", (int)size, (const char *)memo);
    } else {
        phrase(out, out_size, "0x%s", memo_hex);
    }
}

void describe_time_ms(char *out, size_t out_size, long long ms) {
    if (ms < 0) {
        phrase(out, out_size, "?");
        return;
    }
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    if (gmtime_r(&secs, &tm) == NULL) {
        phrase(out, out_size, "%lld ms", ms);
        return;
    }
    char date[32];
    if (strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
        phrase(out, out_size, "%lld ms", ms);
        return;
    }
    phrase(out, out_size, "%s.%03lld UTC", date, ms % 1000);
}
