/* petro CLI read-only commands: status, balance, account, tx, block, assets. Each validates its
 * argument locally first (so a typo in an address is caught without a round trip), makes one
 * GET request, and prints either the node's JSON (--json) or a human rendering of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http.h"
#include "output.h"
#include "parse.h"

#define PATH_SIZE_MAX 256

static void print_ll(const char *key, const json_t *obj, const char *member) {
    long long v = 0;
    if (jint(obj, member, &v)) {
        out_kv(key, "%lld", v);
    } else {
        out_kv(key, "?");
    }
}

int cmd_status(const cli_config *cfg, const cli_args *args) {
    (void)args;
    node_reply reply;
    int rc = node_get_ok(cfg, "/v1/status", "cannot read the node's status", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) return node_reply_out_json(&reply);
    const json_t *b = reply.body;
    long long ts = -1, mempool = -1;
    (void)jint(b, "timestamp_ms", &ts);
    char when[64];
    describe_time_ms(when, sizeof when, ts);
    out_kv("node", "%s", cfg->node_url);
    out_kv("network", "%s (%s network)", jstr_or(b, "network", "?"), jstr_or(b, "net_kind", "?"));
    out_kv("network id", "%s", jstr_or(b, "network_id", "?"));
    print_ll("height", b, "height");
    out_kv("latest block", "%s", jstr_or(b, "latest_block_hash", "?"));
    out_kv("block time", "%s", when);
    out_kv("state hash", "%s", jstr_or(b, "state_hash", "?"));
    if (jint(b, "mempool_size", &mempool)) {
        out_kv("mempool", "%lld pending transaction%s", mempool, mempool == 1 ? "" : "s");
    } else {
        out_kv("mempool", "?");
    }
    out_kv("version", "%s", jstr_or(b, "version", "?"));
    node_reply_deinit(&reply);
    return CLI_EXIT_OK;
}

/* Fetch an account after checking the address locally. An address of the other network kind
 * is a usage error (exit 2), as for the transaction commands (docs/cli.md, exit codes). */
static int fetch_account(const cli_config *cfg, const char *address, node_reply *reply) {
    petro_pubkey pk;
    petro_net_kind kind;
    int rc = parse_address_any(&pk, &kind, "address", address);
    if (rc != CLI_EXIT_OK) return rc;
    char path[PATH_SIZE_MAX];
    int n = snprintf(path, sizeof path, "/v1/accounts/%s", address);
    if (n < 0 || (size_t)n >= sizeof path) return cli_fail(CLI_EXIT_USAGE, "address too long");
    rc = node_get(cfg, path, reply);
    if (rc != CLI_EXIT_OK || !reply->is_error) return rc;
    if (reply->error == PETRO_ERR_WRONG_ADDRESS_PREFIX) {
        rc = cli_fail(CLI_EXIT_USAGE,
                      "address %s: address is for a %s network, but the node runs a %s network "
                      "(wrong_address_prefix)",
                      address, net_kind_name(kind),
                      net_kind_name(kind == PETRO_NET_MAIN ? PETRO_NET_TEST : PETRO_NET_MAIN));
    } else if (reply->error == PETRO_ERR_NOT_FOUND) {
        rc = cli_fail(CLI_EXIT_FAILED, "account %s does not exist (not_found)", address);
    } else {
        rc = node_fail(reply, "cannot read the account");
    }
    node_reply_deinit(reply);
    return rc;
}

static void print_balances(const json_t *account) {
    const json_t *balances = json_object_get(account, "balances");
    if (!json_is_array(balances) || json_array_size(balances) == 0) {
        printf("(no balances)\n");
        return;
    }
    size_t width = 5;
    for (size_t i = 0; i < json_array_size(balances); i++) {
        size_t len = strlen(jstr_or(json_array_get(balances, i), "asset", "?"));
        if (len > width) width = len;
    }
    for (size_t i = 0; i < json_array_size(balances); i++) {
        const json_t *line = json_array_get(balances, i);
        const char *limit = jstr(line, "limit");
        bool authorized = true;
        (void)jbool(line, "authorized", &authorized);
        printf("%-*s  %s", (int)width, jstr_or(line, "asset", "?"),
               jstr_or(line, "balance", "?"));
        if (limit != NULL) printf("  (limit %s)", limit);
        if (!authorized) printf("  (not authorised by the issuer)");
        putchar('\n');
    }
}

int cmd_balance(const cli_config *cfg, const cli_args *args) {
    node_reply reply;
    int rc = fetch_account(cfg, args->positional[0], &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) {
        rc = out_json(reply.body);
    } else {
        print_balances(reply.body);
    }
    node_reply_deinit(&reply);
    return rc;
}

