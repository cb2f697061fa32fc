/* petro CLI output: the one error line, JSON dumps, and human descriptions of the node's JSON
 * objects (an operation's phrase comes from its family's describe callback, family.h).
 * Everything the node sends is treated as untrusted text: missing or mistyped fields
 * are shown as "?" rather than trusted or dereferenced blindly. */
#include "output.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "family.h"

#define OUT_KEY_WIDTH 14

static bool g_json_errors;  /* --json: errors as JSON objects on stdout */
static bool g_json_printed; /* a JSON document is on stdout already */
static char g_error_hash[2 * sizeof(petro_hash) + 1];

void cli_output_json_errors(void) { g_json_errors = true; }

void cli_error_hash(const char *hash_hex) {
    int n = snprintf(g_error_hash, sizeof g_error_hash, "%s", hash_hex);
    if (n < 0 || (size_t)n >= sizeof g_error_hash) g_error_hash[0] = '\0';
}

/* The last "(code)" of line that names a result of result.h, into name; else the word of
 * the exit status. */
static void error_name(char *name, size_t name_size, const char *line, int status) {
    static const char *const WORDS[] = {"ok", "failed", "usage", "unreachable", "pending"};
    const char *word = status >= 0 && status <= CLI_EXIT_PENDING ? WORDS[status] : "failed";
    (void)snprintf(name, name_size, "%s", word);
    for (const char *p = strchr(line, '('); p != NULL; p = strchr(p + 1, '(')) {
        size_t len = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_");
        petro_result r;
        if (len == 0 || len >= name_size || p[1 + len] != ')') continue;
        char code[64];
        memcpy(code, p + 1, len);
        code[len] = '\0';
        if (petro_result_from_name(&r, code)) memcpy(name, code, len + 1);
    }
}

/* The error as one JSON object on stdout; false if it could not be printed. */
static bool fail_json(const char *line, int status) {
    char name[64];
    error_name(name, sizeof name, line, status);
    json_t *obj = json_pack("{s:s, s:s, s:i}", "error", name, "message", line, "exit", status);
    if (obj != NULL && g_error_hash[0] != '\0') {
        (void)json_object_set_new(obj, "hash", json_string(g_error_hash));
    }
    char *text = obj != NULL ? json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(obj);
    bool ok = text != NULL && puts(text) != EOF && fflush(stdout) == 0;
    free(text);
    g_json_printed = g_json_printed || ok;
    return ok;
}

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
    if (g_json_errors && !g_json_printed && fail_json(line, status)) return status;
    fflush(stdout);
    fprintf(stderr, "petro: %s\n", line);
    return status;
}

int out_json(const json_t *value) {
    char *text = json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (text == NULL) return cli_fail(CLI_EXIT_FAILED, "cannot serialise JSON output");
    int rc = puts(text);
    free(text);
    g_json_printed = true;
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
    bool is_known = code_name != NULL && petro_result_from_name(&r, code_name);
    /* The request codes say only that something was wrong with the request; the node's own
     * message says what (the values a parameter takes, the route that exists). */
    bool is_generic = is_known && (r == PETRO_ERR_BAD_REQUEST || r == PETRO_ERR_NOT_FOUND ||
                                   r == PETRO_ERR_UNAVAILABLE);
    if (is_generic && node_message != NULL && node_message[0] != '\0') {
        sentence = node_message;
    } else if (is_known) {
        sentence = petro_result_str(r);
    } else if (node_message != NULL && node_message[0] != '\0') {
        sentence = node_message;
    } else {
        sentence = "unknown error";
    }
    int n = snprintf(out, out_size, "%s (%s)", sentence, name);
    if (n < 0 || (size_t)n >= out_size) out[out_size - 1] = '\0';
}

void cli_phrase(char *out, size_t out_size, const char *fmt, ...) {
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

/* The family of the operation's "type" describes it (family.h); else its compact JSON. */
void describe_op(char *out, size_t out_size, const json_t *op) {
    const char *type = jstr_or(op, "type", "?");
    const cli_family *family = cli_family_of_op(type);
    if (family != NULL && family->describe != NULL && family->describe(out, out_size, op)) {
        return;
    }
    char *text = json_dumps(op, JSON_COMPACT | JSON_PRESERVE_ORDER);
    cli_phrase(out, out_size, "%s", text != NULL ? text : type);
    free(text);
}

void describe_memo(char *out, size_t out_size, const char *memo_hex) {
    uint8_t memo[PETRO_MEMO_SIZE_MAX];
    size_t hex_size = memo_hex != NULL ? strlen(memo_hex) : 0;
    if (hex_size == 0) {
        cli_phrase(out, out_size, "(none)");
        return;
    }
    size_t size = hex_size / 2;
    if (hex_size % 2 != 0 || size > sizeof memo ||
        petro_hex_decode(memo, size, memo_hex, hex_size) != PETRO_OK) {
        cli_phrase(out, out_size, "%s", memo_hex);
        return;
    }
    bool printable = true;
    for (size_t i = 0; i < size; i++) {
        if (memo[i] < 0x20 || memo[i] > 0x7e || memo[i] == '"') printable = false;
    }
    if (printable) {
        cli_phrase(out, out_size, "\"%.*s\"", (int)size, (const char *)memo);
    } else {
        cli_phrase(out, out_size, "0x%s", memo_hex);
    }
}

void describe_time_ms(char *out, size_t out_size, long long ms) {
    if (ms < 0) {
        cli_phrase(out, out_size, "?");
        return;
    }
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    if (gmtime_r(&secs, &tm) == NULL) {
        cli_phrase(out, out_size, "%lld ms", ms);
        return;
    }
    char date[32];
    if (strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
        cli_phrase(out, out_size, "%lld ms", ms);
        return;
    }
    cli_phrase(out, out_size, "%s.%03lld UTC", date, ms % 1000);
}
