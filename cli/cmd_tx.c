/* petro CLI transaction commands: pay, create-account, trust, untrust, create-asset,
 * authorize, issue, redeem, set-signer, set-thresholds.
 *
 * Every command builds one operation and hands it to tx_run, which does the same steps for
 * all of them, in an order chosen so that cheap local mistakes are reported before anything
 * touches the network or a passphrase is asked for:
 *   1. parse the operation's arguments and the common options (amounts, codes, memo, fee...);
 *   2. GET /v1/status: network id and net kind; check every address against the net kind;
 *   3. open the wallets (devnet wallets refused on main networks; passphrases asked);
 *   4. the source (--source, else the first wallet) and its sequence (GET /v1/accounts);
 *   5. build, check, sign with every wallet, wipe the keys, encode;
 *   6. POST /v1/transactions (?wait=commit with --wait) and report the answer; an included
 *      transaction whose operation failed exits 1 with the operation's reason.
 * Keys are wiped (wallet_key_deinit) as soon as the transaction is signed, and on every
 * failure path before that. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "http.h"
#include "output.h"
#include "parse.h"

#define TX_ADDRS_MAX CLI_TX_ADDRS_MAX
#define TX_VALID_FOR_MAX_S UINT64_C(315360000) /* ten years */
#define TX_PATH_SIZE_MAX 256

typedef struct tx_job {
    const cli_config *cfg;
    const cli_args *args;
    petro_op op;
    /* Addresses parsed before the network kind is known; checked against it in step 2. */
    size_t addr_count;
    struct {
        const char *what;
        const char *text;
        petro_net_kind kind;
    } addrs[TX_ADDRS_MAX];
    /* For issue --asset CODE:ISSUER: ISSUER must be the source account. */
    bool has_required_source;
    petro_pubkey required_source;
    /* Filled by tx_run. */
    petro_net_kind net;
    petro_hash network_id;
    petro_pubkey source;
    size_t key_count;
    wallet_key keys[PETRO_TX_SIGS_MAX];
} tx_job;

static void job_init(tx_job *job, const cli_config *cfg, const cli_args *args, uint8_t type) {
    memset(job, 0, sizeof *job);
    job->cfg = cfg;
    job->args = args;
    job->op.type = type;
}

/* Remember a parsed address argument for the network-kind check of step 2. */
static void job_note_address(tx_job *job, const char *what, const char *text,
                             petro_net_kind kind) {
    if (job->addr_count >= TX_ADDRS_MAX) return;
    job->addrs[job->addr_count].what = what;
    job->addrs[job->addr_count].text = text;
    job->addrs[job->addr_count].kind = kind;
    job->addr_count++;
}

/* Parse an address argument now; its network kind is checked in step 2. */
static int job_address(tx_job *job, petro_pubkey *pk, const char *what, const char *text) {
    petro_net_kind kind = PETRO_NET_TEST;
    int rc = parse_address_any(pk, &kind, what, text);
    if (rc != CLI_EXIT_OK) return rc;
    job_note_address(job, what, text, kind);
    return CLI_EXIT_OK;
}

/* An asset argument; an issued asset's issuer is checked like an address. */
static int job_asset(tx_job *job, petro_asset *asset, const char *what, const char *text) {
    petro_net_kind kind = PETRO_NET_TEST;
    int rc = parse_asset(asset, &kind, what, text);
    if (rc != CLI_EXIT_OK) return rc;
    if (asset->kind == PETRO_ASSET_ISSUED) job_note_address(job, what, text, kind);
    return CLI_EXIT_OK;
}

static void job_release_keys(tx_job *job) {
    for (size_t i = 0; i < job->key_count; i++) wallet_key_deinit(&job->keys[i]);
    job->key_count = 0;
}

