/* petro CLI, state commitment (docs/protocol.md "State commitment"): state-proof fetches the
 * proof of a state record (or of an account's record and PTR balance) at the node's latest
 * signed state root; verify-state-proof checks a proof file offline, each check by name:
 * shape, leaf, root, signature, and with --validator, validator. These are no family's
 * commands: main.c lists them (group "state"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http.h"
#include "output.h"
#include "parse.h"
#include "state_proof_json.h"

static const uint32_t CHECKS[] = {PETRO_STATE_CHECK_SHAPE, PETRO_STATE_CHECK_LEAF,
                                  PETRO_STATE_CHECK_ROOT, PETRO_STATE_CHECK_SIGNATURE};
#define CHECK_COUNT (sizeof CHECKS / sizeof CHECKS[0])

/* The proofs of a file or an answer: the object itself (one proof), or its "proofs" array
 * (GET /v1/accounts/{address}/proof). Borrowed from j. */
static size_t proofs_of(const json_t *j, const json_t **out, size_t max) {
    const json_t *arr = json_object_get(j, "proofs");
    if (!json_is_array(arr)) {
        out[0] = j;
        return 1;
    }
    size_t n = json_array_size(arr) < max ? json_array_size(arr) : max;
    for (size_t i = 0; i < n; i++) out[i] = json_array_get(arr, i);
    return n;
}

/* The network kind of the validator's address in a proof (for showing addresses). */
static petro_net_kind kind_of(const json_t *proof) {
    const char *v = json_string_value(json_object_get(json_object_get(proof, "state_root"),
                                                      "validator"));
    petro_pubkey pk;
    petro_net_kind kind = PETRO_NET_TEST;
    if (v == NULL || petro_address_decode(&pk, v, strlen(v), PETRO_NET_MAIN) != PETRO_OK) {
        return kind;
    }
    return PETRO_NET_MAIN;
}

/* What the record is, when the key says (docs/protocol.md "State"). */
static void describe(char *out, size_t cap, const petro_state_proof *p, petro_net_kind kind) {
    char addr[PETRO_ADDRESS_SIZE_MAX];
    petro_pubkey pk;
    snprintf(out, cap, "a state record");
    if (p->key_size < 33) return;
    memcpy(pk.bytes, p->key + 1, 32);
    petro_address_encode(addr, &pk, kind);
    if (p->key[0] == 'A' && p->key_size == 33) {
        snprintf(out, cap, "the account record of %s", addr);
    } else if (p->key[0] == 'T' && p->key_size == 34 && p->key[33] == 0x00 &&
               p->value_size >= 8) {
        int64_t bal = 0;
        for (int i = 7; i >= 0; i--) bal = (int64_t)((uint64_t)bal << 8 | p->value[i]);
        char text[PETRO_AMOUNT_TEXT_SIZE];
        petro_amount_format(text, bal);
        snprintf(out, cap, "the PTR balance of %s: %s PTR", addr, text);
    } else if (p->key[0] == 'T') {
        snprintf(out, cap, "a trust line of %s", addr);
    }
}

int cmd_state_proof(const cli_config *cfg, const cli_args *args) {
    const char *key = args_get(args, "key"), *address = args_get(args, "address");
    if ((key == NULL) == (address == NULL)) {
        return cli_fail(CLI_EXIT_USAGE, "state-proof: give --key HEX or --address ADDRESS");
    }
    char path[512];
    if (key != NULL) {
        uint8_t k[PETRO_STORE_KEY_SIZE_MAX];
        size_t len = strlen(key);
        if (len == 0 || len % 2 != 0 || len / 2 > sizeof k ||
            petro_hex_decode(k, len / 2, key, len) != PETRO_OK) {
            return cli_fail(CLI_EXIT_USAGE, "--key: 1..128 bytes of hex");
        }
        snprintf(path, sizeof path, "/v1/proofs/state?key=%s", key);
    } else {
        petro_pubkey pk;
        petro_net_kind kind;
        int rc = parse_address_any(&pk, &kind, "--address", address);
        if (rc != CLI_EXIT_OK) return rc;
        snprintf(path, sizeof path, "/v1/accounts/%s/proof", address);
    }
    node_reply reply;
    int rc = node_get_ok(cfg, path, "no state proof", "no such record at the latest state root",
                         &reply);
    if (rc != CLI_EXIT_OK) return rc;
    /* Check before saving: a proof that does not verify is reported at once. */
    const json_t *items[2];
    size_t n = proofs_of(reply.body, items, 2);
    petro_state_proof *p = malloc(sizeof *p);
    bool all_ok = p != NULL && n > 0;
    uint64_t height = 0;
    for (size_t i = 0; all_ok && i < n; i++) {
        char why[64];
        all_ok = state_proof_from_json(p, items[i], why, sizeof why) == PETRO_OK &&
                 petro_state_proof_verify(p) == 0;
        height = p->root.height;
    }
    free(p);
    const char *out = args_get(args, "out");
    if (out != NULL) {
        if (json_dump_file(reply.body, out, JSON_INDENT(2)) != 0) {
            node_reply_deinit(&reply);
            return cli_fail(CLI_EXIT_FAILED, "--out %s: cannot write", out);
        }
        if (!cfg->json) {
            printf("state proof of %s at height %llu (%s); written to %s\n",
                   key != NULL ? key : address, (unsigned long long)height,
                   all_ok ? "verifies" : "DOES NOT VERIFY", out);
        }
    } else {
        rc = out_json(reply.body);
    }
    node_reply_deinit(&reply);
    if (!all_ok) return cli_fail(CLI_EXIT_FAILED, "the node's state proof does not verify");
    return rc;
}

