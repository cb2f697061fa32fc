/* petro CLI transaction pipeline: every command that submits an operation (the families'
 * commands in cli/cmd_<family>.c and `petro op`, built by cmd_op.c) hands it to
 * cli_tx_submit, which does the same steps for all of them, in an order chosen so that cheap
 * local mistakes are reported before anything touches the network or a passphrase is asked
 * for. Nothing here names an operation: a failed operation is explained by its family's
 * callback (family.h), else by its result's sentence.
 *   1. the operation's arguments were parsed by the caller; parse the common options (memo,
 *      fee, sequence...);
 *   2. GET /v1/status: network id and net kind; check every address against the net kind;
 *   3. open the wallets (devnet wallets refused on main networks; passphrases asked);
 *   4. the source (--source, else the first wallet) and its sequence (GET /v1/accounts);
 *   5. build, check, sign with every wallet, wipe the keys, encode;
 *   6. with --dry-run, print the hash and the signed transaction and stop; else
 *      POST /v1/transactions (?wait=commit with --wait) and report the answer; an included
 *      transaction whose operation failed exits 1 with the operation's reason. A transaction
 *      that may still commit exits 4 (pending) with its hash: the wait ran out, Ctrl-C
 *      stopped it (SIGINT is caught only while waiting, and stops the wait, never the
 *      transaction), or the node holds it pending already (duplicate_tx of a resubmission).
 * Keys are wiped (wallet_key_deinit) as soon as the transaction is signed, and on every
 * failure path before that. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "family.h"
#include "http.h"
#include "output.h"
#include "parse.h"
#include "petro/schema.h"

#define TX_ADDRS_MAX CLI_TX_ADDRS_MAX
#define TX_VALID_FOR_MAX_S UINT64_C(315360000) /* ten years */
#define TX_PATH_SIZE_MAX 256

typedef struct tx_job {
    const cli_config *cfg;
    const cli_args *args;
    cli_tx_op *txo;
    petro_net_kind addr_kinds[TX_ADDRS_MAX]; /* of txo->texts, found in step 1 */
    /* Filled by tx_run. */
    petro_net_kind net;
    petro_hash network_id;
    petro_pubkey source;
    size_t key_count;
    wallet_key keys[PETRO_TX_SIGS_MAX];
} tx_job;

static void job_release_keys(tx_job *job) {
    for (size_t i = 0; i < job->key_count; i++) wallet_key_deinit(&job->keys[i]);
    job->key_count = 0;
}

/* ------------------------------------------------------------------ step 1: common options */

typedef struct tx_options {
    petro_amount fee;
    bool has_fee;
    uint64_t valid_for_s;
    bool has_sequence;
    uint64_t sequence;
    size_t memo_size;
    const char *memo;
    bool wait;
    bool dry_run;
    bool no_preflight;
} tx_options;

