/* petro CLI wallet commands (keygen, address) and the helpers that open wallets for the
 * transaction commands.
 *
 * Secrets: passphrases are read into sodium_malloc'd buffers (never stdio buffers) from
 * /dev/tty with echo off, or taken from PETRO_PASSPHRASE; keys live in wallet_key (sodium
 * memory). Every path releases them with passphrase_free / wallet_key_deinit, which wipe.
 * Nothing secret is ever printed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cli.h"
#include "http.h"
#include "output.h"
#include "parse.h"

#define PASSPHRASE_SIZE_MAX 1024

/* ------------------------------------------------------------------ passphrases */

static volatile sig_atomic_t g_interrupted;

static void on_interrupt(int sig) {
    (void)sig;
    g_interrupted = 1;
}

static bool write_str(int fd, const char *s) {
    size_t len = strlen(s), done = 0;
    while (done < len) {
        ssize_t n = write(fd, s + done, len - done);
        if (n < 0 && errno == EINTR && !g_interrupted) continue;
        if (n <= 0) return false;
        done += (size_t)n;
    }
    return true;
}

/* Read one line from the terminal fd into buf (NUL-terminated, without the newline).
 * Returns CLI_EXIT_OK or prints the failure. */
static int read_line(int fd, char *buf, size_t cap) {
    size_t len = 0;
    for (;;) {
        char c = 0;
        ssize_t n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR && !g_interrupted) continue;
        if (n < 0 && g_interrupted) return cli_fail(CLI_EXIT_FAILED, "interrupted");
        if (n < 0) {
            return cli_fail(CLI_EXIT_FAILED, "cannot read the passphrase: %s", strerror(errno));
        }
        if (n == 0 || c == '\n' || c == '\r') break;
        if (len + 1 >= cap) {
            return cli_fail(CLI_EXIT_USAGE, "passphrase longer than %d bytes",
                            PASSPHRASE_SIZE_MAX - 1);
        }
        buf[len++] = c;
    }
    buf[len] = '\0';
    return CLI_EXIT_OK;
}

/* Ask once on the terminal with echo off. The terminal state is restored on every path,
 * including an interrupt (SIGINT/SIGTERM/SIGHUP stop the read instead of killing us with
 * echo still off). */
static int prompt_tty(int fd, const char *prompt, char *buf, size_t cap) {
    struct termios saved, quiet;
    if (tcgetattr(fd, &saved) != 0) {
        return cli_fail(CLI_EXIT_FAILED, "cannot configure the terminal: %s", strerror(errno));
    }
    quiet = saved;
    quiet.c_lflag &= (tcflag_t)~(ECHO | ECHOE | ECHOK | ECHONL);
    quiet.c_lflag |= ICANON;
    struct sigaction sa, old_int, old_term, old_hup;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt; /* no SA_RESTART: read() returns EINTR */
    sigemptyset(&sa.sa_mask);
    g_interrupted = 0;
    (void)sigaction(SIGINT, &sa, &old_int);
    (void)sigaction(SIGTERM, &sa, &old_term);
    (void)sigaction(SIGHUP, &sa, &old_hup);
    int rc = CLI_EXIT_OK;
    if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
        rc = cli_fail(CLI_EXIT_FAILED, "cannot turn off terminal echo: %s", strerror(errno));
    } else {
        if (!write_str(fd, prompt)) {
            rc = cli_fail(CLI_EXIT_FAILED, "cannot write to the terminal");
        } else {
            rc = read_line(fd, buf, cap);
        }
        (void)tcsetattr(fd, TCSAFLUSH, &saved);
        (void)write_str(fd, "\n");
    }
    (void)sigaction(SIGINT, &old_int, NULL);
    (void)sigaction(SIGTERM, &old_term, NULL);
    (void)sigaction(SIGHUP, &old_hup, NULL);
    if (rc != CLI_EXIT_OK) sodium_memzero(buf, cap);
    return rc;
}

void passphrase_free(char *passphrase) {
    if (passphrase != NULL) sodium_free(passphrase); /* wipes */
}