/* Verify one proof: print it and its checks; returns the failed checks (bit 16: validator). */
#define CHECK_VALIDATOR 16u
static uint32_t verify_one(const cli_config *cfg, const json_t *j, const petro_pubkey *expect,
                           json_t *report, size_t number, size_t total) {
    petro_state_proof *p = malloc(sizeof *p);
    if (p == NULL) return PETRO_STATE_CHECK_ALL;
    char why[64];
    uint32_t failed = 0;
    if (state_proof_from_json(p, j, why, sizeof why) != PETRO_OK) {
        if (!cfg->json) out_kv("shape", "FAILED: malformed proof: field %s", why);
        json_array_append_new(report, json_pack("{s:s,s:b,s:s}", "check", "shape", "ok", 0,
                                                "field", why));
        free(p);
        return PETRO_STATE_CHECK_SHAPE;
    }
    failed = petro_state_proof_verify(p);
    if (expect != NULL && !petro_pubkey_equal(expect, &p->root.validator)) {
        failed |= CHECK_VALIDATOR;
    }
    petro_net_kind kind = kind_of(j);
    char what[160], key[2 * PETRO_STORE_KEY_SIZE_MAX + 1], root[65], vkey[65];
    char vaddr[PETRO_ADDRESS_SIZE_MAX];
    describe(what, sizeof what, p, kind);
    petro_hex_encode(key, p->key, p->key_size);
    petro_hex_encode(root, p->root.root.bytes, 32);
    petro_hex_encode(vkey, p->root.validator.bytes, 32);
    petro_address_encode(vaddr, &p->root.validator, kind);
    json_t *checks = json_array();
    for (size_t i = 0; i < CHECK_COUNT; i++) {
        json_array_append_new(checks, json_pack("{s:s,s:b}", "check",
                                                petro_state_check_name(CHECKS[i]), "ok",
                                                (failed & CHECKS[i]) == 0));
    }
    if (expect != NULL) {
        json_array_append_new(checks, json_pack("{s:s,s:b}", "check", "validator", "ok",
                                                (failed & CHECK_VALIDATOR) == 0));
    }
    json_array_append_new(report, json_pack("{s:s,s:s,s:I,s:I,s:o}", "key", key, "record", what,
                                            "height", (json_int_t)p->root.height, "index",
                                            (json_int_t)p->index, "checks", checks));
    if (!cfg->json) {
        if (total > 1) out_kv("proof", "%zu of %zu", number, total);
        out_kv("key", "%s", key);
        out_kv("record", "%s", what);
        out_kv("position", "index %llu of %llu records", (unsigned long long)p->index,
               (unsigned long long)p->root.record_count);
        out_kv("state root", "%s at height %llu", root, (unsigned long long)p->root.height);
        out_kv("signed by", "%s (key %s)", vaddr, vkey);
        for (size_t i = 0; i < CHECK_COUNT; i++) {
            bool ok = (failed & CHECKS[i]) == 0;
            out_kv(petro_state_check_name(CHECKS[i]), "%s%s", ok ? "ok" : "FAILED: ",
                   ok ? "" : petro_state_check_message(CHECKS[i]));
        }
        if (expect != NULL) {
            out_kv("validator", "%s", (failed & CHECK_VALIDATOR) == 0
                                          ? "ok (the expected key)"
                                          : "FAILED: signed by another key than --validator");
        }
    }
    free(p);
    return failed;
}

static void add_names(char *names, size_t cap, uint32_t failed) {
    static const uint32_t all[] = {PETRO_STATE_CHECK_SHAPE, PETRO_STATE_CHECK_LEAF,
                                   PETRO_STATE_CHECK_ROOT, PETRO_STATE_CHECK_SIGNATURE,
                                   CHECK_VALIDATOR};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if ((failed & all[i]) == 0) continue;
        const char *name = all[i] == CHECK_VALIDATOR ? "validator" : petro_state_check_name(all[i]);
        if (strstr(names, name) != NULL) continue;
        size_t len = strlen(names);
        snprintf(names + len, cap - len, "%s%s", len ? ", " : "", name);
    }
}

int cmd_verify_state_proof(const cli_config *cfg, const cli_args *args) {
    const char *file = args->positional[0];
    petro_pubkey expect;
    const char *validator = args_get(args, "validator");
    if (validator != NULL) {
        petro_net_kind kind;
        int rc = parse_address_any(&expect, &kind, "--validator", validator);
        if (rc != CLI_EXIT_OK) return rc;
    }
    json_error_t err;
    json_t *j = json_load_file(file, JSON_REJECT_DUPLICATES, &err);
    if (j == NULL) {
        return cli_fail(CLI_EXIT_USAGE, "%s: not a JSON proof file (%s, line %d)", file,
                        err.text, err.line);
    }
    const json_t *items[8];
    size_t n = proofs_of(j, items, 8);
    json_t *report = json_array();
    uint32_t failed = n == 0 ? PETRO_STATE_CHECK_SHAPE : 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && !cfg->json) printf("\n");
        failed |= verify_one(cfg, items[i], validator != NULL ? &expect : NULL, report, i + 1, n);
    }
    if (cfg->json) {
        json_t *o = json_pack("{s:b,s:o}", "valid", failed == 0, "proofs", report);
        (void)out_json(o);
        json_decref(o);
    } else {
        json_decref(report);
    }
    json_decref(j);
    if (failed != 0) {
        char names[128] = "";
        add_names(names, sizeof names, failed);
        return cli_fail(CLI_EXIT_FAILED, "%s: state proof INVALID: failed %s", file, names);
    }
    if (!cfg->json) printf("state proof valid\n");
    return CLI_EXIT_OK;
}
