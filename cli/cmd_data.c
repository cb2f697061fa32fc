/* petro CLI, data family: no hand-written command. Its operations get generated commands
 * from their schemas (family.h): `petro data set --name TEXT [--value HEX]` is
 * `petro op data_set`; `petro data` and `petro help data` list them. */
#include "family.h"

const cli_family cli_family_data = {"data", "data", NULL, 0, NULL, NULL, NULL};