int passphrase_get(const cli_config *cfg, const char *prompt, bool confirm, char **out) {
    *out = NULL;
    char *first = sodium_malloc(PASSPHRASE_SIZE_MAX);
    if (first == NULL) return cli_fail(CLI_EXIT_FAILED, "out of memory");
    if (cfg->passphrase_env != NULL) {
        size_t len = strlen(cfg->passphrase_env);
        if (len >= PASSPHRASE_SIZE_MAX) {
            passphrase_free(first);
            return cli_fail(CLI_EXIT_USAGE, "PETRO_PASSPHRASE is longer than %d bytes",
                            PASSPHRASE_SIZE_MAX - 1);
        }
        memcpy(first, cfg->passphrase_env, len + 1);
        *out = first;
        return CLI_EXIT_OK;
    }
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        passphrase_free(first);
        return cli_fail(CLI_EXIT_USAGE,
                        "a passphrase is needed: set PETRO_PASSPHRASE or run petro in a terminal");
    }
    int rc = prompt_tty(fd, prompt, first, PASSPHRASE_SIZE_MAX);
    if (rc == CLI_EXIT_OK && confirm) {
        char *second = sodium_malloc(PASSPHRASE_SIZE_MAX);
        if (second == NULL) {
            rc = cli_fail(CLI_EXIT_FAILED, "out of memory");
        } else {
            rc = prompt_tty(fd, "Repeat the passphrase: ", second, PASSPHRASE_SIZE_MAX);
            size_t len = strlen(first);
            if (rc == CLI_EXIT_OK &&
                (strlen(second) != len || sodium_memcmp(first, second, len) != 0)) {
                rc = cli_fail(CLI_EXIT_USAGE, "the two passphrases differ");
            }
            passphrase_free(second);
        }
    }
    (void)close(fd);
    if (rc != CLI_EXIT_OK) {
        passphrase_free(first);
        return rc;
    }
    *out = first;
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ opening wallets */

/* Message for a wallet_* failure on path. */
static int wallet_fail(petro_result r, const char *path, int saved_errno) {
    switch (r) {
    case PETRO_ERR_IO:
        return cli_fail(CLI_EXIT_FAILED, "cannot read wallet %s: %s", path, strerror(saved_errno));
    case PETRO_ERR_BAD_REQUEST:
        return cli_fail(CLI_EXIT_FAILED, "%s is not a petro wallet file", path);
    case PETRO_ERR_BAD_PASSPHRASE:
        return cli_fail(CLI_EXIT_FAILED, "wrong passphrase for wallet %s (or the file is damaged)",
                        path);
    case PETRO_ERR_CORRUPT:
        return cli_fail(CLI_EXIT_FAILED,
                        "wallet %s is damaged: its key does not match its stored public key",
                        path);
    default:
        return cli_fail(CLI_EXIT_FAILED, "cannot open wallet %s: %s (%s)", path,
                        petro_result_str(r), petro_result_name(r));
    }
}

static int devnet_on_main_fail(const char *path) {
    return cli_fail(CLI_EXIT_FAILED,
                    "wallet %s is a devnet-only wallet; refusing to use it on a main network",
                    path);
}

int wallet_open(const cli_config *cfg, const char *path, petro_net_kind net, wallet_key *key) {
    bool is_devnet = false;
    petro_result r = wallet_probe(path, &is_devnet);
    if (r != PETRO_OK) return wallet_fail(r, path, errno);
    if (is_devnet && net == PETRO_NET_MAIN) return devnet_on_main_fail(path);
    char *passphrase = NULL;
    if (!is_devnet) {
        char prompt[512];
        int n = snprintf(prompt, sizeof prompt, "Passphrase for %s: ", path);
        if (n < 0 || (size_t)n >= sizeof prompt) memcpy(prompt, "Passphrase: ", 13);
        int rc = passphrase_get(cfg, prompt, false, &passphrase);
        if (rc != CLI_EXIT_OK) return rc;
    }
    r = wallet_read(key, path, passphrase);
    int saved = errno;
    passphrase_free(passphrase);
    if (r != PETRO_OK) return wallet_fail(r, path, saved);
    return CLI_EXIT_OK;
}

/* The public key of a wallet without decrypting it: "public_key" of the file. */
int wallet_public_key(const char *path, petro_pubkey *pk, bool *is_devnet) {
    petro_result r = wallet_probe(path, is_devnet);
    if (r != PETRO_OK) return wallet_fail(r, path, errno);
    json_error_t err;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    const char *hex = jstr(root, "public_key");
    bool ok = hex != NULL &&
              petro_hex_decode(pk->bytes, sizeof pk->bytes, hex, strlen(hex)) == PETRO_OK;
    json_decref(root);
    if (!ok) return wallet_fail(PETRO_ERR_BAD_REQUEST, path, 0);
    return CLI_EXIT_OK;
}

static int parse_net(petro_net_kind *net, const char *text) {
    if (strcmp(text, "main") == 0) {
        *net = PETRO_NET_MAIN;
    } else if (strcmp(text, "test") == 0) {
        *net = PETRO_NET_TEST;
    } else {
        return cli_fail(CLI_EXIT_USAGE, "--net %s: must be main or test", text);
    }
    return CLI_EXIT_OK;
}

