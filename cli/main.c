/* petro: the command-line wallet.
 *
 *   petro [--node URL] [--json] <command> [options]
 *   petro help [GROUP|COMMAND]      petro GROUP [--help]      petro COMMAND --help
 *   petro op NAME --FIELD VALUE...  (any registered operation; cmd_op.c)
 *
 * This file holds the generic commands (query, wallet, op), the option parser, the help
 * texts, and the single configuration function (cli_config_load), which is the only place
 * that reads the environment. The commands of the operation families live in their files,
 * cli/cmd_<family>.c, one table each, walked here through the one list in cli/families.c
 * (family.h). Every command declares its options, so an unknown or repeated option is a usage
 * error (exit 2) before any command code runs.
 *
 * Help is generated, never written per group: there is one group per family table (its
 * summary from the registry, petro/schema.h) between the groups of no family; a group lists
 * its commands, the generated commands of the family operations no command builds
 * (`petro data set`), and the family's operations with their `petro op` usage; `op NAME` and
 * the generated commands get their option list, usage line and help from the operation's
 * field schema. A group and a command may share a name (assets, reserves): `petro NAME` runs
 * the command, `petro help NAME` shows the group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "cmd_op.h"
#include "family.h"
#include "http.h"
#include "opjson.h"
#include "output.h"

#ifndef PETRO_VERSION
#error "PETRO_VERSION (the CMake project version) is defined by cli/CMakeLists.txt"
#endif

typedef cli_opt opt_spec;
typedef cli_command command;

/* ------------------------------------------------------------------ option lists */

static const opt_spec COMMON_OPTS[] = {
    {"node", "URL", .is_required = false},
    {"json", NULL, .is_required = false},
    {"help", NULL, .is_required = false},
    {.name = NULL},
};

static const opt_spec TX_OPTS[] = {
    {"wallet", "FILE", .is_repeatable = true, .is_required = false},
    {"source", "ADDRESS", .is_required = false},
    {"fee", "DECIMAL", .is_required = false},
    {"memo", "TEXT", .is_required = false},
    {"valid-for", "SECONDS", .is_required = false},
    {"sequence", "N", .is_required = false},
    {"wait", NULL, .is_required = false},
    {"dry-run", NULL, .is_required = false},
    {"no-preflight", NULL, .is_required = false},
    {.name = NULL},
};

static const opt_spec NO_OPTS[] = {{.name = NULL}};
static const opt_spec ADDRESS_OPTS[] = {
    {"wallet", "FILE", .is_required = true},
    {"net", "main|test", .is_required = false},
    {.name = NULL},
};
static const opt_spec KEYGEN_OPTS[] = {
    {"out", "FILE", .is_required = true},
    {"name", "NAME", .is_required = false},
    {"net", "main|test", .is_required = false},
    {"devnet", NULL, .is_required = false},
    {.name = NULL},
};

static const opt_spec STATE_PROOF_OPTS[] = {
    {"key", "HEX", .is_required = false},
    {"address", "ADDRESS", .is_required = false},
    {"out", "FILE", .is_required = false},
    {.name = NULL},
};
static const opt_spec BLOCK_OPTS[] = {
    {"validator", "ADDRESS", .is_repeatable = true, .is_required = false},
    {.name = NULL},
};
static const opt_spec VERIFY_STATE_PROOF_OPTS[] = {
    {"validator", "ADDRESS", .is_required = false},
    {.name = NULL},
};

/* ------------------------------------------------------------------ generic commands */

static int cmd_completion(const cli_config *cfg, const cli_args *args);

static const opt_spec CONFIG_OPTS[] = {{.name = NULL}};

/* Commands of no family; every family's commands are in its table (family.h). */
static const command COMMANDS[] = {
    {"status", cmd_status, "", "show the node's network, height and latest block", NULL, 0, 0,
     NO_OPTS, false, NULL, "query"},
    {"balance", cmd_balance, "ADDRESS", "show every balance of an account", NULL, 1, 1, NO_OPTS,
     false, NULL, "query"},
    {"account", cmd_account, "ADDRESS",
     "show an account: sequence, signers, thresholds, balances",
     NULL, 1, 1, NO_OPTS, false, NULL, "query"},
    {"tx", cmd_tx, "HASH", "show a transaction and its result",
     NULL, 1, 1, NO_OPTS, false, NULL, "query"},
    {"block", cmd_block, "latest|HEIGHT [--validator ADDRESS]...",
     "show a block and check it from its bytes",
     "  Checks the hash, the proposer's signature, that the proposer is this network's\n"
     "  validator (the node's status: its proposer, or a cluster's validators; --validator,\n"
     "  repeatable, names the keys you trust instead), the tx and witness roots and every\n"
     "  transaction's signatures. --json prints the node's JSON only, unchecked.\n",
     1, 1, BLOCK_OPTS, false, NULL, "query"},
    {"address", cmd_address, "--wallet FILE [--net main|test]",
     "print the address of a wallet",
     "  Devnet wallets are always test-network (tptr1...) wallets. For other wallets the\n"
     "  network kind comes from --net, else from the node's status. No passphrase needed.\n",
     0, 0, ADDRESS_OPTS, false, NULL, "wallet"},
    {"keygen", cmd_keygen, "--out FILE [--name NAME] [--net main|test] [--devnet]",
     "create a new key in an encrypted wallet file and print its address",
     "  The passphrase comes from PETRO_PASSPHRASE, else it is asked twice on the terminal.\n"
     "  An existing file is never overwritten. --devnet writes an unencrypted devnet-only\n"
     "  wallet instead (refused on main networks). The address is printed for --net, else\n"
     "  for the node's network kind, else (node unreachable) for a test network.\n",
     0, 0, KEYGEN_OPTS, false, NULL, "wallet"},
    {"op", cmd_op, "NAME --FIELD VALUE...",
     "build, sign and submit any registered operation from flags named after its fields",
     "  petro op NAME --help shows the operation's fields: flag, value, kind, limits. A field\n"
     "  marked optional may be left out (it is zero); every other field is required. A list\n"
     "  field takes its flag once per value (--approver A --approver B).\n",
     0, 1, NO_OPTS, true, NULL, "operations"},
    {"completion", cmd_completion, "bash|zsh",
     "print a shell completion script (commands, groups and options)",
     "  bash: source <(petro completion bash), or save it under\n"
     "  /etc/bash_completion.d/petro. zsh: source <(petro completion zsh) (bashcompinit).\n",
     1, 1, NO_OPTS, false, NULL, "shell"},
    {"config", cmd_config, "[show | get KEY | set KEY VALUE | unset KEY]",
     "show or save settings: the node URL (node) and the wallet directory (wallets)",
     "  Settings: node URL (--node and PETRO_NODE come first), wallets DIR (the directory of\n"
     "  wallet names, NAME being DIR/NAME.json; PETRO_WALLETS comes first, ./devnet/wallets\n"
     "  is the default). Saved in $XDG_CONFIG_HOME/petro/config.json, else\n"
     "  ~/.config/petro/config.json (mode 0600). show: each setting, its value and where it\n"
     "  comes from. Example: petro config set node http://10.0.0.5:8420\n",
     0, 3, CONFIG_OPTS, false, NULL, "settings"},
    {"state-proof", cmd_state_proof, "--key HEX | --address ADDRESS [--out FILE]",
     "fetch the proof of a state record (or of an account and its PTR balance) at the latest "
     "signed state root",
     "  The node signs a state root at start-up and every checkpoint interval; the proof is of\n"
     "  the state at that height, and is checked before it is printed or written.\n",
     0, 0, STATE_PROOF_OPTS, false, NULL, "state"},
    {"verify-state-proof", cmd_verify_state_proof, "FILE [--validator ADDRESS]",
     "verify a state proof file offline: shape, leaf, root, signature, validator",
     "  No node needed. Without --validator a signature by any key passes the signature\n"
     "  check: name the validator you trust.\n",
     1, 1, VERIFY_STATE_PROOF_OPTS, false, NULL, "state"},
};
#define COMMAND_COUNT (sizeof COMMANDS / sizeof COMMANDS[0])