static int parse_options(tx_options *o, const cli_args *args) {
    memset(o, 0, sizeof *o);
    const char *fee = args_get(args, "fee");
    if (fee != NULL) {
        int rc = parse_amount_nonneg(&o->fee, "--fee", fee);
        if (rc != CLI_EXIT_OK) return rc;
        o->has_fee = true;
    }
    int rc = parse_uint_opt(&o->valid_for_s, "--valid-for", args_get(args, "valid-for"), 1,
                            TX_VALID_FOR_MAX_S);
    if (rc != CLI_EXIT_OK) return rc;
    const char *sequence = args_get(args, "sequence");
    if (sequence != NULL) {
        rc = parse_uint(&o->sequence, "--sequence", sequence, 1, UINT64_MAX);
        if (rc != CLI_EXIT_OK) return rc;
        o->has_sequence = true;
    }
    o->memo = args_get(args, "memo");
    if (o->memo != NULL) {
        o->memo_size = strlen(o->memo);
        if (o->memo_size > PETRO_MEMO_SIZE_MAX) {
            return cli_fail(CLI_EXIT_USAGE, "--memo: %zu bytes, but a memo holds at most %d",
                            o->memo_size, PETRO_MEMO_SIZE_MAX);
        }
    }
    o->wait = args_has(args, "wait");
    o->dry_run = args_has(args, "dry-run");
    o->no_preflight = args_has(args, "no-preflight");
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ steps 2-4 */

/* Step 1: the network kind of every address argument (each was parsed by the caller). */
static int find_address_kinds(tx_job *job) {
    const cli_tx_op *t = job->txo;
    if (t->addr_count > TX_ADDRS_MAX) {
        return cli_fail(CLI_EXIT_USAGE, "%s: more than %d addresses", job->args->command,
                        TX_ADDRS_MAX);
    }
    for (size_t i = 0; i < t->addr_count; i++) {
        petro_pubkey unused;
        int rc = parse_address_any(&unused, &job->addr_kinds[i], t->whats[i], t->texts[i]);
        if (rc != CLI_EXIT_OK) return rc;
    }
    return CLI_EXIT_OK;
}

static int check_addresses(const tx_job *job) {
    const cli_tx_op *t = job->txo;
    for (size_t i = 0; i < t->addr_count; i++) {
        if (job->addr_kinds[i] != job->net) {
            return cli_fail(CLI_EXIT_USAGE,
                            "%s %s: address is for a %s network, but the node runs a %s "
                            "network (wrong_address_prefix)",
                            t->whats[i], t->texts[i], net_kind_name(job->addr_kinds[i]),
                            net_kind_name(job->net));
        }
    }
    return CLI_EXIT_OK;
}

static int open_wallets(tx_job *job) {
    const char *paths[PETRO_TX_SIGS_MAX + 1];
    size_t count = args_get_all(job->args, "wallet", paths, PETRO_TX_SIGS_MAX + 1);
    if (count > PETRO_TX_SIGS_MAX) {
        return cli_fail(CLI_EXIT_USAGE, "at most %d --wallet options", PETRO_TX_SIGS_MAX);
    }
    for (size_t i = 0; i < count; i++) {
        wallet_key *key = &job->keys[job->key_count];
        memset(key, 0, sizeof *key);
        int rc = wallet_open(job->cfg, paths[i], job->net, key);
        if (rc != CLI_EXIT_OK) return rc;
        job->key_count++;
        for (size_t j = 0; j + 1 < job->key_count; j++) {
            if (petro_pubkey_equal(&job->keys[j].pk, &key->pk)) {
                return cli_fail(CLI_EXIT_USAGE, "--wallet %s: the same key is given twice",
                                paths[i]);
            }
        }
    }
    return CLI_EXIT_OK;
}

/* The sequence to sign, from GET /v1/accounts/{source}: its next_sequence (after the committed
 * and the pending transactions), else sequence + 1. *account receives the answer (owned). */
static int next_sequence(const tx_job *job, const char *source_addr, uint64_t *sequence,
                         json_t **account) {
    *account = NULL;
    char path[TX_PATH_SIZE_MAX];
    (void)snprintf(path, sizeof path, "/v1/accounts/%s", source_addr); /* address: fits */
    node_reply reply;
    int rc = node_get(job->cfg, path, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (reply.is_error) {
        if (reply.error == PETRO_ERR_NOT_FOUND) {
            rc = cli_fail(CLI_EXIT_FAILED, "source account %s does not exist (no_source_account)",
                          source_addr);
        } else {
            rc = node_fail(&reply, "cannot read the source account");
        }
        node_reply_deinit(&reply);
        return rc;
    }
    long long seq = -1, next = -1;
    if (!jint(reply.body, "sequence", &seq) || seq < 0 || (unsigned long long)seq == UINT64_MAX) {
        node_reply_deinit(&reply);
        return cli_fail(CLI_EXIT_FAILED, "the node's account answer has no valid \"sequence\"");
    }
    /* Pending transactions of the account already hold the next sequences. */
    *sequence = jint(reply.body, "next_sequence", &next) && next > seq ? (uint64_t)next
                                                                      : (uint64_t)seq + 1;
    *account = json_incref(reply.body);
    node_reply_deinit(&reply);
    return CLI_EXIT_OK;
}

/* Step 4b: what the family knows the ledger would refuse, refused before anything is signed
 * (family.h, preflight); --no-preflight sends it anyway. */
static int preflight(tx_job *job, const tx_options *o, const json_t *account,
                     const char *source) {
    const petro_op_schema *schema = petro_op_schema_of(job->txo->op.type);
    const cli_family *family = schema != NULL ? cli_family_of(schema->family) : NULL;
    if (family == NULL || family->preflight == NULL || account == NULL) return CLI_EXIT_OK;
    cli_preflight p;
    memset(&p, 0, sizeof p);
    p.as_failure = (cli_op_failure){job->cfg, job->args, &job->txo->op, source, job->net, NULL};
    p.source_key = &job->source;
    p.account = account;
    p.fee = o->has_fee ? o->fee : PETRO_BASE_FEE;
    int rc = family->preflight(&p);
    return rc < 0 ? CLI_EXIT_OK : rc;
}

/* ------------------------------------------------------------------ step 5 */

/* Build, sign and encode. hex receives the envelope, id_hex the transaction id. */
static int build_and_sign(tx_job *job, const tx_options *o, uint64_t sequence, char *hex,
                          size_t hex_cap, char id_hex[65]) {
    static petro_tx tx; /* ~3.5 KiB; static keeps the stack small in this one-shot program */
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.network_id = job->network_id;
    tx.source = job->source;
    tx.sequence = sequence;
    tx.op_count = 1;
    tx.ops[0] = job->txo->op;
    tx.fee = o->has_fee ? o->fee : PETRO_BASE_FEE * (petro_amount)tx.op_count;
    if (o->valid_for_s > 0) {
        uint64_t now = cli_now_ms();
        if (now == 0) return cli_fail(CLI_EXIT_FAILED, "cannot read the clock for --valid-for");
        tx.valid_until_ms = now + o->valid_for_s * 1000u;
    }
    tx.memo_size = (uint8_t)o->memo_size;
    if (o->memo_size > 0) memcpy(tx.memo, o->memo, o->memo_size);

    petro_result r = petro_tx_check(&tx);
    for (size_t i = 0; r == PETRO_OK && i < job->key_count; i++) {
        r = petro_tx_sign(&tx, &job->keys[i].pk, job->keys[i].sk);
    }
    job_release_keys(job); /* signed (or failed): the keys are no longer needed */
    if (r != PETRO_OK) {
        return cli_fail(CLI_EXIT_USAGE, "cannot build the transaction: %s (%s)",
                        petro_result_str(r), petro_result_name(r));
    }
    uint8_t bytes[PETRO_TX_SIZE_MAX];
    size_t size = 0;
    petro_hash id;
    r = petro_tx_encode(bytes, sizeof bytes, &size, &tx);
    if (r == PETRO_OK) r = petro_tx_id(&id, &tx);
    if (r != PETRO_OK) {
        return cli_fail(CLI_EXIT_FAILED, "cannot encode the transaction: %s (%s)",
                        petro_result_str(r), petro_result_name(r));
    }
    if (hex_cap < 2 * size + 1) return cli_fail(CLI_EXIT_FAILED, "transaction too large");
    petro_hex_encode(hex, bytes, size);
    petro_hex_encode(id_hex, id.bytes, sizeof id.bytes);
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ step 6 */

/* Explain a failed operation: its family's explanation, else the result's sentence. */
static int op_fail(const tx_job *job, const char *code) {
    char source[PETRO_ADDRESS_SIZE_MAX], sentence[256];
    petro_address_encode(source, &job->source, job->net);
    const petro_op_schema *schema = petro_op_schema_of(job->txo->op.type);
    const cli_family *family = schema != NULL ? cli_family_of(schema->family) : NULL;
    if (family != NULL && family->explain != NULL) {
        cli_op_failure failure = {job->cfg, job->args, &job->txo->op, source, job->net, code};
        int rc = family->explain(&failure);
        if (rc >= 0) return rc;
    }
    describe_code(sentence, sizeof sentence, code, NULL);
    if (strcmp(code, "bad_auth") == 0) {
        return cli_fail(CLI_EXIT_FAILED,
                        "operation 1 (%s) failed: %s; add the signers' wallets with --wallet",
                        job->args->command, sentence);
    }
    return cli_fail(CLI_EXIT_FAILED, "operation 1 (%s) failed: %s", job->args->command, sentence);
}

/* A transaction that may still commit: its hash, exit 4 (pending), so that a script can tell
 * it from a refusal. why follows "transaction HASH". */
static int report_pending(const tx_job *job, const char *id_hex, const char *status,
                          const char *why) {
    if (!job->cfg->json) {
        out_kv("hash", "%s", id_hex);
        out_kv("status", "%s", status);
    }
    cli_error_hash(id_hex);
    return cli_fail(CLI_EXIT_PENDING,
                    "transaction %s %s; it may still commit: check with petro tx %s (do not send "
                    "it again)",
                    id_hex, why, id_hex);
}

static int report_rejection(const tx_job *job, const node_reply *reply, const char *id_hex) {
    if (reply->status == 504 || reply->error == PETRO_ERR_TIMEOUT) {
        return report_pending(job, id_hex, "pending (not committed within the wait)",
                              "is pending: not committed within 30 s");
    }
    char sentence[512];
    describe_code(sentence, sizeof sentence, reply->error_name, reply->message);
    if (reply->error == PETRO_ERR_BAD_AUTH) {
        return cli_fail(CLI_EXIT_FAILED, "transaction rejected: %s; add the signers' wallets "
                                         "with --wallet", sentence);
    }
    if (reply->error == PETRO_ERR_BAD_SEQUENCE) {
        return cli_fail(CLI_EXIT_FAILED,
                        "transaction rejected: bad sequence: %s (another transaction of %s "
                        "may have used it; retry)",
                        sentence, job->args->command);
    }
    if (reply->error == PETRO_ERR_UNAVAILABLE) {
        return cli_fail(CLI_EXIT_UNREACHABLE, "transaction not submitted: %s", sentence);
    }
    return cli_fail(CLI_EXIT_FAILED, "transaction rejected: %s", sentence);
}

static int report_reply(const tx_job *job, const node_reply *reply, const char *id_hex) {
    const json_t *b = reply->body;
    const char *status = jstr_or(b, "status", "?");
    const json_t *result = json_object_get(b, "result");
    const char *code = jstr(result, "code");
    if (job->cfg->json) {
        int rc = out_json(b);
        if (rc != CLI_EXIT_OK) return rc;
    } else {
        out_kv("hash", "%s", jstr_or(b, "hash", id_hex));
        long long height = -1;
        if (strcmp(status, "committed") == 0 && jint(b, "height", &height)) {
            out_kv("status", "committed in block %lld", height);
            out_kv("result", "%s", code != NULL ? code : "?");
            out_kv("fee charged", "%s PTR", jstr_or(result, "fee_charged", "?"));
        } else {
            out_kv("status", "%s", status);
        }
    }
    if (strcmp(status, "committed") != 0 || code == NULL || strcmp(code, "ok") == 0) {
        return CLI_EXIT_OK;
    }
    const json_t *op_results = json_object_get(result, "op_results");
    for (size_t i = 0; json_is_array(op_results) && i < json_array_size(op_results); i++) {
        const char *op_code = json_string_value(json_array_get(op_results, i));
        if (op_code != NULL && strcmp(op_code, "ok") != 0) return op_fail(job, op_code);
    }
    char sentence[256];
    describe_code(sentence, sizeof sentence, code, NULL);
    return cli_fail(CLI_EXIT_FAILED, "transaction failed: %s", sentence);
}

/* --dry-run: the transaction's hash and signed bytes (hex), as POST /v1/transactions takes
 * them; nothing is sent. */
static int print_unsubmitted(const tx_job *job, const char *hex, const char *id_hex) {
    if (!job->cfg->json) {
        out_kv("hash", "%s", id_hex);
        out_kv("status", "not submitted (--dry-run)");
        out_kv("tx", "%s", hex);
        return CLI_EXIT_OK;
    }
    json_t *body = json_pack("{s:s,s:s,s:s}", "hash", id_hex, "status", "not_submitted", "tx",
                             hex);
    if (body == NULL) return cli_fail(CLI_EXIT_FAILED, "out of memory");
    int rc = out_json(body);
    json_decref(body);
    return rc;
}

/* duplicate_tx: the node has this very transaction already (a resubmission: the same
 * --sequence and options). Pending: say so (exit 4); committed: its result, as if just sent. */
static int report_duplicate(const tx_job *job, const node_reply *refusal, const char *id_hex) {
    char path[TX_PATH_SIZE_MAX];
    (void)snprintf(path, sizeof path, "/v1/transactions/%s", id_hex); /* 64 hex: fits */
    node_reply reply;
    int rc = node_get(job->cfg, path, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    const char *status = reply.is_error ? NULL : jstr(reply.body, "status");
    if (status != NULL && strcmp(status, "pending") == 0) {
        rc = report_pending(job, id_hex, "pending (already submitted)",
                            "is already pending: it was submitted before and waits for a block");
    } else if (status != NULL && strcmp(status, "committed") == 0) {
        rc = report_reply(job, &reply, id_hex);
    } else {
        rc = report_rejection(job, refusal, id_hex);
    }
    node_reply_deinit(&reply);
    return rc;
}

/* --wait: Ctrl-C stops the wait, not the transaction. The handler only sets the flag; the
 * wait's tick (libcurl's progress callback, about once a second) sees it and abandons the
 * request. Installed only around the wait, so Ctrl-C anywhere else ends petro as always. */
static volatile sig_atomic_t g_wait_interrupted;

static void on_wait_interrupt(int sig) {
    (void)sig;
    g_wait_interrupted = 1;
}

typedef struct wait_view {
    bool is_tty; /* stderr is a terminal: show the hash and the elapsed time */
    const char *id_hex;
    long shown_s; /* the seconds shown last, or -1 */
} wait_view;

static void wait_show(wait_view *w, long seconds) {
    fprintf(stderr, "\rpetro: submitted %s; waiting for commit... %ld s (Ctrl-C stops waiting, "
                    "not the transaction)",
            w->id_hex, seconds);
    fflush(stderr);
    w->shown_s = seconds;
}

static bool wait_tick(void *user, long elapsed_ms) {
    wait_view *w = user;
    if (g_wait_interrupted) return true;
    if (w->is_tty && elapsed_ms / 1000 != w->shown_s) wait_show(w, elapsed_ms / 1000);
    return false;
}

/* POST ?wait=commit; on a terminal the hash and the elapsed time are shown on stderr while
 * it waits. Ctrl-C: the hash and how to check it, exit 4. */
static int post_waiting(tx_job *job, const char *text, const char *id_hex, node_reply *reply) {
    wait_view w = {isatty(STDERR_FILENO) != 0, id_hex, -1};
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_wait_interrupt; /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    g_wait_interrupted = 0;
    bool is_caught = sigaction(SIGINT, &sa, &old) == 0;
    if (w.is_tty) wait_show(&w, 0);
    int rc = node_post_ticking(job->cfg, "/v1/transactions?wait=commit", text, reply, wait_tick,
                               &w);
    if (is_caught) (void)sigaction(SIGINT, &old, NULL);
    if (w.is_tty) fputc('\n', stderr);
    if (rc != CLI_EXIT_PENDING) return rc;
    return report_pending(job, id_hex, "pending (the wait was interrupted)",
                          "was sent; you stopped the wait (Ctrl-C), not the transaction");
}

static int submit(tx_job *job, const tx_options *o, const char *hex, const char *id_hex) {
    json_t *body = json_pack("{s:s}", "tx", hex);
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (text == NULL) return cli_fail(CLI_EXIT_FAILED, "out of memory");
    node_reply reply;
    int rc = o->wait ? post_waiting(job, text, id_hex, &reply)
                     : node_post(job->cfg, "/v1/transactions", text, &reply);
    free(text);
    if (rc != CLI_EXIT_OK) return rc;
    if (reply.is_error && reply.error == PETRO_ERR_DUPLICATE_TX) {
        rc = report_duplicate(job, &reply, id_hex);
    } else {
        rc = reply.is_error ? report_rejection(job, &reply, id_hex)
                            : report_reply(job, &reply, id_hex);
    }
    node_reply_deinit(&reply);
    return rc;
}

/* ------------------------------------------------------------------ the pipeline */

static int tx_run_steps(tx_job *job) {
    tx_options o;
    int rc = find_address_kinds(job);
    if (rc == CLI_EXIT_OK) rc = parse_options(&o, job->args);
    if (rc != CLI_EXIT_OK) return rc;
    const char *source_text = args_get(job->args, "source");
    rc = node_status(job->cfg, &job->net, &job->network_id, NULL);
    if (rc != CLI_EXIT_OK) return rc;
    rc = check_addresses(job);
    if (rc != CLI_EXIT_OK) return rc;
    if (source_text != NULL) {
        rc = parse_address(&job->source, job->net, "--source", source_text);
        if (rc != CLI_EXIT_OK) return rc;
    }
    rc = open_wallets(job);
    if (rc != CLI_EXIT_OK) return rc;
    if (source_text == NULL) job->source = job->keys[0].pk;
    char source[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(source, &job->source, job->net);
    const cli_tx_op *t = job->txo;
    if (t->has_required_source && !petro_pubkey_equal(&t->required_source, &job->source)) {
        return cli_fail(CLI_EXIT_USAGE, "%s; the source account is %s",
                        t->required_source_why != NULL ? t->required_source_why
                                                       : "another source account is required",
                        source);
    }
    uint64_t sequence = o.sequence;
    json_t *account = NULL;
    if (!o.has_sequence || !o.no_preflight) {
        uint64_t next = 0;
        rc = next_sequence(job, source, &next, &account);
        if (rc != CLI_EXIT_OK) return rc;
        if (!o.has_sequence) sequence = next;
    }
    if (!o.no_preflight) {
        rc = preflight(job, &o, account, source);
        if (rc != CLI_EXIT_OK) {
            json_decref(account);
            return rc;
        }
    }
    json_decref(account);
    static char hex[2 * PETRO_TX_SIZE_MAX + 1];
    char id_hex[65];
    rc = build_and_sign(job, &o, sequence, hex, sizeof hex, id_hex);
    if (rc != CLI_EXIT_OK) return rc;
    return o.dry_run ? print_unsubmitted(job, hex, id_hex) : submit(job, &o, hex, id_hex);
}

int cli_tx_submit(const cli_config *cfg, const cli_args *args, cli_tx_op *txo) {
    tx_job job;
    memset(&job, 0, sizeof job);
    job.cfg = cfg;
    job.args = args;
    job.txo = txo;
    int rc = tx_run_steps(&job);
    job_release_keys(&job); /* no-op when already released after signing */
    sodium_memzero(&txo->op, sizeof txo->op);
    return rc;
}