/* Print an address (and, with --json, an object describing the key). */
static int print_key(const cli_config *cfg, const petro_pubkey *pk, petro_net_kind net,
                     const char *path, const char *name, bool is_devnet) {
    char address[PETRO_ADDRESS_SIZE_MAX];
    char pk_hex[2 * sizeof pk->bytes + 1];
    petro_address_encode(address, pk, net);
    petro_hex_encode(pk_hex, pk->bytes, sizeof pk->bytes);
    if (!cfg->json) {
        printf("%s\n", address);
        return CLI_EXIT_OK;
    }
    json_t *obj = json_pack("{s:s, s:s, s:s, s:s, s:b}", "address", address, "public_key",
                            pk_hex, "net_kind", net_kind_name(net), "wallet", path, "devnet_only",
                            is_devnet);
    if (obj != NULL && name != NULL) (void)json_object_set_new(obj, "name", json_string(name));
    if (obj == NULL) return cli_fail(CLI_EXIT_FAILED, "out of memory");
    int rc = out_json(obj);
    json_decref(obj);
    return rc;
}

int cmd_address(const cli_config *cfg, const cli_args *args) {
    const char *path = args_get(args, "wallet");
    const char *net_text = args_get(args, "net");
    petro_net_kind net = PETRO_NET_TEST;
    int rc = net_text != NULL ? parse_net(&net, net_text) : CLI_EXIT_OK;
    if (rc != CLI_EXIT_OK) return rc;
    petro_pubkey pk;
    bool is_devnet = false;
    rc = wallet_public_key(path, &pk, &is_devnet);
    if (rc != CLI_EXIT_OK) return rc;
    if (is_devnet && net == PETRO_NET_MAIN) return devnet_on_main_fail(path);
    if (!is_devnet && net_text == NULL) {
        petro_hash network_id;
        rc = node_status(cfg, &net, &network_id, NULL);
        if (rc != CLI_EXIT_OK) return rc;
    }
    return print_key(cfg, &pk, net, path, NULL, is_devnet);
}

/* Default wallet name: the file's base name without a ".json" suffix. */
static int default_name(char out[64], const char *path) {
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    size_t len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".json") == 0) len -= 5;
    if (len > 63) len = 63; /* a display name only; the file name itself is unchanged */
    memcpy(out, base, len);
    out[len] = '\0';
    return CLI_EXIT_OK;
}

int cmd_keygen(const cli_config *cfg, const cli_args *args) {
    const char *path = args_get(args, "out");
    const char *net_text = args_get(args, "net");
    bool devnet = args_has(args, "devnet");
    char name[64];
    const char *given = args_get(args, "name");
    if (given != NULL && strlen(given) > 63) {
        return cli_fail(CLI_EXIT_USAGE, "--name: at most 63 bytes");
    }
    int rc = given != NULL ? (memcpy(name, given, strlen(given) + 1), CLI_EXIT_OK)
                           : default_name(name, path);
    if (rc != CLI_EXIT_OK) return rc;
    if (access(path, F_OK) == 0) {
        return cli_fail(CLI_EXIT_FAILED, "%s already exists; refusing to overwrite it", path);
    }
    petro_net_kind net = PETRO_NET_TEST;
    if (net_text != NULL) {
        rc = parse_net(&net, net_text);
        if (rc != CLI_EXIT_OK) return rc;
    } else if (!node_probe_net_kind(cfg, &net)) {
        net = PETRO_NET_TEST; /* no node to ask: wallets are network-independent anyway */
    }
    if (devnet && net == PETRO_NET_MAIN) {
        return cli_fail(CLI_EXIT_USAGE, "--devnet wallets are for test networks only");
    }
    char *passphrase = NULL;
    if (!devnet) {
        rc = passphrase_get(cfg, "New passphrase: ", true, &passphrase);
        if (rc != CLI_EXIT_OK) return rc;
        if (passphrase[0] == '\0') {
            passphrase_free(passphrase);
            return cli_fail(CLI_EXIT_USAGE, "the passphrase must not be empty");
        }
    }
    wallet_key key;
    petro_result r = wallet_key_generate(&key, name);
    if (r == PETRO_ERR_BAD_REQUEST) {
        passphrase_free(passphrase);
        return cli_fail(CLI_EXIT_USAGE, "--name: must be UTF-8 without control characters");
    }
    if (r != PETRO_OK) {
        passphrase_free(passphrase);
        return cli_fail(CLI_EXIT_FAILED, "cannot generate a key: %s", petro_result_str(r));
    }
    r = wallet_write(path, &key, passphrase, false);
    int saved = errno;
    passphrase_free(passphrase);
    if (r != PETRO_OK) {
        wallet_key_deinit(&key);
        if (r == PETRO_ERR_IO && saved == EEXIST) {
            return cli_fail(CLI_EXIT_FAILED, "%s already exists; refusing to overwrite it", path);
        }
        if (r == PETRO_ERR_IO) {
            return cli_fail(CLI_EXIT_FAILED, "cannot write %s: %s", path, strerror(saved));
        }
        return cli_fail(CLI_EXIT_FAILED, "cannot write %s: %s", path, petro_result_str(r));
    }
    petro_pubkey pk = key.pk;
    wallet_key_deinit(&key);
    return print_key(cfg, &pk, net, path, name, devnet);
}
