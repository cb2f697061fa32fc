/* petro CLI wallet names (issue #18): `--wallet alice` instead of devnet/wallets/alice.json,
 * `--to bob` instead of bob's address.
 *
 * A name is looked up in one wallet directory: PETRO_WALLETS, else the saved setting
 * `wallets` (petro config), else ./devnet/wallets when it exists (next to the devnet of
 * `make run`). NAME is the file DIR/NAME.json. An address argument given as a name (or as a
 * wallet file's path) is that wallet's address, from the public key every wallet file holds in
 * clear: no passphrase is asked.
 *
 * What counts as a name is chosen so that every value that worked before means what it meant:
 * a wallet value that is an existing file or has a '/' or ".json" in it is a path, an address
 * value that starts with ptr1 / tptr1 is an address (the address parser reports a typo in it),
 * and a value that is none of these and not of the name alphabet is handed on unchanged, so
 * its error is the one it always was. main.c calls these on every option whose value is a
 * wallet FILE, an ADDRESS or an asset's ISSUER, before the command runs; the commands never
 * see a name. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "http.h"
#include "output.h"

#define NAME_SIZE_MAX 64
#define NAMES_SLOTS (CLI_ARGS_OPTS_MAX + CLI_ARGS_POSITIONAL_MAX)
#define DEVNET_WALLETS "devnet/wallets"

/* The resolved values: args borrow them until the process exits. */
static char g_slots[NAMES_SLOTS][CLI_PATH_SIZE_MAX];
static size_t g_slot_count;

static char *slot_take(void) {
    return g_slot_count < NAMES_SLOTS ? g_slots[g_slot_count++] : NULL;
}

static bool is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool names_dir(const cli_config *cfg, char *out, size_t out_size, const char **from) {
    const char *dir = NULL;
    if (cfg->wallets_env != NULL && cfg->wallets_env[0] != '\0') {
        dir = cfg->wallets_env;
        *from = "PETRO_WALLETS";
    } else if (cfg->saved.wallets[0] != '\0') {
        dir = cfg->saved.wallets;
        *from = "config file";
    } else if (is_dir(DEVNET_WALLETS)) {
        dir = DEVNET_WALLETS;
        *from = "default";
    } else {
        *from = "none";
    }
    int n = dir != NULL ? snprintf(out, out_size, "%s", dir) : -1;
    if (n < 0 || (size_t)n >= out_size) {
        if (out_size > 0) out[0] = '\0';
        return false;
    }
    while (n > 1 && out[n - 1] == '/') out[--n] = '\0';
    return true;
}

static bool has_json_suffix(const char *text) {
    size_t len = strlen(text);
    return len >= 5 && strcmp(text + len - 5, ".json") == 0;
}

static bool is_path(const char *text) {
    return strchr(text, '/') != NULL || has_json_suffix(text);
}