/* "USD:tptr1..." or "PTR" for messages. */
static void asset_text(char *out, size_t out_size, const petro_asset *asset, petro_net_kind net) {
    if (asset->kind != PETRO_ASSET_ISSUED) {
        (void)snprintf(out, out_size, "PTR");
        return;
    }
    char issuer[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(issuer, &asset->issuer, net);
    (void)snprintf(out, out_size, "%s:%s", asset->code, issuer); /* 12 + 1 + 80 < out_size */
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
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ steps 2-4 */

static int check_addresses(const tx_job *job) {
    for (size_t i = 0; i < job->addr_count; i++) {
        if (job->addrs[i].kind != job->net) {
            return cli_fail(CLI_EXIT_USAGE,
                            "%s %s: address is for a %s network, but the node runs a %s "
                            "network (wrong_address_prefix)",
                            job->addrs[i].what, job->addrs[i].text,
                            net_kind_name(job->addrs[i].kind), net_kind_name(job->net));
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

/* The source's sequence + 1, from GET /v1/accounts/{source}. */
static int next_sequence(const tx_job *job, const char *source_addr, uint64_t *sequence) {
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
    long long seq = -1;
    if (!jint(reply.body, "sequence", &seq) || seq < 0 || (unsigned long long)seq == UINT64_MAX) {
        node_reply_deinit(&reply);
        return cli_fail(CLI_EXIT_FAILED, "the node's account answer has no valid \"sequence\"");
    }
    node_reply_deinit(&reply);
    *sequence = (uint64_t)seq + 1;
    return CLI_EXIT_OK;
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
    tx.ops[0] = job->op;
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

/* Whether account holds a trust line for asset_str: 1 yes, 0 no, -1 cannot tell. */
static int has_trust_line(const cli_config *cfg, const char *account, const char *asset_str) {
    char path[TX_PATH_SIZE_MAX];
    (void)snprintf(path, sizeof path, "/v1/accounts/%s", account);
    node_reply reply;
    if (node_get(cfg, path, &reply) != CLI_EXIT_OK) return -1;
    int found = reply.is_error ? -1 : 0;
    const json_t *balances = json_object_get(reply.body, "balances");
    for (size_t i = 0; found == 0 && json_is_array(balances) && i < json_array_size(balances);
         i++) {
        const char *a = jstr(json_array_get(balances, i), "asset");
        if (a != NULL && strcmp(a, asset_str) == 0) found = 1;
    }
    node_reply_deinit(&reply);
    return found;
}

/* Explain a failed operation with the context of this command. */
static int op_fail(const tx_job *job, const char *code) {
    const petro_op *op = &job->op;
    char source[PETRO_ADDRESS_SIZE_MAX], dest[PETRO_ADDRESS_SIZE_MAX], asset[128];
    char sentence[256];
    petro_address_encode(source, &job->source, job->net);
    describe_code(sentence, sizeof sentence, code, NULL);
    if (op->type == PETRO_OP_PAYMENT) {
        petro_address_encode(dest, &op->u.payment.destination, job->net);
        asset_text(asset, sizeof asset, &op->u.payment.asset, job->net);
        if (strcmp(code, "no_trust") == 0 || strcmp(code, "not_authorized") == 0) {
            /* Either side may lack the line: ask the node which one. */
            bool is_source = has_trust_line(job->cfg, source, asset) == 0;
            const char *role = is_source ? "source" : "destination";
            const char *who = is_source ? source : dest;
            if (strcmp(code, "no_trust") == 0) {
                return cli_fail(CLI_EXIT_FAILED, "%s %s has no trust line for %s (%s)", role, who,
                                asset, code);
            }
            return cli_fail(CLI_EXIT_FAILED,
                            "the trust line of %s %s for %s is not authorised by the issuer (%s)",
                            role, who, asset, code);
        }
        if (strcmp(code, "balance_low") == 0) {
            char amount[PETRO_AMOUNT_TEXT_SIZE];
            (void)petro_amount_format(amount, op->u.payment.amount);
            return cli_fail(CLI_EXIT_FAILED, "insufficient balance: %s cannot send %s %s (%s)",
                            source, amount, asset, code);
        }
        if (strcmp(code, "no_destination") == 0) {
            return cli_fail(CLI_EXIT_FAILED,
                            "destination account %s does not exist; fund it with "
                            "petro create-account (%s)",
                            dest, code);
        }
        if (strcmp(code, "line_full") == 0) {
            return cli_fail(CLI_EXIT_FAILED,
                            "the payment would exceed %s's trust line limit for %s (%s)", dest,
                            asset, code);
        }
    } else if (op->type == PETRO_OP_ISSUE) {
        petro_address_encode(dest, &op->u.issue.destination, job->net);
        if (strcmp(code, "no_trust") == 0) {
            return cli_fail(CLI_EXIT_FAILED, "%s has no trust line for %s:%s (%s)", dest,
                            op->u.issue.code, source, code);
        }
        if (strcmp(code, "not_authorized") == 0) {
            return cli_fail(CLI_EXIT_FAILED,
                            "the trust line of %s for %s:%s is not authorised yet; authorise it "
                            "with petro authorize (%s)",
                            dest, op->u.issue.code, source, code);
        }
        if (strcmp(code, "no_asset") == 0) {
            return cli_fail(CLI_EXIT_FAILED, "%s has not created an asset %s (%s)", source,
                            op->u.issue.code, code);
        }
    } else if (op->type == PETRO_OP_CREATE_ACCOUNT) {
        petro_address_encode(dest, &op->u.create_account.destination, job->net);
        if (strcmp(code, "account_exists") == 0) {
            return cli_fail(CLI_EXIT_FAILED, "account %s already exists (%s)", dest, code);
        }
    }
    if (strcmp(code, "bad_auth") == 0) {
        return cli_fail(CLI_EXIT_FAILED,
                        "operation 1 (%s) failed: %s; add the signers' wallets with --wallet",
                        job->args->command, sentence);
    }
    return cli_fail(CLI_EXIT_FAILED, "operation 1 (%s) failed: %s", job->args->command, sentence);
}

static int report_rejection(const tx_job *job, const node_reply *reply, const char *id_hex) {
    if (reply->status == 504 || reply->error == PETRO_ERR_TIMEOUT) {
        return cli_fail(CLI_EXIT_FAILED,
                        "timed out waiting for transaction %s to commit; check later with "
                        "petro tx %s",
                        id_hex, id_hex);
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

static int submit(tx_job *job, const tx_options *o, const char *hex, const char *id_hex) {
    json_t *body = json_pack("{s:s}", "tx", hex);
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (text == NULL) return cli_fail(CLI_EXIT_FAILED, "out of memory");
    node_reply reply;
    int rc = node_post(job->cfg, o->wait ? "/v1/transactions?wait=commit" : "/v1/transactions",
                       text, &reply);
    free(text);
    if (rc != CLI_EXIT_OK) return rc;
    rc = reply.is_error ? report_rejection(job, &reply, id_hex)
                        : report_reply(job, &reply, id_hex);
    node_reply_deinit(&reply);
    return rc;
}

/* ------------------------------------------------------------------ the pipeline */

static int tx_run_steps(tx_job *job) {
    tx_options o;
    int rc = parse_options(&o, job->args);
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
    if (job->has_required_source && !petro_pubkey_equal(&job->required_source, &job->source)) {
        return cli_fail(CLI_EXIT_USAGE, "--asset: only the issuer can issue; the source account "
                                        "is %s",
                        source);
    }
    uint64_t sequence = o.sequence;
    if (!o.has_sequence) {
        rc = next_sequence(job, source, &sequence);
        if (rc != CLI_EXIT_OK) return rc;
    }
    static char hex[2 * PETRO_TX_SIZE_MAX + 1];
    char id_hex[65];
    rc = build_and_sign(job, &o, sequence, hex, sizeof hex, id_hex);
    if (rc != CLI_EXIT_OK) return rc;
    return submit(job, &o, hex, id_hex);
}

static int tx_run(tx_job *job) {
    int rc = tx_run_steps(job);
    job_release_keys(job); /* no-op when already released after signing */
    sodium_memzero(&job->op, sizeof job->op);
    return rc;
}

int cli_tx_run_op(const cli_config *cfg, const cli_args *args, const petro_op *op,
                  size_t addr_count, const char *const *whats, const char *const *texts) {
    if (addr_count > TX_ADDRS_MAX) {
        return cli_fail(CLI_EXIT_USAGE, "%s: more than %d addresses", args->command, TX_ADDRS_MAX);
    }
    tx_job job;
    job_init(&job, cfg, args, op->type);
    job.op = *op;
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; rc == CLI_EXIT_OK && i < addr_count; i++) {
        petro_pubkey unused;
        rc = job_address(&job, &unused, whats[i], texts[i]);
    }
    return rc == CLI_EXIT_OK ? tx_run(&job) : rc;
}

int cli_tx_run_op_addr(const cli_config *cfg, const cli_args *args, const petro_op *op,
                       const char *what, const char *text) {
    const char *whats[1] = {what};
    const char *texts[1] = {text};
    return cli_tx_run_op(cfg, args, op, text != NULL ? 1 : 0, whats, texts);
}

/* ------------------------------------------------------------------ commands */

int cmd_pay(const cli_config *cfg, const cli_args *args) {
    tx_job job;
    job_init(&job, cfg, args, PETRO_OP_PAYMENT);
    petro_op_payment *p = &job.op.u.payment;
    int rc = job_address(&job, &p->destination, "--to", args_get(args, "to"));
    if (rc == CLI_EXIT_OK) rc = parse_amount(&p->amount, "--amount", args_get(args, "amount"));
    const char *asset = args_get(args, "asset");
    if (rc == CLI_EXIT_OK) {
        if (asset != NULL) {
            rc = job_asset(&job, &p->asset, "--asset", asset);
        } else {
            p->asset = petro_asset_native();
        }
    }
    return rc == CLI_EXIT_OK ? tx_run(&job) : rc;
}

int cmd_create_account(const cli_config *cfg, const cli_args *args) {
    tx_job job;
    job_init(&job, cfg, args, PETRO_OP_CREATE_ACCOUNT);
    petro_op_create_account *c = &job.op.u.create_account;
    int rc = job_address(&job, &c->destination, "--address", args_get(args, "address"));
    if (rc == CLI_EXIT_OK) {
        rc = parse_amount(&c->starting_balance, "--amount", args_get(args, "amount"));
    }
    return rc == CLI_EXIT_OK ? tx_run(&job) : rc;
}

/* --asset for trust, untrust and redeem: must be an issued asset. */
static int issued_asset(tx_job *job, petro_asset *asset, const char *text) {
    int rc = job_asset(job, asset, "--asset", text);
    if (rc != CLI_EXIT_OK) return rc;
    if (asset->kind != PETRO_ASSET_ISSUED) {
        return cli_fail(CLI_EXIT_USAGE, "--asset PTR: %s needs an issued asset CODE:ISSUER",
                        job->args->command);
    }
    return CLI_EXIT_OK;
}

int cmd_trust(const cli_config *cfg, const cli_args *args) {
    tx_job job;
    job_init(&job, cfg, args, PETRO_OP_CHANGE_TRUST);
    petro_op_change_trust *t = &job.op.u.change_trust;
    int rc = issued_asset(&job, &t->asset, args_get(args, "asset"));
    const char *limit = args_get(args, "limit");
    t->limit = PETRO_SUPPLY_MAX;
    if (rc == CLI_EXIT_OK && limit != NULL) rc = parse_amount(&t->limit, "--limit", limit);
    return rc == CLI_EXIT_OK ? tx_run(&job) : rc;
}

int cmd_untrust(const cli_config *cfg, const cli_args *args) {
    tx_job job;
    job_init(&job, cfg, args, PETRO_OP_CHANGE_TRUST);
    petro_op_change_trust *t = &job.op.u.change_trust;
    int rc = issued_asset(&job, &t->asset, args_get(args, "asset"));
    t->limit = 0;
    return rc == CLI_EXIT_OK ? tx_run(&job) : rc;
}

int cmd_create_asset(const cli_config *cfg, const cli_args *args) {
    tx_job job;
    job_init(&job, cfg, args, PETRO_OP_CREATE_ASSET);
    petro_op_create_asset *c = &job.op.u.create_asset;
    int rc = parse_code(c->code, "--code", args_get(args, "code"));
    if (args_has(args, "auth-required")) c->flags |= PETRO_ASSET_FLAG_AUTH_REQUIRED;
    if (args_has(args, "revocable")) c->flags |= PETRO_ASSET_FLAG_REVOCABLE;
    return rc == CLI_EXIT_OK ? tx_run(&job) : rc;
}

int cmd_authorize(const cli_config *cfg, const cli_args *args) {
    tx_job job;
    job_init(&job, cfg, args, PETRO_OP_AUTHORIZE_TRUST);
    petro_op_authorize_trust *a = &job.op.u.authorize_trust;
    int rc = job_address(&job, &a->trustor, "--trustor", args_get(args, "trustor"));
    if (rc == CLI_EXIT_OK) rc = parse_code(a->code, "--code", args_get(args, "code"));
    a->authorize = args_has(args, "revoke") ? 0 : 1;
    return rc == CLI_EXIT_OK ? tx_run(&job) : rc;
}

int cmd_issue(const cli_config *cfg, const cli_args *args) {
    tx_job job;
    job_init(&job, cfg, args, PETRO_OP_ISSUE);
    petro_op_issue *is = &job.op.u.issue;
    const char *asset = args_get(args, "asset");
    int rc = CLI_EXIT_OK;
    if (strchr(asset, ':') != NULL) {
        petro_asset parsed;
        rc = job_asset(&job, &parsed, "--asset", asset);
        if (rc == CLI_EXIT_OK) {
            memcpy(is->code, parsed.code, sizeof is->code);
            job.has_required_source = true;
            job.required_source = parsed.issuer;
        }
    } else {
        rc = parse_code(is->code, "--asset", asset);
    }
    if (rc == CLI_EXIT_OK) rc = job_address(&job, &is->destination, "--to", args_get(args, "to"));
    if (rc == CLI_EXIT_OK) rc = parse_amount(&is->amount, "--amount", args_get(args, "amount"));
    return rc == CLI_EXIT_OK ? tx_run(&job) : rc;
}

int cmd_redeem(const cli_config *cfg, const cli_args *args) {
    if (args_has(args, "delivery")) return cmd_redeem_reserve(cfg, args); /* cmd_reserves.c */
    tx_job job;
    job_init(&job, cfg, args, PETRO_OP_REDEEM);
    petro_op_redeem *r = &job.op.u.redeem;
    int rc = issued_asset(&job, &r->asset, args_get(args, "asset"));
    if (rc == CLI_EXIT_OK) rc = parse_amount(&r->amount, "--amount", args_get(args, "amount"));
    return rc == CLI_EXIT_OK ? tx_run(&job) : rc;
}

int cmd_set_signer(const cli_config *cfg, const cli_args *args) {
    tx_job job;
    job_init(&job, cfg, args, PETRO_OP_SET_SIGNER);
    petro_op_set_signer *s = &job.op.u.set_signer;
    uint64_t weight = 0;
    int rc = job_address(&job, &s->signer, "--signer", args_get(args, "signer"));
    if (rc == CLI_EXIT_OK) rc = parse_uint(&weight, "--weight", args_get(args, "weight"), 0, 255);
    s->weight = (uint8_t)weight;
    return rc == CLI_EXIT_OK ? tx_run(&job) : rc;
}

int cmd_set_thresholds(const cli_config *cfg, const cli_args *args) {
    tx_job job;
    job_init(&job, cfg, args, PETRO_OP_SET_THRESHOLDS);
    petro_op_set_thresholds *t = &job.op.u.set_thresholds;
    static const char *const names[4] = {"master", "low", "medium", "high"};
    uint8_t *fields[4] = {&t->master_weight, &t->low, &t->medium, &t->high};
    for (size_t i = 0; i < 4; i++) {
        char what[16];
        (void)snprintf(what, sizeof what, "--%s", names[i]);
        uint64_t v = 0;
        int rc = parse_uint(&v, what, args_get(args, names[i]), 0, 255);
        if (rc != CLI_EXIT_OK) return rc;
        *fields[i] = (uint8_t)v;
    }
    return tx_run(&job);
}
