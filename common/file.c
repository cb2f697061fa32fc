/* Files written whole or not at all: see file.h. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h> /* mkstemp */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write all of buf to fd, retrying short writes and EINTR. */
static bool write_all(int fd, const char *buf, size_t size) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, buf + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += (size_t)n;
    }
    return true;
}

/* fsync the directory holding path, so the new directory entry is durable. */
static bool fsync_parent_dir(const char *path) {
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        memcpy(dir, ".", 2);
    } else if (slash == path) {
        memcpy(dir, "/", 2);
    } else {
        size_t len = (size_t)(slash - path);
        if (len >= sizeof dir) {
            errno = ENAMETOOLONG;
            return false;
        }
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    int rc = fsync(fd);
    int saved = errno;
    (void)close(fd); /* read-only directory handle: nothing to lose on close */
    errno = saved;
    return rc == 0;
}

petro_result file_publish(const char *path, const char *doc, size_t doc_size, bool overwrite) {
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return PETRO_ERR_IO;
    }
    if (!overwrite && access(path, F_OK) == 0) {
        errno = EEXIST; /* fail before the expensive part; link() below is the real check */
        return PETRO_ERR_IO;
    }
    int fd = mkstemp(tmp); /* creates with mode 0600, O_EXCL */
    if (fd < 0) return PETRO_ERR_IO;
    bool ok = fchmod(fd, S_IRUSR | S_IWUSR) == 0 && write_all(fd, doc, doc_size) &&
              fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok) {
        /* link() fails with EEXIST if path exists: exclusive creation without a window in
         * which a half-written file is visible under the final name. */
        ok = overwrite ? rename(tmp, path) == 0 : link(tmp, path) == 0;
        saved = errno;
    }
    if (!overwrite || !ok) (void)unlink(tmp); /* after link(), or on failure: drop the temp */
    if (ok && !fsync_parent_dir(path)) {
        ok = false;
        saved = errno;
    }
    errno = saved;
    return ok ? PETRO_OK : PETRO_ERR_IO;
}