static const char TX_HELP[] =
    "Transaction options:\n"
    "  --wallet FILE      sign with this wallet (repeat for multisig); the first wallet's\n"
    "                     account is the source unless --source is given; a NAME is\n"
    "                     the wallet DIR/NAME.json of the wallet directory (petro config)\n"
    "  --source ADDRESS   the account that sends the transaction (e.g. a multisig treasury)\n"
    "  --fee DECIMAL      fee in PTR (default 0.000001 per operation)\n"
    "  --memo TEXT        up to 32 bytes of memo\n"
    "  --valid-for SECS   reject the transaction if not included within SECS seconds\n"
    "  --sequence N       use sequence N instead of the account's sequence + 1\n"
    "  --wait             wait until the transaction is committed and show its result;\n"
    "                     Ctrl-C stops the wait (not the transaction) and prints the hash\n"
    "  --dry-run          print the hash and the signed transaction (hex); submit nothing\n"
    "  --no-preflight     send even what the CLI sees the ledger would refuse (a payment to\n"
    "                     yourself, above the balance, of an asset you hold no line of)\n"
    "Exit status: 0 done, 1 refused or failed, 2 usage, 3 node unreachable, 4 pending (--wait\n"
    "ended before the transaction committed; it may still commit: check with petro tx HASH)\n";

static const char COMMON_HELP[] =
    "Common options (before or after the command):\n"
    "  --node URL         node to talk to (default $PETRO_NODE, else the saved node of\n"
    "                     petro config, else " CLI_DEFAULT_NODE ")\n"
    "  --json             print JSON (the node's answer, and errors) instead of text\n"
    "  --help             show help\n";

/* ------------------------------------------------------------------ commands and groups */

/* The commands: the generic ones (COMMANDS), then each family's table in list order
 * (cli/families.c). k < command_total(). */
static size_t command_total(void) {
    size_t total = COMMAND_COUNT;
    for (size_t i = 0; i < cli_family_count(); i++) total += cli_family_at(i)->command_count;
    return total;
}

/* The k-th command, and the group help lists it in. */
static const command *command_at(size_t k, const char **group) {
    if (k < COMMAND_COUNT) {
        *group = COMMANDS[k].group;
        return &COMMANDS[k];
    }
    k -= COMMAND_COUNT;
    for (size_t i = 0; i < cli_family_count(); i++) {
        const cli_family *f = cli_family_at(i);
        if (k < f->command_count) {
            *group = f->commands[k].group != NULL ? f->commands[k].group : f->group;
            return &f->commands[k];
        }
        k -= f->command_count;
    }
    abort(); /* k >= command_total(): a bug in the caller */
}

/* A command group, as `petro help NAME` and `petro NAME` show it: one per family table (its
 * line from the registry) between the groups of no family. */
typedef struct group {
    const char *name;    /* as typed */
    const char *family;  /* the registry family it serves, or NULL */
    const char *summary; /* the line of a group without a family */
} group;

static const group HEAD_GROUPS[] = {
    {"query", NULL, "read the ledger: node status, accounts, transactions, blocks"},
    {"wallet", NULL, "wallet files and their addresses"},
};
static const group TAIL_GROUPS[] = {
    {"stats", NULL, "statistics the node computes from the ledger"},
    {"settings", NULL, "saved settings: the node URL and the wallet directory of names"},
    {"state", NULL, "prove state records against the validator's signed state root, offline"},
    {"operations", NULL, "any registered operation, built from its fields"},
    {"shell", NULL, "shell completion"},
};
#define HEAD_COUNT (sizeof HEAD_GROUPS / sizeof HEAD_GROUPS[0])
#define TAIL_COUNT (sizeof TAIL_GROUPS / sizeof TAIL_GROUPS[0])

static size_t group_total(void) { return HEAD_COUNT + cli_family_count() + TAIL_COUNT; }