int cmd_account(const cli_config *cfg, const cli_args *args) {
    node_reply reply;
    int rc = fetch_account(cfg, args->positional[0], &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) return node_reply_out_json(&reply);
    const json_t *b = reply.body;
    bool frozen = false;
    const json_t *th = json_object_get(b, "thresholds");
    long long low = -1, medium = -1, high = -1;
    (void)jint(th, "low", &low);
    (void)jint(th, "medium", &medium);
    (void)jint(th, "high", &high);
    out_kv("address", "%s", jstr_or(b, "address", "?"));
    print_ll("sequence", b, "sequence");
    out_kv("frozen", "%s", jbool(b, "frozen", &frozen) ? (frozen ? "yes" : "no") : "?");
    print_ll("master weight", b, "master_weight");
    out_kv("thresholds", "low %lld, medium %lld, high %lld", low, medium, high);
    const json_t *signers = json_object_get(b, "signers");
    size_t signer_count = json_is_array(signers) ? json_array_size(signers) : 0;
    if (signer_count == 0) out_kv("signers", "(master key only)");
    for (size_t i = 0; i < signer_count; i++) {
        const json_t *s = json_array_get(signers, i);
        long long w = -1;
        (void)jint(s, "weight", &w);
        out_kv(i == 0 ? "signers" : "", "%s weight %lld", jstr_or(s, "address", "?"), w);
    }
    long long zone = 0;
    if (jint(b, "zone", &zone)) {
        out_kv("zone", "%lld", zone);
    } else {
        out_kv("zone", "none");
    }
    print_ll("kyc tier", b, "kyc_tier");
    print_ll("created height", b, "created_height");
    printf("balances:\n");
    print_balances(b);
    node_reply_deinit(&reply);
    return CLI_EXIT_OK;
}

/* The result object of a transaction: code, fee charged and per-operation codes. */
static void print_result(const json_t *result, const json_t *ops) {
    const char *code = jstr_or(result, "code", "?");
    out_kv("result", "%s", code);
    out_kv("fee charged", "%s PTR", jstr_or(result, "fee_charged", "?"));
    const json_t *op_results = json_object_get(result, "op_results");
    if (strcmp(code, "ok") == 0 || !json_is_array(op_results)) return;
    for (size_t i = 0; i < json_array_size(op_results); i++) {
        const json_t *r = json_array_get(op_results, i);
        if (!json_is_string(r) || strcmp(json_string_value(r), "ok") == 0) continue;
        char sentence[256], what[512];
        describe_code(sentence, sizeof sentence, json_string_value(r), NULL);
        describe_op(what, sizeof what, json_array_get(ops, i));
        out_kv("failed op", "%zu (%s): %s", i + 1, what, sentence);
        break;
    }
}

int cmd_tx(const cli_config *cfg, const cli_args *args) {
    petro_hash hash;
    const char *text = args->positional[0];
    int rc = parse_hash(&hash, "transaction", text);
    if (rc != CLI_EXIT_OK) return rc;
    char path[PATH_SIZE_MAX], not_found[PATH_SIZE_MAX];
    (void)snprintf(path, sizeof path, "/v1/transactions/%s", text); /* 64 hex: fits */
    (void)snprintf(not_found, sizeof not_found, "transaction %s is unknown to the node", text);
    node_reply reply;
    rc = node_get_ok(cfg, path, "cannot read the transaction", not_found, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) return node_reply_out_json(&reply);
    const json_t *b = reply.body;
    const char *status = jstr_or(b, "status", "?");
    out_kv("hash", "%s", jstr_or(b, "hash", text));
    if (strcmp(status, "committed") != 0) {
        out_kv("status", "%s%s", status,
               strcmp(status, "pending") == 0 ? " (in the mempool, not yet in a block)" : "");
        node_reply_deinit(&reply);
        return CLI_EXIT_OK;
    }
    long long height = -1, index = -1, va = 0, vu = 0;
    (void)jint(b, "height", &height);
    (void)jint(b, "index", &index);
    out_kv("status", "committed in block %lld (position %lld)", height, index);
    out_kv("block hash", "%s", jstr_or(b, "block_hash", "?"));
    out_kv("source", "%s", jstr_or(b, "source", "?"));
    print_ll("sequence", b, "sequence");
    out_kv("fee", "%s PTR", jstr_or(b, "fee", "?"));
    char memo[128];
    describe_memo(memo, sizeof memo, jstr(b, "memo"));
    out_kv("memo", "%s", memo);
    if (jint(b, "valid_after_ms", &va) && va != 0) {
        char when[64];
        describe_time_ms(when, sizeof when, va);
        out_kv("valid after", "%s", when);
    }
    if (jint(b, "valid_until_ms", &vu) && vu != 0) {
        char when[64];
        describe_time_ms(when, sizeof when, vu);
        out_kv("valid until", "%s", when);
    }
    const json_t *ops = json_object_get(b, "operations");
    for (size_t i = 0; json_is_array(ops) && i < json_array_size(ops); i++) {
        char what[512];
        describe_op(what, sizeof what, json_array_get(ops, i));
        out_kv(i == 0 ? "operations" : "", "%zu. %s", i + 1, what);
    }
    const json_t *sigs = json_object_get(b, "signatures");
    for (size_t i = 0; json_is_array(sigs) && i < json_array_size(sigs); i++) {
        out_kv(i == 0 ? "signed by" : "", "%s", jstr_or(json_array_get(sigs, i), "key", "?"));
    }
    print_result(json_object_get(b, "result"), ops);
    node_reply_deinit(&reply);
    return CLI_EXIT_OK;
}

