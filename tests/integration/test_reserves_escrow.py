"""Proof-of-reserves checkpoints while a trade escrow holds funds (issue #15), on a real devnet.

Why: before the fix, funding any trade contract made every later checkpoint fail ("stored data
failed its integrity check": escrowed units are in the supply but in no holder's balance), so
/v1/reserves served an old checkpoint forever while /healthz said ok. Now each escrow is a lock
leaf of the Merkle sum tree. This test funds a contract, waits for checkpoints past the funding
height, and checks that the checkpoint total is the supply, that the importer's proof carries
its balance and its lock and verifies offline with `petro verify-proof`, that a tampered lock
amount is refused naming the checks, and that /healthz, GET /v1/status and /metrics report
checkpoints as working (no failure, last height advancing).

Then the other half of the issue: a checkpoint that cannot be built must be loud, not a log
line. petrod-test (the node with test fault switches, petrod/main.c) fails every checkpoint
while a file exists (PETRO_TEST_FAULT_CHECKPOINT_FAIL): /healthz answers 503 naming the
checkpoint and its height, GET /v1/status has checkpoint.failing and last_failure, /metrics
counts the failure, /v1/reserves keeps the last good checkpoint; once the file is gone the next
checkpoint clears the failing state (the last failure stays on record).
"""

import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, describe_cli, log  # noqa: E402

CHECKPOINT_INTERVAL = 2
AMOUNT = "2000"


def ptr_reserve(node):
    body = h.get_ok(node.url, "/v1/reserves")
    for r in body["reserves"]:
        if r["asset"] == "PTR":
            return body, r
    h.fail("no PTR in /v1/reserves: %r" % body)