/* The i-th group (i < group_total()) into *g. */
static void group_at(size_t i, group *g) {
    if (i < HEAD_COUNT) {
        *g = HEAD_GROUPS[i];
    } else if (i - HEAD_COUNT < cli_family_count()) {
        const cli_family *f = cli_family_at(i - HEAD_COUNT);
        *g = (group){f->group, f->family, NULL};
    } else {
        *g = TAIL_GROUPS[i - HEAD_COUNT - cli_family_count()];
    }
}

static const char *group_summary(const group *g) {
    const petro_family_info *family = g->family != NULL ? petro_family_find(g->family) : NULL;
    if (family != NULL) return family->summary;
    return g->summary != NULL ? g->summary : "";
}

/* ------------------------------------------------------------------ completion */

/* The words of command names: append word to list (space separated) unless it is there. */
static void words_add(char *list, size_t cap, const char *word_in, size_t len) {
    char word[128];
    if (len == 0 || len >= sizeof word) return;
    memcpy(word, word_in, len);
    word[len] = '\0';
    size_t n = strlen(list);
    const char *p = list;
    while ((p = strstr(p, word)) != NULL) { /* already there as a whole word? */
        bool starts = p == list || p[-1] == ' ';
        bool ends = p[len] == ' ' || p[len] == '\0';
        if (starts && ends) return;
        p++;
    }
    if (n + len + 2 > cap) return;
    if (n > 0) list[n++] = ' ';
    memcpy(list + n, word, len);
    list[n + len] = '\0';
}

static void opts_add(char *list, size_t cap, const opt_spec *opts) {
    for (size_t i = 0; opts != NULL && opts[i].name != NULL; i++) {
        char flag[64];
        int n = snprintf(flag, sizeof flag, "--%s", opts[i].name);
        if (n > 0 && (size_t)n < sizeof flag) words_add(list, cap, flag, (size_t)n);
    }
}

/* petro completion bash|zsh: a script generated from the command tables, so it never lists
 * a command or an option petro does not have. */
static int cmd_completion(const cli_config *cfg, const cli_args *args) {
    (void)cfg;
    const char *shell = args->positional[0];
    bool zsh = strcmp(shell, "zsh") == 0;
    if (!zsh && strcmp(shell, "bash") != 0) {
        return cli_fail(CLI_EXIT_USAGE, "completion: '%s' is not bash or zsh", shell);
    }
    static char first[8192], buf[4096];
    first[0] = '\0';
    words_add(first, sizeof first, "help", 4);
    for (size_t k = 0; k < command_total(); k++) {
        const char *g;
        const command *c = command_at(k, &g);
        words_add(first, sizeof first, c->name, strcspn(c->name, " "));
    }
    for (size_t i = 0; i < group_total(); i++) { /* petro GROUP lists the group's commands */
        group g;
        group_at(i, &g);
        words_add(first, sizeof first, g.name, strlen(g.name));
    }
    printf("# petro shell completion (%s), generated by `petro completion %s`.\n", shell, shell);
    if (zsh) printf("autoload -U +X bashcompinit && bashcompinit\n");
    /* Every command name and group, '|'-separated: the words typed so far make the command
     * while they are one of these or the start of one (then come positional arguments). */
    static char names[16384];
    size_t nn = 0;
    names[nn++] = '|';
    for (size_t k = 0; k < command_total() + group_total(); k++) {
        const char *g, *name;
        group gr;
        if (k < command_total()) {
            name = command_at(k, &g)->name;
        } else {
            group_at(k - command_total(), &gr);
            name = gr.name;
        }
        size_t len = strlen(name);
        if (nn + len + 2 > sizeof names) break;
        memcpy(names + nn, name, len);
        nn += len;
        names[nn++] = '|';
    }
    names[nn] = '\0';
    printf("_petro() {\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
           "    local cmd=\"\" i w c words=\"\" opts=\"--node --json --help\"\n"
           "    local names=\"%s\"\n"
           "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "        w=${COMP_WORDS[i]}\n"
           "        c=\"${cmd:+$cmd }$w\"\n"
           "        [[ $w != -* && ( $names == *\"|$c|\"* || $names == *\"|$c \"* ) ]] || break\n"
           "        cmd=$c\n"
           "    done\n"
           "    case \"$cmd\" in\n"
           "    \"\") words=\"%s\" ;;\n",
           names, first);
    /* The second words of multi-word commands (trade create), by their first word. */
    for (size_t k = 0; k < command_total(); k++) {
        const char *g;
        const command *c = command_at(k, &g);
        size_t len = strcspn(c->name, " ");
        if (c->name[len] == '\0') continue;
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++) {
            const command *d = command_at(j, &g);
            seen = strncmp(d->name, c->name, len) == 0 && d->name[len] == ' ';
        }
        if (seen) continue;
        buf[0] = '\0';
        for (size_t j = k; j < command_total(); j++) {
            const command *d = command_at(j, &g);
            if (strncmp(d->name, c->name, len) == 0 && d->name[len] == ' ') {
                words_add(buf, sizeof buf, d->name + len + 1, strlen(d->name + len + 1));
            }
        }
        printf("    \"%.*s\") words=\"%s\" ;;\n", (int)len, c->name, buf);
    }
    printf("    esac\n    case \"$cmd\" in\n");
    for (size_t k = 0; k < command_total(); k++) {
        const char *g;
        const command *c = command_at(k, &g);
        buf[0] = '\0';
        opts_add(buf, sizeof buf, c->opts);
        if (c->is_tx) opts_add(buf, sizeof buf, TX_OPTS);
        if (buf[0] != '\0') printf("    \"%s\") opts=\"$opts %s\" ;;\n", c->name, buf);
    }
    printf("    esac\n"
           "    if [[ $cur == -* ]]; then\n"
           "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
           "    elif [[ $prev == --* ]]; then\n"
           "        COMPREPLY=() # an option's value: files (complete -o default)\n"
           "    else\n"
           "        COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
           "    fi\n"
           "}\n"
           "complete -o default -F _petro petro\n");
    return fflush(stdout) == 0 ? CLI_EXIT_OK : cli_fail(CLI_EXIT_FAILED, "cannot write");
}


