"""State proofs on a real devnet node (docs/protocol.md "State commitment"), through the CLI.

Why: a light client must be able to prove its balance against a root the validator signed,
without trusting the node that served the proof and without a node at all when checking it.
Here: start a devnet with --checkpoint-interval 5, pay from alice to bob until a signed state
root covers the payment, fetch alice's proof (her account record and her PTR balance record)
with `petro state-proof --address`, check it offline with `petro verify-state-proof` (also with
--validator naming the node's key, and refused naming another key), see that the proven balance
is hers, and see each tampered file (value, a path hash, the height, the signature) rejected
with exit 1 and the failed check named. Also: a single record by key, 404 for an absent key,
400 for a malformed one.
"""

import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, describe_cli, log  # noqa: E402

INTERVAL = 5


def state_root(node):
    status, body = node.get("/v1/state-root")
    if status == 503:
        check(body.get("reason") == "no_state_root", "503 without reason no_state_root: %r"
              % body)
        return None
    check(status == 200, "GET /v1/state-root: %s %r" % (status, body))
    return body


def wait_root(node, min_height, seconds):
    deadline = time.time() + seconds * h.SLOW
    while time.time() < deadline:
        r = state_root(node)
        if r is not None and r["height"] >= min_height:
            return r
        time.sleep(0.1)
    return None


def expect_invalid(node, path, word, *extra):
    args = ("verify-state-proof", path) + extra
    rc, out, err = node.cli(*args)
    desc = describe_cli(args, rc, out, err)
    check(rc == 1 and "INVALID" in err, "expected exit 1 and INVALID\n" + desc)
    check("failed %s" % word in err, "stderr should name the %s check\n%s" % (word, desc))
    check("FAILED" in out, "the failed check should be shown\n" + desc)


def run():
    work = tempfile.mkdtemp(prefix="petro-it-state-")
    try:
        walk(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def walk(work):
    with h.Node(name="state-proofs",
                extra_args=("--checkpoint-interval", str(INTERVAL))) as node:
        node.start()
        W = node.wallet
        alice, bob = node.address("alice"), node.address("bob")
        validator = node.status()["proposer"]

        # The start-up root (built off-thread right after start).
        r0 = wait_root(node, 0, 30)
        check(r0 is not None, "no start-up state root within 30 s")
        check(r0["validator"] == validator and r0["record_count"] > 0,
              "start-up root: %r (validator %s)" % (r0, validator))

        # Pay until a signed root covers the last payment.
        root = None
        for _ in range(3 * INTERVAL):
            out = h.cli_ok(node, "pay", "--wallet", W("alice"), "--to", bob, "--amount", "1",
                           "--wait")
            tx = node.tx(h.find_hash(out))
            root = wait_root(node, tx["height"], 3 if tx["height"] % INTERVAL == 0 else 0.2)
            if root is not None:
                break
        check(root is not None and root["height"] % INTERVAL == 0,
              "no state root at a multiple of %d after the payments: %r" % (INTERVAL, root))
        log("state root at height %d over %d records" % (root["height"], root["record_count"]))

        # Alice's proof: account record and PTR balance, verified before it is written.
        path = os.path.join(work, "alice.json")
        out = h.cli_ok(node, "state-proof", "--address", alice, "--out", path)
        check("verifies" in out, "state-proof should say the proof verifies:\n" + out)
        with open(path) as f:
            proof = json.load(f)
        check(proof["account"] == alice and len(proof["proofs"]) == 2, "proof file: %r" % proof)
        acct, bal = proof["proofs"]
        pub = bal["key"][2:66]
        check(acct["key"] == "41" + pub and bal["key"] == "54" + pub + "00",
              "keys should be 'A' pubkey and 'T' pubkey 0x00: %r %r" % (acct["key"], bal["key"]))
        check(bal["state_root"] == root, "the proof's root is not the latest: %r vs %r"
              % (bal["state_root"], root))
        balance = int.from_bytes(bytes.fromhex(bal["value"])[:8], "little", signed=True)
        check(balance == node.balance(alice), "proven balance %d is not alice's %d"
              % (balance, node.balance(alice)))

        out = h.cli_ok(node, "verify-state-proof", path)
        for word in ("shape", "leaf", "root", "signature", "PTR balance of " + alice,
                     "state proof valid"):
            check(word in out, "verify-state-proof output lacks %r:\n%s" % (word, out))
        h.cli_ok(node, "verify-state-proof", path, "--validator", validator)
        expect_invalid(node, path, "validator", "--validator", alice)
        body = h.cli_json(node, "verify-state-proof", path)
        check(body["valid"] and len(body["proofs"]) == 2, "--json: %r" % body)

        # One record by key (bob's account), an absent key, a malformed key.
        bob_key = proof["proofs"][0]["key"]  # alice's 'A' key, any key with a record works
        one = os.path.join(work, "one.json")
        h.cli_ok(node, "state-proof", "--key", bob_key, "--out", one)
        h.cli_ok(node, "verify-state-proof", one)
        status, body = node.get("/v1/proofs/state?key=41" + "00" * 32)
        check(status == 404 and body["error"] == "not_found", "absent key: %s %r"
              % (status, body))
        status, body = node.get("/v1/proofs/state?key=4")
        check(status == 400, "odd hex key: %s %r" % (status, body))
        status, body = node.get("/v1/proofs/state?key=4d746970")  # 'M' "tip": not committed
        check(status == 404, "metadata key: %s %r" % (status, body))

        # Tampered files: each refused, naming the check that failed.
        def tampered(label, change, word):
            p = json.loads(json.dumps(proof))
            change(p["proofs"][1])
            t = os.path.join(work, "tampered-%s.json" % label)
            with open(t, "w") as f:
                json.dump(p, f)
            expect_invalid(node, t, word)

        def flip(hexstr, i=0):
            return hexstr[:i] + ("1" if hexstr[i] == "0" else "0") + hexstr[i + 1:]

        def value(p):
            p["value"] = flip(p["value"])  # the balance's lowest byte

        def path_hash(p):
            p["path"][-1]["hash"] = flip(p["path"][-1]["hash"])

        def height(p):
            p["state_root"]["height"] += 1

        def signature(p):
            p["state_root"]["signature"] = flip(p["state_root"]["signature"], 10)

        check(len(proof["proofs"][1]["path"]) > 0, "a path with at least one step")
        tampered("value", value, "leaf")
        tampered("path", path_hash, "root")
        tampered("height", height, "signature")
        tampered("signature", signature, "signature")
        node.check_no_sanitizer_report()


if __name__ == "__main__":
    h.main(run)