def wait_checkpoint_past(node, height):
    """The PTR checkpoint at the first multiple of the interval above height (blocks are made
    with payments meanwhile, so the devnet moves on)."""
    due = (height // CHECKPOINT_INTERVAL + 1) * CHECKPOINT_INTERVAL
    for _ in range(40):
        _, ptr = ptr_reserve(node)
        cp = ptr["latest_checkpoint"]
        if cp is not None and cp["height"] >= due:
            return ptr, cp
        h.cli_ok(node, "pay", "--wallet", node.wallet("alice"), "--to", node.address("bob"),
                 "--amount", "0.01", "--wait")
    st = h.get_ok(node.url, "/v1/status")
    h.fail("no checkpoint at or after height %d (status %r)\n%s"
           % (due, st.get("checkpoint"), node.describe()))


def metric(text, name):
    m = re.search(r"^%s (\d+)$" % name, text, re.M)
    return int(m.group(1)) if m else None


def run():
    work = tempfile.mkdtemp(prefix="petro-it-escrow-")
    try:
        walk(work)
        failure_is_loud(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def walk(work):
    with h.Node(name="escrow", block_interval_ms=100,
                extra_args=("--checkpoint-interval", str(CHECKPOINT_INTERVAL))) as node:
        node.start()
        W = node.wallet
        importer = node.address("importer")

        # A contract, funded: AMOUNT PTR leave the importer's balance into escrow.
        out = h.cli_ok(node, "trade", "create", "--wallet", W("importer"), "--exporter",
                       node.address("exporter"), "--amount", AMOUNT, "--hs", "870830",
                       "--goods", "Brake assemblies", "--quantity", "400", "--unit", "pcs",
                       "--incoterm", "CIF", "--origin", "BR", "--destination", "VE",
                       "--doc", "bill_of_lading", "--approver", node.address("inspector-1"),
                       "--threshold", "1", "--wait")
        m = re.search(r"contract id: (\d+)", out)
        check(m is not None, "no contract id printed:\n" + out)
        cid = int(m.group(1))
        h.cli_ok(node, "trade", "fund", "--wallet", W("importer"), "--id", str(cid), "--wait")
        funded_at = node.status()["height"]
        log("contract %d funded at height %d" % (cid, funded_at))

        # Checkpoints go on past the funding height, and their total is the whole supply.
        ptr, cp = wait_checkpoint_past(node, funded_at)
        check(cp["lock_count"] >= 1, "the checkpoint has no lock leaf: %r" % cp)
        hist = h.get_ok(node.url, "/v1/reserves/history?asset=PTR&limit=1")["records"][-1]
        check(hist["height"] == cp["height"] and hist["locks"] == cp["lock_count"] and
              hist["holders"] + hist["locks"] == cp["leaf_count"],
              "history record of the checkpoint: %r vs %r" % (hist, cp))
        check(hist["supply"] == cp["total"], "history supply %r, checkpoint total %r"
              % (hist["supply"], cp["total"]))

        # Loud when failing, so quiet when working: healthz ok, status and metrics agree.
        st, text = node.get("/healthz")
        check(st == 200, "/healthz while checkpoints work: %d %r" % (st, text))
        status = h.get_ok(node.url, "/v1/status")["checkpoint"]
        check(status["enabled"] and status["interval"] == CHECKPOINT_INTERVAL and
              not status["failing"] and status["failures_total"] == 0 and
              status["last_failure"] is None and status["last_height"] >= cp["height"],
              "status.checkpoint: %r" % status)
        st, text = node.get("/metrics")
        check(st == 200, "/metrics: %d" % st)
        check(metric(text, "petro_checkpoint_failures_total") == 0 and
              metric(text, "petro_checkpoint_failing") == 0 and
              metric(text, "petro_checkpoint_last_height") >= cp["height"],
              "checkpoint metrics:\n%s" % "\n".join(
                  ln for ln in text.splitlines() if "checkpoint" in ln))

        # The importer's proof: its balance and its lock, both verifying offline.
        path = os.path.join(work, "proof-importer.json")
        out = h.cli_ok(node, "proof", "--address", importer, "--asset", "PTR", "--out", path)
        check("verifies" in out and "and 1 lock of %s" % AMOUNT in out,
              "petro proof summary:\n" + out)
        with open(path) as f:
            proof = json.load(f)
        check(proof["format"] == "petro-proof-v2" and proof["balance"] is not None,
              "proof format / balance: %r" % {k: proof[k] for k in ("format", "balance")})
        locks = [lk for lk in proof["locks"] if lk["family"] == "trade" and lk["id"] == cid]
        check(len(locks) == 1 and locks[0]["amount"] == AMOUNT,
              "the proof lacks the lock of contract %d: %r" % (cid, proof["locks"]))
        check(locks[0]["index"] >= cp["leaf_count"] - cp["lock_count"],
              "a lock leaf must come after the balances: %r" % locks[0])
        out = h.cli_ok(node, "verify-proof", path, "--validator", node.status()["proposer"])
        check("proof valid" in out and "trade #%d" % cid in out,
              "verify-proof of the importer:\n" + out)
        verdict = h.cli_json(node, "verify-proof", path)
        check(verdict["valid"] and verdict["locked"] == AMOUNT and
              [lf["leaf"] for lf in verdict["leaves"]] == ["balance", "lock"],
              "verify-proof --json: %r" % verdict)

        # A tampered lock amount is refused, naming the checks that failed.
        p = json.loads(json.dumps(proof))
        p["locks"][0]["amount"] = h.fmt_base(h.to_base(p["locks"][0]["amount"]) + 1)
        bad = os.path.join(work, "proof-tampered-lock.json")
        with open(bad, "w") as f:
            json.dump(p, f)
        args = ("verify-proof", bad)
        rc, out, err = node.cli(*args)
        desc = describe_cli(args, rc, out, err)
        check(rc == 1 and "proof INVALID: failed sums, root" in err,
              "a tampered lock must be refused (sums, root)\n" + desc)

        # An account without a lock gets no lock proof; the exporter holds only its balance.
        exp = h.get_ok(node.url, "/v1/reserves/proof/%s?asset=PTR" % node.address("exporter"))
        check(exp["locks"] == [] and exp["locks_omitted"] == 0 and exp["balance"] is not None,
              "exporter's proof: %r" % {k: exp[k] for k in ("balance", "locks")})

        node.check_no_sanitizer_report()
        check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())
        node.check_no_sanitizer_report()


def pay(node):
    h.cli_ok(node, "pay", "--wallet", node.wallet("alice"), "--to", node.address("bob"),
             "--amount", "0.01", "--wait")


def failure_is_loud(work):
    petrod = h.PETROD
    h.PETROD = os.path.join(h.PETRO_BIN, "petrod-test")
    check(os.access(h.PETROD, os.X_OK), "petrod-test not found at %s (PETRO_BIN=%s): build the "
          "petrod-test target" % (h.PETROD, h.PETRO_BIN))
    flag = os.path.join(work, "fail-checkpoints")
    try:
        with h.Node(name="cp-fail", block_interval_ms=100,
                    extra_args=("--checkpoint-interval", str(CHECKPOINT_INTERVAL)),
                    env={"PETRO_TEST_FAULT_CHECKPOINT_FAIL": flag}) as node:
            node.start()
            _, ptr = ptr_reserve(node)
            good = ptr["latest_checkpoint"]["height"]
            open(flag, "w").close()
            for _ in range(20):
                status = h.get_ok(node.url, "/v1/status")["checkpoint"]
                if status["failing"]:
                    break
                pay(node)
            check(status["failing"] and status["failures_total"] >= 1,
                  "status.checkpoint while checkpoints fail: %r" % status)
            failure = status["last_failure"]
            check(failure is not None and failure["error"] == "corrupt" and
                  failure["reason"].startswith("PTR: ") and
                  failure["height"] % CHECKPOINT_INTERVAL == 0 and failure["height"] > good,
                  "last_failure: %r" % failure)
            st, text = node.get("/healthz")
            check(st == 503 and "checkpoint failing" in text and
                  "height %d" % failure["height"] in text and "PTR" in text,
                  "/healthz must fail naming the checkpoint: %d %r" % (st, text))
            st, text = node.get("/metrics")
            check(metric(text, "petro_checkpoint_failing") == 1 and
                  metric(text, "petro_checkpoint_failures_total") >= 1 and
                  metric(text, "petro_checkpoint_last_height") == status["last_height"],
                  "checkpoint metrics while failing:\n%s" % "\n".join(
                      ln for ln in text.splitlines() if "checkpoint" in ln))
            _, ptr = ptr_reserve(node)
            check(ptr["latest_checkpoint"]["height"] == status["last_height"] < failure["height"],
                  "/v1/reserves keeps the last good checkpoint: %r" % ptr["latest_checkpoint"])
            check("FAILED" in node.stderr_text(), "the failure is logged as an error too")

            # The cause gone, the next checkpoint succeeds and the node is healthy again.
            os.unlink(flag)
            for _ in range(20):
                status = h.get_ok(node.url, "/v1/status")["checkpoint"]
                if not status["failing"]:
                    break
                pay(node)
            check(not status["failing"] and status["last_height"] > failure["height"] and
                  status["last_failure"]["height"] == failure["height"],
                  "status.checkpoint after recovery: %r" % status)
            st, text = node.get("/healthz")
            check(st == 200, "/healthz after recovery: %d %r" % (st, text))
            node.check_no_sanitizer_report()
            check(node.stop() == 0, "petrod-test exit on SIGTERM\n" + node.describe())
    finally:
        h.PETROD = petrod


if __name__ == "__main__":
    h.main(run)
