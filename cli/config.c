/* petro CLI saved settings (issue #18): `petro config set node URL` once, instead of --node
 * or PETRO_NODE on every command.
 *
 *   petro config [show]            every setting, its value and where it comes from
 *   petro config get KEY           the saved value
 *   petro config set KEY VALUE     save it
 *   petro config unset KEY         forget it
 *
 * The file is $XDG_CONFIG_HOME/petro/config.json, else ~/.config/petro/config.json: one JSON
 * object, {"node": URL, "wallets": DIR}. Keys this petro does not know are kept when the file
 * is rewritten. It is written whole to a temporary file (mode 0600) in the same directory,
 * fsync'd and renamed over the old one, so a crash leaves the old file or the new one.
 *
 * Precedence, decided by cli_config_load (main.c): --node, else PETRO_NODE, else the saved
 * node, else the default; PETRO_WALLETS, else the saved wallets, else ./devnet/wallets
 * (names.c). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "file.h"
#include "output.h"

#define CONFIG_DIR_MODE 0700

/* ------------------------------------------------------------------ reading */

static bool copy_text(char *out, size_t out_size, const char *text) {
    int n = snprintf(out, out_size, "%s", text);
    return n >= 0 && (size_t)n < out_size;
}

/* The directory of the file, $XDG_CONFIG_HOME/petro or $HOME/.config/petro, into out. */
static bool config_dir(char *out, size_t out_size, const char *xdg, const char *home) {
    int n = -1;
    if (xdg != NULL && xdg[0] == '/') {
        n = snprintf(out, out_size, "%s/petro", xdg);
    } else if (home != NULL && home[0] != '\0') {
        n = snprintf(out, out_size, "%s/.config/petro", home);
    }
    return n >= 0 && (size_t)n < out_size;
}

/* One string member of the file into out ("" when absent); false, with s->error, when it is
 * not a string or too long. */
static bool read_member(cli_settings *s, const json_t *root, const char *key, char *out,
                        size_t out_size) {
    const json_t *v = json_object_get(root, key);
    if (v == NULL) return true;
    if (!json_is_string(v) || !copy_text(out, out_size, json_string_value(v))) {
        (void)snprintf(s->error, sizeof s->error, "%s: \"%s\" is not a string of at most %zu "
                       "bytes", s->path, key, out_size - 1);
        out[0] = '\0';
        return false;
    }
    return true;
}

void cli_settings_load(cli_settings *s, const char *xdg_config_home, const char *home) {
    memset(s, 0, sizeof *s);
    char dir[CLI_PATH_SIZE_MAX];
    if (!config_dir(dir, sizeof dir, xdg_config_home, home)) return;
    int n = snprintf(s->path, sizeof s->path, "%s/config.json", dir);
    if (n < 0 || (size_t)n >= sizeof s->path) {
        s->path[0] = '\0';
        return;
    }
    json_error_t err;
    json_t *root = json_load_file(s->path, JSON_REJECT_DUPLICATES, &err);
    if (root == NULL) {
        if (access(s->path, F_OK) != 0 && errno == ENOENT) return; /* nothing saved */
        (void)snprintf(s->error, sizeof s->error, "%s: line %d: %s", s->path, err.line,
                       err.text);
        return;
    }
    if (!json_is_object(root)) {
        (void)snprintf(s->error, sizeof s->error, "%s: not a JSON object", s->path);
    } else if (read_member(s, root, "node", s->node, sizeof s->node)) {
        (void)read_member(s, root, "wallets", s->wallets, sizeof s->wallets);
    }
    json_decref(root);
}

/* ------------------------------------------------------------------ writing */

static int mkdir_one(const char *path) {
    if (mkdir(path, CONFIG_DIR_MODE) == 0 || errno == EEXIST) return CLI_EXIT_OK;
    return cli_fail(CLI_EXIT_FAILED, "cannot create %s: %s", path, strerror(errno));
}

/* The file's directory and its parent (~/.config may not exist yet). */
static int make_dirs(const char *file) {
    char dir[CLI_PATH_SIZE_MAX];
    if (!copy_text(dir, sizeof dir, file)) return cli_fail(CLI_EXIT_FAILED, "path too long");
    char *slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir) return CLI_EXIT_OK;
    *slash = '\0';
    char *parent_end = strrchr(dir, '/');
    if (parent_end != NULL && parent_end != dir) {
        *parent_end = '\0';
        int rc = mkdir_one(dir);
        *parent_end = '/';
        if (rc != CLI_EXIT_OK) return rc;
    }
    return mkdir_one(dir);
}

