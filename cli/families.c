/* petro CLI: the one list of the families' command tables (cli/family.h), one line per
 * family in registry order (libpetro/families.def). Adding a family's CLI = its file
 * cli/cmd_<family>.c and one line here; test_cli_help.py checks that every registered family
 * has a group. */
#include "family.h"

#include <string.h>

#include "petro/schema.h"

extern const cli_family cli_family_accounts;
extern const cli_family cli_family_payments;
extern const cli_family cli_family_assets;
extern const cli_family cli_family_reserves;
extern const cli_family cli_family_trade;
extern const cli_family cli_family_zones;
extern const cli_family cli_family_data;

static const cli_family *const FAMILIES[] = {
    &cli_family_accounts,
    &cli_family_payments,
    &cli_family_assets,
    &cli_family_reserves,
    &cli_family_trade,
    &cli_family_zones,
    &cli_family_data,
};
#define FAMILY_COUNT (sizeof FAMILIES / sizeof FAMILIES[0])

size_t cli_family_count(void) { return FAMILY_COUNT; }

const cli_family *cli_family_at(size_t i) { return i < FAMILY_COUNT ? FAMILIES[i] : NULL; }

const cli_family *cli_family_of(const char *family) {
    for (size_t i = 0; family != NULL && i < FAMILY_COUNT; i++) {
        if (strcmp(FAMILIES[i]->family, family) == 0) return FAMILIES[i];
    }
    return NULL;
}

const cli_family *cli_family_of_op(const char *op_name) {
    const petro_op_schema *schema = op_name != NULL ? petro_op_schema_find(op_name) : NULL;
    return schema != NULL ? cli_family_of(schema->family) : NULL;
}

const cli_command *cli_command_find(const char *name) {
    for (size_t i = 0; i < FAMILY_COUNT; i++) {
        for (size_t k = 0; k < FAMILIES[i]->command_count; k++) {
            if (strcmp(FAMILIES[i]->commands[k].name, name) == 0) return &FAMILIES[i]->commands[k];
        }
    }
    return NULL;
}

int cli_run_alias_of(const cli_config *cfg, const cli_args *args, const char *command_name) {
    const cli_command *c = cli_command_find(command_name);
    if (c == NULL || c->alias == NULL) {
        return cli_fail(CLI_EXIT_FAILED, "%s: no command %s (a CLI bug)", args->command,
                        command_name);
    }
    cli_args copy = *args;
    copy.cmd = c;
    return cmd_alias(cfg, &copy);
}