/* A group by its name or by its family's name ("zones" finds zone). */
static bool find_group(const char *name, group *g) {
    for (size_t i = 0; i < group_total(); i++) {
        group_at(i, g);
        if (strcmp(g->name, name) == 0) return true;
        if (g->family != NULL && strcmp(g->family, name) == 0) return true;
    }
    return false;
}

/* ------------------------------------------------------------------ generated commands */

/* The word of a generated command for operation s: its name without "<family>_", with '_'
 * written '-' (data_set: set). */
static void generated_word(char *out, size_t out_size, const petro_op_schema *s) {
    size_t prefix = strlen(s->family);
    const char *word = s->name;
    if (strncmp(word, s->family, prefix) == 0 && word[prefix] == '_') word += prefix + 1;
    int n = snprintf(out, out_size, "%s", word);
    if (n < 0 || (size_t)n >= out_size) out[0] = '\0';
    for (char *c = out; *c != '\0'; c++) {
        if (*c == '_') *c = '-';
    }
}

/* Whether a command of family f's table builds operation s. */
static bool has_command_for(const cli_family *f, const petro_op_schema *s) {
    for (size_t i = 0; i < f->command_count; i++) {
        const cli_alias *a = f->commands[i].alias;
        if (a != NULL && strcmp(a->op, s->name) == 0) return true;
    }
    return false;
}

/* The i-th operation of group g's family that gets a generated command, or NULL. */
static const petro_op_schema *generated_at(const group *g, size_t i) {
    const petro_family_info *info = g->family != NULL ? petro_family_find(g->family) : NULL;
    const cli_family *f = cli_family_of(g->family);
    if (info == NULL || f == NULL || i >= info->op_count) return NULL;
    const petro_op_schema *s = petro_family_op(info, i);
    return has_command_for(f, s) ? NULL : s;
}

/* The generated command `GROUP WORD`, or NULL. */
static const petro_op_schema *find_generated(const char *group_name, const char *word) {
    group g;
    if (word == NULL || !find_group(group_name, &g) || g.family == NULL) return NULL;
    const petro_family_info *info = petro_family_find(g.family);
    for (size_t i = 0; info != NULL && i < info->op_count; i++) {
        const petro_op_schema *s = generated_at(&g, i);
        char w[CMD_OP_FLAG_SIZE];
        if (s != NULL) generated_word(w, sizeof w, s);
        if (s != NULL && strcmp(w, word) == 0) return s;
    }
    return NULL;
}

/* ------------------------------------------------------------------ help */