/* The keys a block's proposer must be one of, and where they come from (for the message). */
#define BLOCK_VALIDATORS_MAX CLI_ARGS_OPTS_MAX
typedef struct block_validators {
    petro_pubkey keys[BLOCK_VALIDATORS_MAX];
    size_t count;
    const char *source;
} block_validators;

/* The validators of the node's network from its status: the status proposer on a node that
 * orders its own blocks (role "single"), else every cluster.validators[].pubkey. */
static int status_validators(block_validators *v, const json_t *status, petro_net_kind net) {
    const char *role = jstr(status, "role");
    v->source = "this network's validator (the node's status)";
    if (role != NULL && strcmp(role, "single") == 0) {
        const char *proposer = jstr(status, "proposer");
        if (proposer == NULL || petro_address_decode(&v->keys[0], proposer, strlen(proposer),
                                                     net) != PETRO_OK) {
            return cli_fail(CLI_EXIT_FAILED, "node status has no valid \"proposer\"");
        }
        v->count = 1;
        return CLI_EXIT_OK;
    }
    const json_t *list = json_object_get(json_object_get(status, "cluster"), "validators");
    size_t n = json_is_array(list) ? json_array_size(list) : 0;
    if (role == NULL || n == 0 || n > BLOCK_VALIDATORS_MAX) {
        return cli_fail(CLI_EXIT_FAILED, "node status names no validators (\"role\" single, "
                                         "or \"cluster\".\"validators\")");
    }
    v->source = "one of this network's validators (the node's status)";
    for (size_t i = 0; i < n; i++) {
        const char *hex = jstr(json_array_get(list, i), "pubkey");
        if (hex == NULL || petro_hex_decode(v->keys[i].bytes, sizeof v->keys[i].bytes, hex,
                                            strlen(hex)) != PETRO_OK) {
            return cli_fail(CLI_EXIT_FAILED, "node status: validator %zu has no valid \"pubkey\"",
                            i + 1);
        }
    }
    v->count = n;
    return CLI_EXIT_OK;
}

/* The keys of --validator ADDRESS (repeatable) if given, else those of the node's status. */
static int block_validators_get(block_validators *v, const cli_args *args, const json_t *status,
                                petro_net_kind net) {
    const char *given[BLOCK_VALIDATORS_MAX];
    size_t n = args_get_all(args, "validator", given, BLOCK_VALIDATORS_MAX);
    if (n == 0) return status_validators(v, status, net);
    for (size_t i = 0; i < n; i++) {
        int rc = parse_address(&v->keys[i], net, "--validator", given[i]);
        if (rc != CLI_EXIT_OK) return rc;
    }
    v->count = n;
    v->source = n == 1 ? "the --validator key" : "one of the --validator keys";
    return CLI_EXIT_OK;
}

static bool block_validators_has(const block_validators *v, const petro_pubkey *key) {
    for (size_t i = 0; i < v->count; i++) {
        if (petro_pubkey_equal(&v->keys[i], key)) return true;
    }
    return false;
}

/* The header of a framed block (u32 size, then the block) at height, with the hash the node
 * showed, signed for this network by one of v. Returns NULL when it holds, else the reason
 * (in why, of why_size bytes, when it names a key). */
