/* The explorer's pages (web/, issue #19), served at / when petrod runs with --web DIR.
 *
 * Design. The pages are static files talking to the node's own public API, so serving them
 * is a file lookup that must not become a way to read anything else on the machine:
 *   - only GET and HEAD, only paths that no API route claims and that are not under /v1/;
 *   - a path is split into segments of [A-Za-z0-9._@-], none empty, none starting with '.',
 *     at most STATIC_DEPTH_MAX deep and STATIC_PATH_MAX long; "/" is "/index.html";
 *   - only the page files: *.html at the top, and css/, js/, src/ and node_modules/@noble/
 *     (the two npm packages the pages import, pinned by web/package-lock.json), plus the two
 *     files of uPlot the reserves page loads (its ES module and stylesheet, not the rest of
 *     the package), by extension (html, js, mjs, css, png, svg, ico);
 *   - the file is opened one segment at a time below a directory descriptor taken at start,
 *     with O_NOFOLLOW on every step, so neither ".." nor a symbolic link leads outside DIR;
 *     it must be a regular file of at most STATIC_FILE_SIZE_MAX bytes.
 * Anything else is the API's JSON 404. Responses carry nosniff, no framing and no referrer. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assert.h"
#include "log.h"
#include "server.h"
#include "static.h"

#define STATIC_PATH_MAX 256
#define STATIC_DEPTH_MAX 8
#define STATIC_FILE_SIZE_MAX ((off_t)4 << 20)

typedef struct mime_type {
    const char *ext;
    const char *type;
} mime_type;

static const mime_type MIME[] = {
    {"html", "text/html; charset=utf-8"}, {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"}, {"css", "text/css; charset=utf-8"},
    {"png", "image/png"}, {"svg", "image/svg+xml"}, {"ico", "image/x-icon"},
};

/* Directories below DIR whose files may be served (a trailing '/': the whole subtree). */
static const char *const ALLOWED_DIRS[] = {"css/", "js/", "src/", "node_modules/@noble/"};

/* Single files below DIR that may be served (npm packages of which the pages need one file). */
static const char *const ALLOWED_FILES[] = {"node_modules/uplot/dist/uPlot.esm.js",
                                            "node_modules/uplot/dist/uPlot.min.css"};

static bool segment_char_ok(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-' || c == '@';
}

/* rel (no leading '/'): every segment well formed. */
static bool path_ok(const char *rel) {
    size_t len = strlen(rel);
    if (len == 0 || len > STATIC_PATH_MAX) return false;
    size_t depth = 1;
    bool at_start = true;
    for (size_t i = 0; i < len; i++) {
        char c = rel[i];
        if (c == '/') {
            if (at_start) return false; /* empty segment */
            if (++depth > STATIC_DEPTH_MAX) return false;
            at_start = true;
            continue;
        }
        if (at_start && c == '.') return false; /* ".", "..", hidden files */
        if (!segment_char_ok(c)) return false;
        at_start = false;
    }
    return !at_start; /* no trailing '/' */
}

static bool place_ok(const char *rel) {
    if (strchr(rel, '/') == NULL) {
        size_t len = strlen(rel);
        return len > 5 && strcmp(rel + len - 5, ".html") == 0;
    }
    for (size_t i = 0; i < sizeof ALLOWED_DIRS / sizeof ALLOWED_DIRS[0]; i++) {
        size_t n = strlen(ALLOWED_DIRS[i]);
        if (strncmp(rel, ALLOWED_DIRS[i], n) == 0) return true;
    }
    for (size_t i = 0; i < sizeof ALLOWED_FILES / sizeof ALLOWED_FILES[0]; i++) {
        if (strcmp(rel, ALLOWED_FILES[i]) == 0) return true;
    }
    return false;
}

static const char *mime_of(const char *rel) {
    const char *dot = strrchr(rel, '.');
    if (dot == NULL || strchr(dot, '/') != NULL) return NULL;
    for (size_t i = 0; i < sizeof MIME / sizeof MIME[0]; i++) {
        if (strcmp(dot + 1, MIME[i].ext) == 0) return MIME[i].type;
    }
    return NULL;
}

/* Open rel below root_fd, one segment at a time, never following a link. -1 on any failure. */
static int open_below(int root_fd, const char *rel) {
    char buf[STATIC_PATH_MAX + 1];
    size_t len = strlen(rel);
    PETROD_ASSERT(len <= STATIC_PATH_MAX);
    memcpy(buf, rel, len + 1);
    int dir = root_fd;
    char *seg = buf;
    for (;;) {
        char *slash = strchr(seg, '/');
        if (slash == NULL) break;
        *slash = '\0';
        int next = openat(dir, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir != root_fd) close(dir);
        if (next < 0) return -1;
        dir = next;
        seg = slash + 1;
    }
    int fd = openat(dir, seg, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (dir != root_fd) close(dir);
    return fd;
}

int api_static_open_root(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        log_error("api: --web %s: %s", dir, strerror(errno));
        return -1;
    }
    int page = openat(fd, "index.html", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (page < 0) {
        log_error("api: --web %s: no index.html there (the explorer's pages are in web/)", dir);
        close(fd);
        return -1;
    }
    close(page);
    return fd;
}

bool api_static_claims(const char *path) {
    return strncmp(path, "/v1/", 4) != 0 && strcmp(path, "/v1") != 0;
}

enum MHD_Result api_static_send(const api_request *req, int root_fd) {
    PETROD_ASSERT(root_fd >= 0 && req->path != NULL && req->path[0] == '/');
    const char *rel = strcmp(req->path, "/") == 0 ? "index.html" : req->path + 1;
    const char *type = NULL;
    int fd = -1;
    if (path_ok(rel) && place_ok(rel) && (type = mime_of(rel)) != NULL) {
        fd = open_below(root_fd, rel);
    }
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
                    st.st_size > STATIC_FILE_SIZE_MAX)) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        return api_send_error_status(req, MHD_HTTP_NOT_FOUND, PETRO_ERR_NOT_FOUND,
                                     "no such route or page", NULL);
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (resp == NULL) {
        close(fd);
        return MHD_NO;
    }
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type) != MHD_YES ||
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache") != MHD_YES ||
        MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") != MHD_YES ||
        MHD_add_response_header(resp, "X-Frame-Options", "DENY") != MHD_YES ||
        MHD_add_response_header(resp, "Referrer-Policy", "no-referrer") != MHD_YES) {
        MHD_destroy_response(resp);
        return MHD_NO;
    }
    return api_send_response(req, MHD_HTTP_OK, resp);
}