static bool is_help_flag(const char *arg) {
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static void print_overview(FILE *out) {
    fprintf(out, "usage: petro [--node URL] [--json] <command> [options]\n"
                 "       petro help [GROUP|COMMAND]   petro GROUP   petro COMMAND --help\n"
                 "       petro op NAME --FIELD VALUE...   petro --version\n");
    for (size_t i = 0; i < group_total(); i++) {
        group g;
        group_at(i, &g);
        fprintf(out, "\n%s: %s\n", g.name, group_summary(&g));
        for (size_t k = 0; k < command_total(); k++) {
            const char *in = NULL;
            const command *c = command_at(k, &in);
            if (strcmp(in, g.name) == 0) fprintf(out, "  %-17s %s\n", c->name, c->summary);
        }
        const petro_family_info *info = g.family != NULL ? petro_family_find(g.family) : NULL;
        for (size_t k = 0; info != NULL && k < info->op_count; k++) {
            const petro_op_schema *s = generated_at(&g, k);
            char word[CMD_OP_FLAG_SIZE], name[2 * CMD_OP_FLAG_SIZE];
            if (s == NULL) continue;
            generated_word(word, sizeof word, s);
            (void)snprintf(name, sizeof name, "%s %s", g.name, word);
            fprintf(out, "  %-17s %s\n", name, s->summary);
        }
    }
    fprintf(out, "\n  %-17s %s\n", "help [NAME]", "show a group's commands or a command's usage");
    fprintf(out, "\n%s\nExit status: 0 success, 1 rejected or failed, 2 usage error, "
                 "3 node unreachable, 4 pending.\nWallets and addresses may be given by name "
                 "(--wallet alice, --to bob: DIR/NAME.json of the\nwallet directory, "
                 "$PETRO_WALLETS or ./devnet/wallets).\nSee docs/cli.md for examples.\n",
            COMMON_HELP);
}

static void print_usage_line(FILE *out, const char *prefix, const command *c) {
    fprintf(out, "%spetro %s%s%s%s\n", prefix, c->name, c->synopsis[0] ? " " : "", c->synopsis,
            c->is_tx ? " --wallet FILE [transaction options]" : "");
}

/* The operations of a family, each with its `petro op` usage line. */
static void print_family_ops(FILE *out, const petro_family_info *family) {
    fprintf(out, "\nOperations of the %s family (petro op NAME --help shows the fields):\n",
            family->name);
    for (size_t i = 0; i < family->op_count; i++) {
        const petro_op_schema *s = petro_family_op(family, i);
        char synopsis[CMD_OP_SYNOPSIS_SIZE];
        cmd_op_synopsis(synopsis, sizeof synopsis, s);
        fprintf(out, "  %-22s %s\n      petro op %s %s\n", s->name, s->summary, s->name,
                synopsis);
    }
}

/* A group's commands with their flags (hand-written, then generated), and its family's
 * operations. */
static void print_group_help(FILE *out, const group *g) {
    fprintf(out, "petro %s: %s\n\nCommands:\n", g->name, group_summary(g));
    bool has_tx = false;
    for (size_t k = 0; k < command_total(); k++) {
        const char *in = NULL;
        const command *c = command_at(k, &in);
        if (strcmp(in, g->name) != 0) continue;
        print_usage_line(out, "  ", c);
        fprintf(out, "      %s\n", c->summary);
        has_tx = has_tx || c->is_tx;
    }
    const petro_family_info *family = g->family != NULL ? petro_family_find(g->family) : NULL;
    for (size_t i = 0; family != NULL && i < family->op_count; i++) {
        const petro_op_schema *s = generated_at(g, i);
        if (s == NULL) continue;
        char word[CMD_OP_FLAG_SIZE], synopsis[CMD_OP_SYNOPSIS_SIZE];
        generated_word(word, sizeof word, s);
        cmd_op_synopsis(synopsis, sizeof synopsis, s);
        fprintf(out, "  petro %s %s %s --wallet FILE [transaction options]\n      %s "
                     "(generated from the operation %s)\n",
                g->name, word, synopsis, s->summary, s->name);
        has_tx = true;
    }
    if (family != NULL && family->op_count > 0) print_family_ops(out, family);
    fprintf(out, "\nEach command's details: petro COMMAND --help.\n");
    if (has_tx) fprintf(out, "\n%s", TX_HELP);
    fprintf(out, "\n%s", COMMON_HELP);
}

/* One line of an alias's map: the option (or where the value comes from) and its field. */
static void print_alias_field(FILE *out, const petro_op_schema *s, const char *from,
                              const char *field, const char *note, const char *note_value) {
    bool is_field = false;
    for (uint8_t i = 0; s != NULL && i < s->field_count; i++) {
        is_field = is_field || strcmp(s->fields[i].name, field) == 0;
    }
    fprintf(out, "    %-20s -> %s%s%s%s%s\n", from, field, note != NULL ? " (" : "",
            note != NULL ? note : "", note_value != NULL ? note_value : "",
            note != NULL ? ")" : "");
    if (!is_field) {
        fprintf(out, "    NOT A FIELD OF %s: %s (a CLI bug)\n", s != NULL ? s->name : "?", field);
    }
}

/* What an alias command builds: the operation and which option fills which field. */
static void print_alias(FILE *out, const command *c) {
    const petro_op_schema *s = petro_op_schema_find(c->alias->op);
    fprintf(out, "\n  Builds the operation %s (petro op %s --help shows its fields):\n",
            c->alias->op, c->alias->op);
    if (s == NULL) fprintf(out, "    NOT AN OPERATION: %s (a CLI bug)\n", c->alias->op);
    char from[CMD_OP_FLAG_SIZE];
    for (size_t i = 0; c->opts[i].name != NULL; i++) {
        const cli_opt *o = &c->opts[i];
        if (o->field == NULL) continue;
        char note[96] = "";
        int n = 0;
        if (o->value != NULL) n = snprintf(note, sizeof note, "given: %s", o->value);
        if (o->fallback != NULL && n >= 0 && (size_t)n < sizeof note) {
            (void)snprintf(note + n, sizeof note - (size_t)n, "%sdefault %s", n > 0 ? "; " : "",
                           o->fallback);
        }
        (void)snprintf(from, sizeof from, "--%s", o->name);
        print_alias_field(out, s, from, o->field, note[0] != '\0' ? note : NULL, NULL);
    }
    const cli_field_map *extra = c->alias->extra;
    for (size_t i = 0; extra != NULL && extra[i].field != NULL; i++) {
        const bool is_fixed = extra[i].key == NULL;
        print_alias_field(out, s, is_fixed ? "(fixed)" : "(computed)", extra[i].field,
                          is_fixed ? "= " : NULL, extra[i].fixed);
    }
}

static void print_command_help(FILE *out, const command *c) {
    print_usage_line(out, "usage: ", c);
    fprintf(out, "\n%s.\n", c->summary);
    if (c->details != NULL) fprintf(out, "\n%s", c->details);
    if (c->alias != NULL) print_alias(out, c);
    if (c->handler == cmd_op) { /* the list of what NAME may be */
        fprintf(out, "\n");
        cmd_op_print_list(out);
    }
    fprintf(out, "\n%s", c->is_tx ? TX_HELP : "");
    fprintf(out, "%s%s", c->is_tx ? "\n" : "", COMMON_HELP);
}

/* `petro op NAME --help`: the command built from the schema. */
static void print_op_help(FILE *out, const command *c, const petro_op_schema *schema) {
    print_usage_line(out, "usage: ", c);
    fprintf(out, "\n");
    cmd_op_print_fields(out, schema);
    fprintf(out, "\n%s\n%s", TX_HELP, COMMON_HELP);
}

static const command *find_command(const char *name) {
    for (size_t k = 0; k < command_total(); k++) {
        const char *in = NULL;
        const command *c = command_at(k, &in);
        if (strcmp(c->name, name) == 0) return c;
    }
    return NULL;
}

/* A two-word command ("trade create"). */
static const command *find_command2(const char *first, const char *second) {
    char name[64];
    int n = snprintf(name, sizeof name, "%s %s", first, second);
    if (n < 0 || (size_t)n >= sizeof name) return NULL;
    return find_command(name);
}

/* ------------------------------------------------------------------ options */

const char *args_get(const cli_args *args, const char *name) {
    const char *value = NULL;
    for (size_t i = 0; i < args->opt_count; i++) {
        if (strcmp(args->opts[i].name, name) == 0) value = args->opts[i].value;
    }
    return value;
}

bool args_has(const cli_args *args, const char *name) {
    for (size_t i = 0; i < args->opt_count; i++) {
        if (strcmp(args->opts[i].name, name) == 0) return true;
    }
    return false;
}

size_t args_get_all(const cli_args *args, const char *name, const char **out, size_t max) {
    size_t count = 0;
    for (size_t i = 0; i < args->opt_count && count < max; i++) {
        if (strcmp(args->opts[i].name, name) == 0) out[count++] = args->opts[i].value;
    }
    return count;
}

int args_set(cli_args *args, const char *name, const char *value) {
    size_t kept = 0;
    for (size_t i = 0; i < args->opt_count; i++) {
        if (strcmp(args->opts[i].name, name) != 0) args->opts[kept++] = args->opts[i];
    }
    args->opt_count = kept;
    if (args->opt_count >= CLI_ARGS_OPTS_MAX) {
        return cli_fail(CLI_EXIT_USAGE, "%s: too many options", args->command);
    }
    args->opts[args->opt_count].name = name;
    args->opts[args->opt_count].value = value;
    args->opt_count++;
    return CLI_EXIT_OK;
}

static const opt_spec *find_in(const opt_spec *list, const char *name, size_t name_len) {
    for (size_t i = 0; list[i].name != NULL; i++) {
        if (strlen(list[i].name) == name_len && strncmp(list[i].name, name, name_len) == 0) {
            return &list[i];
        }
    }
    return NULL;
}

static const opt_spec *find_opt(const command *c, const char *name, size_t name_len) {
    const opt_spec *s = find_in(COMMON_OPTS, name, name_len);
    if (s == NULL) s = find_in(c->opts, name, name_len);
    if (s == NULL && c->is_tx) s = find_in(TX_OPTS, name, name_len);
    return s;
}

/* Parse argv[first..argc) of command c into args. */
static int parse_command_args(cli_args *args, const command *c, int argc, char **argv,
                              int first) {
    bool options_done = false;
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (options_done || strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (!options_done && strcmp(arg, "--") == 0) {
                options_done = true;
                continue;
            }
            if (args->positional_count >= c->positional_max) {
                return cli_fail(CLI_EXIT_USAGE,
                                "%s: unexpected argument '%s' (see petro %s --help)", c->name,
                                arg, c->name);
            }
            args->positional[args->positional_count++] = arg;
            continue;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        const opt_spec *spec = find_opt(c, name, name_len);
        if (spec == NULL) {
            return cli_fail(CLI_EXIT_USAGE, "%s: unknown option --%.*s (see petro %s --help)",
                            c->name, (int)name_len, name, c->name);
        }
        const char *value = NULL;
        if (spec->value_name != NULL) {
            if (eq != NULL) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                return cli_fail(CLI_EXIT_USAGE, "%s: --%s needs a value %s", c->name, spec->name,
                                spec->value_name);
            }
        } else if (eq != NULL) {
            return cli_fail(CLI_EXIT_USAGE, "%s: --%s takes no value", c->name, spec->name);
        }
        if (!spec->is_repeatable && args_has(args, spec->name)) {
            return cli_fail(CLI_EXIT_USAGE, "%s: --%s given more than once", c->name, spec->name);
        }
        if (args->opt_count >= CLI_ARGS_OPTS_MAX) {
            return cli_fail(CLI_EXIT_USAGE, "%s: too many options", c->name);
        }
        args->opts[args->opt_count].name = spec->name;
        args->opts[args->opt_count].value = value;
        args->opt_count++;
    }
    return CLI_EXIT_OK;
}