static const char *header_check(petro_block_header *h, const uint8_t *raw, size_t size,
                                uint64_t height, const char *shown_hash,
                                const petro_hash *network_id, const block_validators *v,
                                petro_net_kind net, char *why, size_t why_size) {
    size_t n = size >= 4 ? (size_t)raw[0] | (size_t)raw[1] << 8 | (size_t)raw[2] << 16 |
                               (size_t)raw[3] << 24
                         : 0;
    if (size < 4 || n != size - 4 || n < PETRO_BLOCK_HEADER_SIZE ||
        petro_block_header_decode(h, raw + 4, PETRO_BLOCK_HEADER_SIZE) != PETRO_OK ||
        h->height != height) {
        return "malformed: the node's bytes are not a block of that height";
    }
    petro_hash id;
    petro_block_hash(&id, h);
    char hex[2 * sizeof id.bytes + 1];
    petro_hex_encode(hex, id.bytes, sizeof id.bytes);
    if (shown_hash == NULL || strcmp(hex, shown_hash) != 0) {
        return "the block's bytes hash to another block hash than the node showed";
    }
    if (!petro_block_signature_ok(h, network_id)) {
        return "bad_block_signature: the header is not signed by its proposer for this network";
    }
    if (!block_validators_has(v, &h->proposer)) {
        char who[PETRO_ADDRESS_SIZE_MAX];
        petro_address_encode(who, &h->proposer, net);
        (void)snprintf(why, why_size, "unknown proposer: %s is not %s", who, v->source);
        return why;
    }
    return NULL;
}

/* The body of block (n bytes) under header h: its envelopes decode, their count, Merkle roots
 * and every signature in the transaction domain (petro_tx_verify_sigs; the signers' weights
 * need the state, not checked). Returns NULL when it holds, else the reason (in why). */
static const char *body_check(const petro_block_header *h, const uint8_t *block, size_t n,
                              char *why, size_t why_size) {
    petro_hash *ids = calloc((size_t)h->tx_count + 1, sizeof *ids);
    petro_hash *wit = calloc((size_t)h->tx_count + 1, sizeof *wit);
    petro_hash *scratch = calloc((size_t)h->tx_count + 1, sizeof *scratch);
    uint32_t *sigs_ok = calloc((size_t)h->tx_count + 1, sizeof *sigs_ok);
    petro_tx *tx = malloc(sizeof *tx);
    const char *reason = NULL;
    if (ids == NULL || wit == NULL || scratch == NULL || sigs_ok == NULL || tx == NULL) {
        reason = "out of memory";
    }
    size_t off = PETRO_BLOCK_HEADER_SIZE;
    uint32_t count = 0;
    while (reason == NULL) {
        const uint8_t *env;
        size_t env_size;
        petro_result r = petro_block_body_next(block, n, &off, &env, &env_size);
        if (r == PETRO_ERR_NOT_FOUND) break;
        if (r != PETRO_OK || count >= h->tx_count ||
            petro_tx_decode(tx, env, env_size) != PETRO_OK ||
            petro_tx_id(&ids[count], tx) != PETRO_OK) {
            reason = "malformed: a transaction of the block does not decode";
            break;
        }
        petro_tx_witness_hash(&wit[count], tx, &ids[count]);
        uint32_t all = tx->sig_count >= 32 ? UINT32_MAX : (UINT32_C(1) << tx->sig_count) - 1;
        sigs_ok[count] = petro_tx_verify_sigs(tx, &ids[count]) == all;
        count++;
    }
    if (reason == NULL && count != h->tx_count) {
        reason = "malformed: tx_count differs from the body";
    }
    petro_hash root;
    if (reason == NULL) {
        petro_merkle_root(&root, ids, count, scratch);
        if (!petro_hash_equal(&root, &h->tx_root)) {
            reason = "bad_tx_root: the ids' Merkle root differs";
        }
    }
    if (reason == NULL) {
        petro_merkle_root(&root, wit, count, scratch);
        if (!petro_hash_equal(&root, &h->witness_root)) {
            reason = "bad_witness_root: the signatures' Merkle root differs";
        }
    }
    for (uint32_t i = 0; reason == NULL && i < count; i++) {
        if (!sigs_ok[i]) {
            char id_hex[2 * sizeof ids[i].bytes + 1];
            petro_hex_encode(id_hex, ids[i].bytes, sizeof ids[i].bytes);
            (void)snprintf(why, why_size,
                           "bad_signature: transaction %u of the block (%s, counting from 0): a "
                           "signature does not verify",
                           i, id_hex);
            reason = why;
        }
    }
    free(ids);
    free(wit);
    free(scratch);
    free(sigs_ok);
    free(tx);
    return reason;
}

/* What a light client can check of a block from its own bytes (GET /v1/blocks?from=H): the
 * header hashes to the block hash the node showed, the named proposer signed it for this
 * network and is this network's validator (v), the transaction and witness roots are the
 * Merkle roots of the envelopes it holds, and every envelope's signatures verify. The result
 * root and the state hash need the results and the state: `petrod verify` checks those.
 * Returns NULL when every check holds, else the reason (possibly in why). */
