/* Files written whole or not at all (wallets, the CLI's settings). */
#ifndef PETRO_COMMON_FILE_H
#define PETRO_COMMON_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "petro/petro.h"

/** Write doc to path, mode 0600, through a temporary file in the same directory: written,
 *  fsynced, then renamed over path (overwrite) or linked to it (exclusive: fails with errno
 *  EEXIST if path exists, and no half-written file is ever visible under the name), and the
 *  directory fsynced. PETRO_OK, or PETRO_ERR_IO with errno that of the failing call; no
 *  temporary file is left behind. */
petro_result file_publish(const char *path, const char *doc, size_t doc_size, bool overwrite);

#endif
