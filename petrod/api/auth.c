/* Admin authentication and the admin routes (docs/security.md, docs/api.md "Admin").
 *
 * Every route that is not a public read or a transaction submission is an admin route and
 * needs "Authorization: Bearer <token>": it carries API_ROUTE_ADMIN in its route table, and
 * the server checks the token (api_auth_ok) before the handler runs. The token is 32 random
 * bytes in hex, kept in DATA/admin.token (mode 0600, created exclusively at first start, never
 * logged or served).
 * A token file readable or writable by group or others is refused at startup. In the process
 * the token lives in sodium_malloc'd (guarded, locked) memory, compared in constant time, and
 * wiped at shutdown. It is loaded once by the main thread before the HTTP server starts and
 * only read afterwards. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "json.h"
#include "log.h"

#define AUTH_TOKEN_BYTES 32
#define AUTH_TOKEN_HEX (2 * AUTH_TOKEN_BYTES)
#define AUTH_BEARER "Bearer "

static char *admin_token; /* AUTH_TOKEN_HEX + 1 bytes of sodium memory, or NULL */

static petro_result create_token_file(const char *path) {
    uint8_t raw[AUTH_TOKEN_BYTES];
    char hex[AUTH_TOKEN_HEX + 2];
    randombytes_buf(raw, sizeof raw);
    petro_hex_encode(hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    hex[AUTH_TOKEN_HEX] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        sodium_memzero(hex, sizeof hex);
        log_error("cannot create %s: %s", path, strerror(errno));
        return PETRO_ERR_IO;
    }
    bool ok = write(fd, hex, AUTH_TOKEN_HEX + 1) == AUTH_TOKEN_HEX + 1 && fsync(fd) == 0;
    sodium_memzero(hex, sizeof hex);
    if (close(fd) != 0) ok = false;
    if (!ok) {
        log_error("cannot write %s", path);
        unlink(path);
        return PETRO_ERR_IO;
    }
    log_info("created the admin token in %s (mode 0600)", path);
    return PETRO_OK;
}

petro_result api_auth_init(const char *data_dir) {
    char path[PATH_MAX + 32];
    int len = snprintf(path, sizeof path, "%s/admin.token", data_dir);
    if (len < 0 || (size_t)len >= sizeof path) return PETRO_ERR_IO;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) {
        petro_result r = create_token_file(path);
        if (r != PETRO_OK) return r;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (fd < 0) {
        log_error("cannot open %s: %s", path, strerror(errno));
        return PETRO_ERR_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        log_error("%s must be a regular file with mode 0600 (no access for group or others)",
                  path);
        close(fd);
        return PETRO_ERR_IO;
    }
    char *tok = sodium_malloc(AUTH_TOKEN_HEX + 2);
    if (tok == NULL) {
        close(fd);
        return PETRO_ERR_NOMEM;
    }
    ssize_t n = read(fd, tok, AUTH_TOKEN_HEX + 2);
    close(fd);
    if (n == AUTH_TOKEN_HEX + 1 && tok[AUTH_TOKEN_HEX] == '\n') n = AUTH_TOKEN_HEX;
    bool ok = n == AUTH_TOKEN_HEX;
    for (ssize_t i = 0; ok && i < n; i++) {
        char c = tok[i];
        ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }
    if (!ok) {
        sodium_free(tok);
        log_error("%s does not hold a token (64 lower-case hex characters)", path);
        return PETRO_ERR_CORRUPT;
    }
    tok[AUTH_TOKEN_HEX] = '\0';
    (void)sodium_mprotect_readonly(tok);
    api_auth_clear();
    admin_token = tok;
    return PETRO_OK;
}

void api_auth_clear(void) {
    if (admin_token != NULL) {
        sodium_free(admin_token); /* wipes before freeing */
        admin_token = NULL;
    }
}

bool api_auth_ok(const api_request *req) {
    if (admin_token == NULL) return false;
    const char *h = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION);
    if (h == NULL || strncmp(h, AUTH_BEARER, sizeof AUTH_BEARER - 1) != 0) return false;
    h += sizeof AUTH_BEARER - 1;
    if (strlen(h) != AUTH_TOKEN_HEX) return false;
    return sodium_memcmp(h, admin_token, AUTH_TOKEN_HEX) == 0;
}

enum MHD_Result api_auth_refuse(const api_request *req) {
    return api_send_error(req, PETRO_ERR_UNAUTHORIZED,
                          "admin route: send \"Authorization: Bearer <token>\" with the token "
                          "from admin.token in the node's data directory",
                          NULL);
}

/* POST /v1/admin/invariants: the full invariant scan over the latest committed state. An
 * API_ROUTE_ADMIN route: the server has checked the token before this runs. */
enum MHD_Result api_admin_invariants(const api_request *req) {
    node_read *r = NULL;
    petro_result rc = node_read_begin(req->api->node, &r);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    const petro_store *store = node_read_store(r);
    petro_ledger_tip tip;
    char msg[256];
    msg[0] = '\0';
    rc = petro_ledger_tip_get(store, &tip);
    petro_result inv = rc == PETRO_OK ? petro_ledger_check_invariants(store, msg, sizeof msg) : rc;
    node_read_end(r);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    if (inv != PETRO_OK) {
        log_error("admin invariant check at height %llu: %s", (unsigned long long)tip.height,
                  msg);
        return api_send_error(req, inv, msg[0] != '\0' ? msg : NULL, NULL);
    }
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && json_object_set_new(o, "invariants", json_string("ok")) == 0;
    ok = ok && apij_set(o, "height", apij_u64(tip.height));
    ok = ok && apij_set(o, "state_hash", apij_hash(&tip.state_hash));
    if (!ok) {
        json_decref(o);
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, o);
}