static const char *block_check(const uint8_t *raw, size_t size, uint64_t height,
                               const char *shown_hash, const petro_hash *network_id,
                               const block_validators *v, petro_net_kind net, char *why,
                               size_t why_size) {
    petro_block_header h;
    const char *reason =
        header_check(&h, raw, size, height, shown_hash, network_id, v, net, why, why_size);
    return reason != NULL ? reason : body_check(&h, raw + 4, size - 4, why, why_size);
}

static int verify_block(const cli_config *cfg, const cli_args *args, long long height,
                        const char *shown_hash) {
    if (height <= 0) {
        out_kv("checked", "genesis: unsigned by design (its bytes come from genesis.bin)");
        return CLI_EXIT_OK;
    }
    petro_net_kind net;
    petro_hash network_id;
    json_t *status = NULL;
    int rc = node_status(cfg, &net, &network_id, &status);
    if (rc != CLI_EXIT_OK) return rc;
    block_validators *v = malloc(sizeof *v);
    if (v == NULL) {
        json_decref(status);
        return cli_fail(CLI_EXIT_FAILED, "out of memory");
    }
    rc = block_validators_get(v, args, status, net);
    json_decref(status);
    char path[96];
    (void)snprintf(path, sizeof path, "/v1/blocks?from=%lld&limit=1", height);
    uint8_t *raw = NULL;
    size_t size = 0;
    if (rc == CLI_EXIT_OK) {
        rc = node_get_raw(cfg, path, "cannot read the block's bytes", &raw, &size);
    }
    if (rc != CLI_EXIT_OK) {
        free(v);
        return rc;
    }
    char why[256];
    const char *reason = block_check(raw, size, (uint64_t)height, shown_hash, &network_id, v,
                                     net, why, sizeof why);
    free(raw);
    free(v);
    if (reason != NULL) {
        return cli_fail(CLI_EXIT_FAILED, "block %lld does not verify: %s", height, reason);
    }
    out_kv("checked", "hash, proposer (signature, validator), tx root, witness root and "
                      "transaction signatures (from its bytes)");
    return CLI_EXIT_OK;
}

int cmd_block(const cli_config *cfg, const cli_args *args) {
    const char *which = args->positional[0];
    char path[PATH_SIZE_MAX], not_found[PATH_SIZE_MAX];
    if (strcmp(which, "latest") != 0) {
        uint64_t height = 0;
        int rc = parse_uint(&height, "block height", which, 0, UINT64_MAX);
        if (rc != CLI_EXIT_OK) return rc;
    }
    (void)snprintf(path, sizeof path, "/v1/blocks/%s", which); /* <= 20 digits: fits */
    (void)snprintf(not_found, sizeof not_found, "there is no block %s yet", which);
    node_reply reply;
    int rc = node_get_ok(cfg, path, "cannot read the block", not_found, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (cfg->json) return node_reply_out_json(&reply);
    const json_t *b = reply.body;
    long long ts = -1, count = -1;
    (void)jint(b, "timestamp_ms", &ts);
    char when[64];
    describe_time_ms(when, sizeof when, ts);
    print_ll("height", b, "height");
    out_kv("hash", "%s", jstr_or(b, "hash", "?"));
    out_kv("previous", "%s", jstr_or(b, "prev_hash", "?"));
    out_kv("time", "%s", when);
    out_kv("proposer", "%s", jstr_or(b, "proposer", "?"));
    out_kv("tx root", "%s", jstr_or(b, "tx_root", "?"));
    out_kv("witness root", "%s", jstr_or(b, "witness_root", "?"));
    out_kv("result root", "%s", jstr_or(b, "result_root", "?"));
    out_kv("state hash", "%s", jstr_or(b, "state_hash", "?"));
    out_kv("signature", "%s", jstr_or(b, "signature", "?"));
    if (jint(b, "tx_count", &count)) {
        out_kv("transactions", "%lld", count);
    } else {
        out_kv("transactions", "?");
    }
    const json_t *txs = json_object_get(b, "transactions");
    for (size_t i = 0; json_is_array(txs) && i < json_array_size(txs); i++) {
        const json_t *h = json_array_get(txs, i);
        out_kv("", "%s", json_is_string(h) ? json_string_value(h) : "?");
    }
    long long height = -1;
    (void)jint(b, "height", &height);
    rc = verify_block(cfg, args, height, jstr(b, "hash"));
    node_reply_deinit(&reply);
    return rc;
}