/* Write root to path, whole or not at all (file_publish: mode 0600, a temporary file, fsync,
 * rename, the directory fsynced). */
static int write_file(const char *path, const json_t *root) {
    int rc = make_dirs(path);
    if (rc != CLI_EXIT_OK) return rc;
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text == NULL) return cli_fail(CLI_EXIT_FAILED, "out of memory");
    size_t len = strlen(text);
    char *doc = realloc(text, len + 2);
    if (doc == NULL) {
        free(text);
        return cli_fail(CLI_EXIT_FAILED, "out of memory");
    }
    memcpy(doc + len, "\n", 2); /* the text ends with a newline */
    petro_result r = file_publish(path, doc, len + 1, true);
    int saved = errno;
    free(doc);
    if (r == PETRO_OK) return CLI_EXIT_OK;
    return cli_fail(CLI_EXIT_FAILED, "cannot write %s: %s", path, strerror(saved));
}

/* ------------------------------------------------------------------ the keys */

typedef struct config_key {
    const char *name;
    const char *value_name;
    const char *meaning;
    /* Check and normalise text into out; prints the reason (exit 2). */
    int (*check)(char *out, size_t out_size, const char *text);
} config_key;

static int check_node(char *out, size_t out_size, const char *text) {
    size_t prefix = strncmp(text, "http://", 7) == 0    ? 7
                    : strncmp(text, "https://", 8) == 0 ? 8
                                                        : 0;
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == '/') len--;
    if (prefix == 0 || len <= prefix) {
        return cli_fail(CLI_EXIT_USAGE, "config: node %s: must be an http:// or https:// URL",
                        text);
    }
    if (len >= out_size) return cli_fail(CLI_EXIT_USAGE, "config: node URL too long");
    memcpy(out, text, len);
    out[len] = '\0';
    return CLI_EXIT_OK;
}