/* Letters, digits, '_', '-' and '.', not starting with '-' or '.'. */
static bool is_name(const char *text) {
    size_t len = strlen(text);
    if (len == 0 || len >= NAME_SIZE_MAX || text[0] == '-' || text[0] == '.') return false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

static bool looks_like_address(const char *text) {
    return strncasecmp(text, "ptr1", 4) == 0 || strncasecmp(text, "tptr1", 5) == 0;
}

/* Where the wallet directory comes from, for messages. */
static const char *dir_origin(const char *from) {
    if (strcmp(from, "PETRO_WALLETS") == 0) return "wallet directory from PETRO_WALLETS";
    if (strcmp(from, "config file") == 0) {
        return "wallet directory saved with petro config set wallets";
    }
    return "the default wallet directory ./" DEVNET_WALLETS "; PETRO_WALLETS or petro config "
           "set wallets DIR choose another";
}

/* The file of wallet name in the wallet directory, into *out. not_what: what else the value
 * could have been, for messages ("not an address, and "). */
static int name_file(const cli_config *cfg, const char *what, const char *name,
                     const char *not_what, const char **out) {
    char dir[CLI_PATH_SIZE_MAX];
    const char *from = NULL;
    if (!names_dir(cfg, dir, sizeof dir, &from)) {
        return cli_fail(CLI_EXIT_USAGE,
                        "%s %s: %sno wallet directory to find the name %s in (set "
                        "PETRO_WALLETS or petro config set wallets DIR, or run next to "
                        "./" DEVNET_WALLETS ")",
                        what, name, not_what, name);
    }
    char *slot = slot_take();
    if (slot == NULL) return cli_fail(CLI_EXIT_USAGE, "%s: too many names", what);
    int n = snprintf(slot, CLI_PATH_SIZE_MAX, "%s/%s.json", dir, name);
    if (n < 0 || (size_t)n >= CLI_PATH_SIZE_MAX) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: the wallet directory's path is too long", what,
                        name);
    }
    if (access(slot, F_OK) != 0) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: %sno wallet named %s: %s does not exist (%s)",
                        what, name, not_what, name, slot, dir_origin(from));
    }
    *out = slot;
    return CLI_EXIT_OK;
}

int names_wallet(const cli_config *cfg, const char *what, const char *text, const char **out) {
    *out = text;
    if (access(text, F_OK) == 0 || is_path(text) || !is_name(text)) return CLI_EXIT_OK;
    return name_file(cfg, what, text, "no such file, and ", out);
}

/* The network kind to write an encrypted wallet's address for: the node's, asked once; a test
 * network when the node cannot tell (the command then fails on the node anyway). */
static petro_net_kind node_net_kind(const cli_config *cfg) {
    static bool probed;
    static petro_net_kind net = PETRO_NET_TEST;
    if (!probed && !node_probe_net_kind(cfg, &net)) net = PETRO_NET_TEST;
    probed = true;
    return net;
}

int names_address(const cli_config *cfg, const char *what, const char *text, const char **out) {
    *out = text;
    const char *path = NULL;
    if (looks_like_address(text)) return CLI_EXIT_OK;
    if (is_path(text)) {
        if (access(text, F_OK) != 0) {
            return cli_fail(CLI_EXIT_USAGE, "%s %s: not an address, and no such wallet file",
                            what, text);
        }
        path = text;
    } else if (is_name(text)) {
        int rc = name_file(cfg, what, text, "not an address, and ", &path);
        if (rc != CLI_EXIT_OK) return rc;
    } else {
        return CLI_EXIT_OK; /* the address parser says what is wrong with it */
    }
    petro_pubkey pk;
    bool is_devnet = false;
    int rc = wallet_public_key(path, &pk, &is_devnet);
    if (rc != CLI_EXIT_OK) return rc;
    char *slot = slot_take();
    if (slot == NULL) return cli_fail(CLI_EXIT_USAGE, "%s: too many names", what);
    petro_address_encode(slot, &pk, is_devnet ? PETRO_NET_TEST : node_net_kind(cfg));
    *out = slot;
    return CLI_EXIT_OK;
}

int names_asset(const cli_config *cfg, const char *what, const char *text, const char **out) {
    *out = text;
    const char *colon = strchr(text, ':');
    if (colon == NULL) return CLI_EXIT_OK;
    const char *issuer = NULL;
    int rc = names_address(cfg, what, colon + 1, &issuer);
    if (rc != CLI_EXIT_OK || issuer == colon + 1) return rc;
    char *slot = slot_take();
    if (slot == NULL) return cli_fail(CLI_EXIT_USAGE, "%s: too many names", what);
    int n = snprintf(slot, CLI_PATH_SIZE_MAX, "%.*s:%s", (int)(colon - text), text, issuer);
    if (n < 0 || (size_t)n >= CLI_PATH_SIZE_MAX) {
        return cli_fail(CLI_EXIT_USAGE, "%s %s: too long", what, text);
    }
    *out = slot;
    return CLI_EXIT_OK;
}