/* Required options and positional counts, checked after --help had its chance. */
static int check_required(const cli_args *args, const command *c) {
    for (size_t i = 0; c->opts[i].name != NULL; i++) {
        if (c->opts[i].is_required && !args_has(args, c->opts[i].name)) {
            return cli_fail(CLI_EXIT_USAGE, "%s: missing --%s %s (usage: petro %s %s)", c->name,
                            c->opts[i].name, c->opts[i].value_name ? c->opts[i].value_name : "",
                            c->name, c->synopsis);
        }
    }
    if (c->is_tx && !args_has(args, "wallet")) {
        return cli_fail(CLI_EXIT_USAGE, "%s: missing --wallet FILE (the key that signs)", c->name);
    }
    if (args->positional_count < c->positional_min) {
        return cli_fail(CLI_EXIT_USAGE, "%s: missing %s (usage: petro %s %s)", c->name,
                        c->synopsis, c->name, c->synopsis);
    }
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ op NAME */

/* `op NAME`: the op command with NAME's fields as its options (lists repeatable, fields not
 * F_OPTIONAL required) and their flags as its usage line. */
typedef struct op_command {
    command c;
    const petro_op_schema *schema;
    char name[64]; /* "op payment" */
    char synopsis[CMD_OP_SYNOPSIS_SIZE];
    char flags[CMD_OP_FIELDS_MAX][CMD_OP_FLAG_SIZE]; /* "--field-name"; opts name it past "--" */
    opt_spec opts[CMD_OP_FIELDS_MAX + 1];
} op_command;

/* cmd_name: the generated command's name ("data set"), or NULL for "op NAME". */
static int op_command_init(op_command *oc, const command *op, const char *op_name,
                           const char *cmd_name) {
    memset(oc, 0, sizeof *oc);
    oc->schema = petro_op_schema_find(op_name);
    if (oc->schema == NULL) {
        return cli_fail(CLI_EXIT_USAGE, "op: unknown operation '%s' (petro op lists them)",
                        op_name);
    }
    const petro_op_schema *s = oc->schema;
    int n = cmd_name != NULL ? snprintf(oc->name, sizeof oc->name, "%s", cmd_name)
                             : snprintf(oc->name, sizeof oc->name, "op %s", s->name);
    if (n < 0 || (size_t)n >= sizeof oc->name || s->field_count > CMD_OP_FIELDS_MAX) {
        return cli_fail(CLI_EXIT_FAILED, "op %s: too large for the CLI; use the API", s->name);
    }
    for (uint8_t i = 0; i < s->field_count; i++) {
        const petro_field *f = &s->fields[i];
        opjson_flag_name(oc->flags[i], CMD_OP_FLAG_SIZE, f);
        const char *flag = oc->flags[i] + 2;
        if (oc->flags[i][0] == '\0' || find_in(COMMON_OPTS, flag, strlen(flag)) != NULL ||
            find_in(TX_OPTS, flag, strlen(flag)) != NULL) {
            return cli_fail(CLI_EXIT_FAILED, "op %s: field %s has no usable flag; use the API",
                            s->name, f->name);
        }
        oc->opts[i] = (opt_spec){flag, cmd_op_value_name(f), f->list_max > 0,
                                 (f->flags & PETRO_FIELD_F_OPTIONAL) == 0, .field = NULL};
    }
    cmd_op_synopsis(oc->synopsis, sizeof oc->synopsis, s);
    oc->c = *op;
    oc->c.name = oc->name;
    oc->c.synopsis = oc->synopsis;
    oc->c.summary = s->summary;
    oc->c.positional_min = 1; /* NAME, preset by run_command */
    oc->c.positional_max = 1;
    oc->c.opts = oc->opts;
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ configuration */

static int set_node_url(cli_config *cfg, const char *url) {
    size_t len = strlen(url);
    while (len > 0 && url[len - 1] == '/') len--;
    if (len == 0) return cli_fail(CLI_EXIT_USAGE, "empty node URL");
    if (len >= sizeof cfg->node_url) return cli_fail(CLI_EXIT_USAGE, "node URL too long");
    memcpy(cfg->node_url, url, len);
    cfg->node_url[len] = '\0';
    return CLI_EXIT_OK;
}

/* The one place that reads the environment (PETRO_NODE, PETRO_PASSPHRASE, PETRO_WALLETS, and
 * XDG_CONFIG_HOME / HOME for the settings file) and the saved settings (config.c). The node:
 * --node (run_command), else PETRO_NODE, else the saved node, else the default. */
static int cli_config_load(cli_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cli_settings_load(&cfg->saved, getenv("XDG_CONFIG_HOME"), getenv("HOME"));
    const char *node = getenv("PETRO_NODE");
    int rc = CLI_EXIT_OK;
    if (node != NULL && node[0] != '\0') {
        rc = set_node_url(cfg, node);
        cfg->node_from = "PETRO_NODE";
    } else if (cfg->saved.node[0] != '\0' && cfg->saved.error[0] == '\0') {
        rc = set_node_url(cfg, cfg->saved.node);
        cfg->node_from = "config file";
    } else {
        rc = set_node_url(cfg, CLI_DEFAULT_NODE);
        cfg->node_from = "default";
    }
    if (rc != CLI_EXIT_OK) return rc;
    cfg->passphrase_env = getenv("PETRO_PASSPHRASE");
    cfg->wallets_env = getenv("PETRO_WALLETS");
    return CLI_EXIT_OK;
}

/* Wallet names (names.c) in place of wallet files and of addresses, before the command sees
 * its arguments: every option whose value is a wallet FILE, an ADDRESS or an asset's ISSUER,
 * and the ADDRESS argument of balance and account. */
static int resolve_names(const cli_config *cfg, cli_args *args, const command *c) {
    for (size_t i = 0; i < args->opt_count; i++) {
        const char *name = args->opts[i].name;
        const opt_spec *spec = find_opt(c, name, strlen(name));
        const char *kind = spec != NULL ? spec->value_name : NULL;
        if (kind == NULL || args->opts[i].value == NULL) continue;
        char what[CLI_TX_WHAT_SIZE];
        (void)snprintf(what, sizeof what, "--%s", name); /* what is for messages only */
        const char **value = &args->opts[i].value;
        int rc = CLI_EXIT_OK;
        bool is_wallet = strcmp(name, "wallet") == 0 || strcmp(name, "counter-wallet") == 0;
        if (is_wallet && strcmp(kind, "FILE") == 0) {
            rc = names_wallet(cfg, what, *value, value);
        } else if (strcmp(kind, "ADDRESS") == 0) {
            rc = names_address(cfg, what, *value, value);
        } else if (strstr(kind, "ISSUER") != NULL) {
            rc = names_asset(cfg, what, *value, value);
        }
        if (rc != CLI_EXIT_OK) return rc;
    }
    if (args->positional_count > 0 && strncmp(c->synopsis, "ADDRESS", 7) == 0) {
        return names_address(cfg, "address", args->positional[0], &args->positional[0]);
    }
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ main */

/* Global options before the command. Returns the index of the command word, or -1 after
 * printing help or the version (*status set), or -2 on an error (*status set). */
static int parse_global(cli_config *cfg, int argc, char **argv, int *status) {
    int i = 1;
    while (i < argc && strncmp(argv[i], "-", 1) == 0) {
        const char *arg = argv[i];
        *status = CLI_EXIT_OK;
        if (strcmp(arg, "--json") == 0) {
            cfg->json = true;
        } else if (is_help_flag(arg)) {
            print_overview(stdout);
            return -1;
        } else if (strcmp(arg, "--version") == 0) {
            printf("petro %s\n", PETRO_VERSION);
            return -1;
        } else if (strcmp(arg, "--node") == 0 || strncmp(arg, "--node=", 7) == 0) {
            const char *url = arg[6] == '=' ? arg + 7 : (i + 1 < argc ? argv[++i] : NULL);
            *status = url != NULL ? set_node_url(cfg, url)
                                  : cli_fail(CLI_EXIT_USAGE, "--node needs a URL");
            if (*status != CLI_EXIT_OK) return -2;
            cfg->node_from = "--node";
        } else {
            *status = cli_fail(CLI_EXIT_USAGE, "unknown option %s (see petro help)", arg);
            return -2;
        }
        i++;
    }
    if (i >= argc) {
        *status = cli_fail(CLI_EXIT_USAGE, "no command given (see petro help)");
        return -2;
    }
    return i;
}

/* The generated command `GROUP WORD` as an op command (oc), if it exists. */
static bool generated_command(op_command *oc, const char *group_name, const char *word,
                              int *status) {
    const petro_op_schema *s = find_generated(group_name, word);
    if (s == NULL) return false;
    char name[64];
    int n = snprintf(name, sizeof name, "%s %s", group_name, word);
    if (n < 0 || (size_t)n >= sizeof name) return false;
    *status = op_command_init(oc, find_command("op"), s->name, name);
    return true;
}

/* petro help [GROUP | COMMAND | WORD COMMAND | op NAME | GROUP WORD]. */
static int run_help(int argc, char **argv, int cmd_index) {
    if (cmd_index + 1 >= argc) {
        print_overview(stdout);
        return CLI_EXIT_OK;
    }
    const char *first = argv[cmd_index + 1];
    const char *second = cmd_index + 2 < argc ? argv[cmd_index + 2] : NULL;
    group g;
    if (second == NULL && find_group(first, &g)) {
        print_group_help(stdout, &g);
        return CLI_EXIT_OK;
    }
    const command *c = find_command(first);
    op_command oc;
    int status = CLI_EXIT_OK;
    if (c != NULL && c->handler == cmd_op && second != NULL) {
        status = op_command_init(&oc, c, second, NULL);
        if (status == CLI_EXIT_OK) print_op_help(stdout, &oc.c, oc.schema);
        return status;
    }
    if (c == NULL && second != NULL) c = find_command2(first, second);
    if (c == NULL && generated_command(&oc, first, second, &status)) {
        if (status == CLI_EXIT_OK) print_op_help(stdout, &oc.c, oc.schema);
        return status;
    }
    if (c == NULL) {
        return cli_fail(CLI_EXIT_USAGE, "unknown command '%s%s%s' (see petro help)", first,
                        second != NULL ? " " : "", second != NULL ? second : "");
    }
    print_command_help(stdout, c);
    return CLI_EXIT_OK;
}

/* A word that is no command: a group's help, or an unknown command. */
static int run_group(int argc, char **argv, int cmd_index) {
    const char *name = argv[cmd_index];
    const char *next = cmd_index + 1 < argc ? argv[cmd_index + 1] : NULL;
    group g;
    if (!find_group(name, &g)) {
        return cli_fail(CLI_EXIT_USAGE, "unknown command '%s' (see petro help)", name);
    }
    if (next == NULL || is_help_flag(next)) {
        print_group_help(stdout, &g);
        return CLI_EXIT_OK;
    }
    return cli_fail(CLI_EXIT_USAGE, "unknown command '%s %s' (petro help %s lists the commands)",
                    name, next, g.name);
}

/* Parse, check and run command c on argv[first..); schema: c is `op NAME`, else NULL. */
static int run_command(cli_config *cfg, const command *c, const petro_op_schema *schema,
                       int argc, char **argv, int first) {
    cli_args args;
    memset(&args, 0, sizeof args);
    args.command = c->name;
    args.cmd = c;
    if (schema != NULL) args.positional[args.positional_count++] = schema->name;
    int status = parse_command_args(&args, c, argc, argv, first);
    if (status != CLI_EXIT_OK) return status;
    if (args_has(&args, "help")) {
        if (schema != NULL) {
            print_op_help(stdout, c, schema);
        } else {
            print_command_help(stdout, c);
        }
        return CLI_EXIT_OK;
    }
    if (args_has(&args, "json")) cfg->json = true;
    const char *node = args_get(&args, "node");
    if (node != NULL) {
        status = set_node_url(cfg, node);
        if (status != CLI_EXIT_OK) return status;
        cfg->node_from = "--node";
    }
    status = check_required(&args, c);
    if (status != CLI_EXIT_OK) return status;
    if (cfg->saved.error[0] != '\0' && c->handler != cmd_config) {
        return cli_fail(CLI_EXIT_USAGE, "cannot read the settings file %s; fix or remove it",
                        cfg->saved.error);
    }
    if (sodium_init() < 0) return cli_fail(CLI_EXIT_FAILED, "cannot initialise libsodium");
    status = http_global_init();
    if (status != CLI_EXIT_OK) return status;
    status = resolve_names(cfg, &args, c);
    if (status == CLI_EXIT_OK) {
        status = c->handler != NULL ? c->handler(cfg, &args) : cmd_alias(cfg, &args);
    }
    http_global_deinit();
    return status;
}

/* petro op [NAME ...]: without NAME (or with --help), the op command's help and the list. */
static int run_op(cli_config *cfg, const command *op, int argc, char **argv, int cmd_index) {
    const char *name = cmd_index + 1 < argc ? argv[cmd_index + 1] : NULL;
    if (name == NULL || is_help_flag(name)) {
        print_command_help(stdout, op);
        return CLI_EXIT_OK;
    }
    if (name[0] == '-') {
        return cli_fail(CLI_EXIT_USAGE, "op: the operation's NAME comes first: petro op NAME "
                                        "--FIELD VALUE... (petro op lists them)");
    }
    op_command oc;
    int status = op_command_init(&oc, op, name, NULL);
    if (status != CLI_EXIT_OK) return status;
    return run_command(cfg, &oc.c, oc.schema, argc, argv, cmd_index + 2);
}

static int run(int argc, char **argv) {
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--json") == 0) cli_output_json_errors(); /* even a usage error */
    }
    cli_config cfg;
    int status = cli_config_load(&cfg);
    if (status != CLI_EXIT_OK) return status;
    if (argc <= 1) {
        print_overview(stdout);
        return CLI_EXIT_OK;
    }
    int cmd_index = parse_global(&cfg, argc, argv, &status);
    if (cmd_index < 0) return status;
    const char *name = argv[cmd_index];
    if (strcmp(name, "help") == 0) return run_help(argc, argv, cmd_index);
    const command *c = find_command(name);
    if (c == NULL && cmd_index + 1 < argc) { /* two-word commands: "trade create" */
        c = find_command2(name, argv[cmd_index + 1]);
        if (c != NULL) cmd_index++;
    }
    if (c == NULL && cmd_index + 1 < argc) { /* generated: "data set" */
        static op_command oc; /* large; one per process */
        if (generated_command(&oc, name, argv[cmd_index + 1], &status)) {
            if (status != CLI_EXIT_OK) return status;
            return run_command(&cfg, &oc.c, oc.schema, argc, argv, cmd_index + 2);
        }
    }
    if (c == NULL) return run_group(argc, argv, cmd_index);
    if (c->handler == cmd_op) return run_op(&cfg, c, argc, argv, cmd_index);
    return run_command(&cfg, c, NULL, argc, argv, cmd_index + 1);
}

int main(int argc, char **argv) {
    int status = run(argc, argv);
    if (fflush(stdout) != 0 && status == CLI_EXIT_OK) {
        status = cli_fail(CLI_EXIT_FAILED, "cannot write to standard output");
    }
    return status;
}