static int check_wallets(char *out, size_t out_size, const char *text) {
    char full[PATH_MAX];
    struct stat st;
    if (realpath(text, full) == NULL || stat(full, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return cli_fail(CLI_EXIT_USAGE, "config: wallets %s: not a directory", text);
    }
    if (!copy_text(out, out_size, full)) {
        return cli_fail(CLI_EXIT_USAGE, "config: wallets %s: path too long", text);
    }
    return CLI_EXIT_OK;
}

static const config_key KEYS[] = {
    {"node", "URL", "the node petro talks to (--node and PETRO_NODE come first)", check_node},
    {"wallets", "DIR", "the directory of wallet names, NAME being DIR/NAME.json (PETRO_WALLETS "
                       "comes first)", check_wallets},
};
#define KEY_COUNT (sizeof KEYS / sizeof KEYS[0])

static const config_key *find_key(const char *name) {
    for (size_t i = 0; i < KEY_COUNT; i++) {
        if (strcmp(KEYS[i].name, name) == 0) return &KEYS[i];
    }
    (void)cli_fail(CLI_EXIT_USAGE, "config: unknown setting '%s' (node or wallets)", name);
    return NULL;
}

/* The saved value of key, or "". */
static const char *saved_value(const cli_settings *s, const config_key *key) {
    return strcmp(key->name, "node") == 0 ? s->node : s->wallets;
}

/* ------------------------------------------------------------------ the command */

static int need_file(const cli_config *cfg) {
    if (cfg->saved.path[0] != '\0') return CLI_EXIT_OK;
    return cli_fail(CLI_EXIT_FAILED, "config: no settings file: neither XDG_CONFIG_HOME nor "
                                     "HOME is set");
}

/* set (value not NULL) or unset key in the file, keeping what else it holds. */
static int config_write(const cli_config *cfg, const config_key *key, const char *value) {
    int rc = need_file(cfg);
    if (rc != CLI_EXIT_OK) return rc;
    json_error_t err;
    json_t *root = json_load_file(cfg->saved.path, JSON_REJECT_DUPLICATES, &err);
    if (root == NULL && access(cfg->saved.path, F_OK) == 0) {
        return cli_fail(CLI_EXIT_FAILED, "config: cannot read %s: line %d: %s; fix or remove it",
                        cfg->saved.path, err.line, err.text);
    }
    if (root == NULL) root = json_object();
    if (!json_is_object(root)) {
        json_decref(root);
        return cli_fail(CLI_EXIT_FAILED, "config: %s is not a JSON object; fix or remove it",
                        cfg->saved.path);
    }
    int set = value != NULL ? json_object_set_new(root, key->name, json_string(value))
                            : (json_object_del(root, key->name), 0);
    rc = set == 0 ? write_file(cfg->saved.path, root) : cli_fail(CLI_EXIT_FAILED, "out of memory");
    json_decref(root);
    return rc;
}

static int config_set(const cli_config *cfg, const cli_args *args) {
    if (args->positional_count != 3) {
        return cli_fail(CLI_EXIT_USAGE, "config set: give a setting and its value (petro config "
                                        "set node URL)");
    }
    const config_key *key = find_key(args->positional[1]);
    if (key == NULL) return CLI_EXIT_USAGE;
    char value[CLI_PATH_SIZE_MAX];
    int rc = key->check(value, sizeof value, args->positional[2]);
    if (rc == CLI_EXIT_OK) rc = config_write(cfg, key, value);
    if (rc == CLI_EXIT_OK && !cfg->json) {
        printf("%s set to %s in %s\n", key->name, value, cfg->saved.path);
    }
    return rc;
}

static int config_get(const cli_config *cfg, const cli_args *args, bool unset) {
    if (args->positional_count != 2) {
        return cli_fail(CLI_EXIT_USAGE, "config %s: give one setting (node or wallets)",
                        unset ? "unset" : "get");
    }
    const config_key *key = find_key(args->positional[1]);
    if (key == NULL) return CLI_EXIT_USAGE;
    if (unset) {
        int rc = config_write(cfg, key, NULL);
        if (rc == CLI_EXIT_OK && !cfg->json) printf("%s unset in %s\n", key->name, cfg->saved.path);
        return rc;
    }
    if (cfg->saved.error[0] != '\0') {
        return cli_fail(CLI_EXIT_FAILED, "config: cannot read %s", cfg->saved.error);
    }
    const char *value = saved_value(&cfg->saved, key);
    if (value[0] == '\0') {
        return cli_fail(CLI_EXIT_FAILED, "config: %s is not set%s%s", key->name,
                        cfg->saved.path[0] != '\0' ? " in " : "", cfg->saved.path);
    }
    if (!cfg->json) {
        printf("%s\n", value);
        return CLI_EXIT_OK;
    }
    json_t *obj = json_pack("{s:s}", key->name, value);
    int rc = obj != NULL ? out_json(obj) : cli_fail(CLI_EXIT_FAILED, "out of memory");
    json_decref(obj);
    return rc;
}

/* Where a setting's value comes from, in words. */
static const char *from_words(const char *from) {
    if (strcmp(from, "config file") == 0) return "saved with petro config set";
    if (strcmp(from, "default") == 0) return "the default";
    if (strcmp(from, "none") == 0) return "no wallet directory: names are not available";
    return from;
}

static int config_show(const cli_config *cfg) {
    char dir[CLI_PATH_SIZE_MAX];
    const char *dir_from = NULL;
    bool has_dir = names_dir(cfg, dir, sizeof dir, &dir_from);
    const char *file = cfg->saved.path[0] != '\0' ? cfg->saved.path : "(none: no HOME)";
    if (cfg->json) {
        json_t *obj = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s?}", "file", file, "node",
                                cfg->node_url, "node_from", cfg->node_from, "wallets",
                                has_dir ? dir : NULL, "wallets_from", dir_from, "error",
                                cfg->saved.error[0] != '\0' ? cfg->saved.error : NULL);
        int rc = obj != NULL ? out_json(obj) : cli_fail(CLI_EXIT_FAILED, "out of memory");
        json_decref(obj);
        return rc;
    }
    out_kv("config file", "%s%s", file, cfg->saved.error[0] != '\0' ? " (DAMAGED)" : "");
    out_kv("node", "%s (%s)", cfg->node_url, from_words(cfg->node_from));
    if (has_dir) {
        out_kv("wallets", "%s (%s)", dir, from_words(dir_from));
    } else {
        out_kv("wallets", "none (set PETRO_WALLETS or petro config set wallets DIR)");
    }
    if (cfg->saved.error[0] != '\0') {
        return cli_fail(CLI_EXIT_FAILED, "config: cannot read %s", cfg->saved.error);
    }
    return CLI_EXIT_OK;
}

int cmd_config(const cli_config *cfg, const cli_args *args) {
    const char *verb = args->positional_count > 0 ? args->positional[0] : "show";
    if (strcmp(verb, "show") == 0 && args->positional_count <= 1) return config_show(cfg);
    if (strcmp(verb, "get") == 0) return config_get(cfg, args, false);
    if (strcmp(verb, "unset") == 0) return config_get(cfg, args, true);
    if (strcmp(verb, "set") == 0) return config_set(cfg, args);
    return cli_fail(CLI_EXIT_USAGE, "config: '%s': use show, get KEY, set KEY VALUE or unset KEY",
                    verb);
}
