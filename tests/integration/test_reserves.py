"""Reserve-backed issuance and proof of reserves on a real devnet node, through the CLI.

Why: this is the walk a new user takes after `make run`: see coverage with `petro reserves`,
attest more oil as the devnet auditors (2 of 3: one auditor is refused), issue PTR up to the
cap and not one base unit more, publish oracle prices (median), redeem for delivery and have
the issuer fulfil it, then fetch their own proof of reserves and verify it offline, and see
tampered proofs rejected with the check that failed named; and when an attestation expires,
see the under-coverage flagged loudly and issuance blocked, with no balance touched. At each
step the petro_reserve_* gauges of /metrics (what operators alert on) say what /v1/reserves says.
Each account an issuance credits, a redemption asks to deliver or a fulfilment completes sees
that transaction in its history (GET /v1/accounts/{address}/transactions) exactly once.
"""

import json
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, describe_cli, log  # noqa: E402

CHECKPOINT_INTERVAL = 3


def reserve(node, code="PTR"):
    body = h.cli_json(node, "reserves")
    for r in body["reserves"]:
        if r["asset"].split(":")[0] == code:
            return body, r
    h.fail("no %s in petro reserves: %r" % (code, body))


RESERVE_GAUGES = ("attested_base_units", "attestations", "attestation_expires_ms",
                  "supply_base_units", "outstanding_base_units", "cap_base_units", "coverage_bps",
                  "min_coverage_bps", "under_covered")


def scrape_reserves(node):
    """The petro_reserve_* samples of /metrics as {name: {asset: value text}}; every family
    must be declared a gauge with a HELP line before its samples."""
    st, text = node.get("/metrics")
    check(st == 200 and isinstance(text, str), "/metrics: %d %r" % (st, text))
    samples, declared = {}, set()
    for line in text.splitlines():
        m = re.fullmatch(r"# TYPE (petro_reserve_\w+) (\w+)", line)
        if m:
            check(m.group(2) == "gauge", "%s is not a gauge:\n%s" % (m.group(1), text))
            check("# HELP %s " % m.group(1) in text, "%s has no HELP" % m.group(1))
            declared.add(m.group(1))
            continue
        m = re.fullmatch(r'(petro_reserve_\w+)\{asset="([^"]+)"\} (\S+)', line)
        if m:
            check(m.group(1) in declared, "sample before its TYPE: %r" % line)
            check(m.group(2) not in samples.get(m.group(1), {}), "duplicate sample %r" % line)
            samples.setdefault(m.group(1), {})[m.group(2)] = m.group(3)
        else:
            check(not line.startswith("petro_reserve_"), "unparsed reserve line %r" % line)
    return samples


def bps(percent):
    """"123.45%" (two decimals, from integers) -> 12345; None (no supply) -> "+Inf"."""
    if percent is None:
        return "+Inf"
    m = re.fullmatch(r"(\d+)\.(\d\d)%", percent)
    check(m is not None, "not a percentage with two decimals: %r" % percent)
    return str(int(m.group(1)) * 100 + int(m.group(2)))


def check_metrics(node):
    """The reserve gauges of /metrics match /v1/reserves read just before and just after the
    scrape at the same height, asset by asset. Returns the samples and that body."""
    for _ in range(10):
        body = h.get_ok(node.url, "/v1/reserves")
        samples = scrape_reserves(node)
        if h.get_ok(node.url, "/v1/reserves")["height"] == body["height"]:
            break
    else:
        h.fail("blocks kept coming: no /metrics scrape between two equal /v1/reserves")
    assets = [r["asset"] for r in body["reserves"]]
    for g in RESERVE_GAUGES:
        name = "petro_reserve_" + g
        check(sorted(samples.get(name, {})) == sorted(assets),
              "%s: assets %r, /v1/reserves has %r" % (name, samples.get(name), assets))
    for r in body["reserves"]:
        a = r["asset"]
        in_force = [x["valid_until_ms"] for x in r["attestations"]]
        want = {
            "attested_base_units": str(h.to_base(r["attested"])),
            "attestations": str(r["attestation_count"]),
            "attestation_expires_ms": str(min(in_force) if in_force else 0),
            "supply_base_units": str(h.to_base(r["supply"])),
            "outstanding_base_units": str(h.to_base(r["outstanding"])),
            "cap_base_units": str(h.to_base(r["cap"])),
            "coverage_bps": bps(r["coverage"]),
            "min_coverage_bps": bps(r["min_coverage"]),
            "under_covered": "1" if r["under_covered"] else "0",
        }
        check(len(in_force) == r["attestation_count"] and
              r["attestations_expire_ms"] == (min(in_force) if in_force else None),
              "attestations_expire_ms is not the earliest end in force: %r" % r)
        for g, value in want.items():
            got = samples["petro_reserve_" + g][a]
            check(got == value, "petro_reserve_%s{asset=%s} is %s, /v1/reserves says %s: %r"
                  % (g, a, got, value, r))
        cp = r["latest_checkpoint"]
        got = samples.get("petro_reserve_checkpoint_height", {}).get(a)
        check(got == (None if cp is None else str(cp["height"])),
              "petro_reserve_checkpoint_height{asset=%s} is %s, latest_checkpoint %r"
              % (a, got, cp))
    return samples, body


def expect_fail(node, args, word):
    rc, out, err = node.cli(*args)
    desc = describe_cli(args, rc, out, err)
    check(rc == 1, "expected exit 1\n" + desc)
    check(word in err, "stderr should name %s\n%s" % (word, desc))


def run():
    work = tempfile.mkdtemp(prefix="petro-it-reserves-")
    try:
        walk(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def walk(work):
    with h.Node(name="reserves",
                extra_args=("--checkpoint-interval", str(CHECKPOINT_INTERVAL))) as node:
        node.start()
        W = node.wallet
        auditors = node.address("auditors")
        treasury = node.address("treasury")
        alice = node.address("alice")

        # A new devnet: PTR fully covered by the genesis attestation; block 1 holds the three
        # oracles' first prices (issue #18), so there is a valuation at once, and the start-up
        # checkpoint is at height 1.
        body, ptr = reserve(node)
        check(not body["under_covered"] and body["warning"] is None, "genesis under-covered")
        check(body["checkpoint_interval"] == CHECKPOINT_INTERVAL,
              "--checkpoint-interval not applied: %r" % body)
        check(ptr["commodity"] == "oil" and ptr["asset_units_per_commodity_unit"] == "1",
              "PTR should be 1 barrel of oil: %r" % ptr)
        check(ptr["headroom"] == "0" and ptr["cap"] == ptr["outstanding"],
              "genesis attests exactly the genesis supply: %r" % ptr)
        check(ptr["latest_checkpoint"]["height"] == 1, "no start-up checkpoint: %r" % ptr)
        check(ptr["checkpoint_age_blocks"] == body["height"] - 1,
              "checkpoint_age_blocks is not tip - checkpoint height: %r" % ptr)
        check(ptr["fresh_prices"] == 3 and ptr["reference_price"] == "75" and
              ptr["valuation"] == h.fmt_base(h.to_base(ptr["attested"]) * 75),
              "the devnet's first oil prices (74.90, 75, 75.10) give no valuation: %r" % ptr)
        _, xau = reserve(node, "XAU")
        check(xau["commodity"] == "gold" and xau["asset_units_per_commodity_unit"] == "100",
              "XAU should be 0.01 troy ounce: %r" % xau)
        check(xau["fresh_prices"] == 3 and xau["reference_price"] == "2400",
              "the devnet's first gold prices: %r" % xau)
        block1 = node.get("/v1/blocks/1")[1]
        check(len(block1["transactions"]) == 3, "block 1 is not the oracles' 3: %r" % block1)
        out = h.cli_ok(node, "reserves")
        age = "checkpoint     height 1, %d block%s old (tip %d)" % (
            body["height"] - 1, "" if body["height"] == 2 else "s", body["height"])
        check("PTR" in out and "covered" in out and age in out and "75 USD" in out,
              "human table lacks coverage, price or the checkpoint's age (%r):\n%s" % (age, out))
        m, _ = check_metrics(node)
        check(m["petro_reserve_under_covered"]["PTR"] == "0" and
              m["petro_reserve_checkpoint_height"]["PTR"] == "1" and
              m["petro_reserve_coverage_bps"]["PTR"] == "10000",
              "genesis gauges: PTR exactly covered, checkpoint at 1: %r" % m)

        # Attestation: one auditor is not enough (2 of 3), two are.
        cert = os.path.join(work, "certificate.pdf")
        with open(cert, "wb") as f:
            f.write(b"%PDF-1.4 devnet certificate: 500 barrels, tank 7\n")
        att = ("attest", "--source", auditors, "--commodity", "oil", "--quantity", "500",
               "--custodian", "Jose terminal, tank 7", "--document", cert, "--valid-days", "30",
               "--wait")
        expect_fail(node, att + ("--wallet", W("auditor-3")), "bad_auth")
        expect_fail(node, ("attest", "--wallet", W("alice"), "--commodity", "oil", "--quantity",
                           "1", "--custodian", "x", "--document", cert, "--wait"),
                    "not_auditors")
        h.cli_ok(node, *(att + ("--wallet", W("auditor-1"), "--wallet", W("auditor-3"))))
        _, ptr = reserve(node)
        check(ptr["headroom"] == "500" and ptr["attestation_count"] == 2,
              "after attesting 500 barrels the headroom should be 500: %r" % ptr)

        # Issue up to the cap, exactly, and not one base unit more (treasury: 2 of 3 officers).
        iss = ("issue-reserve", "--wallet", W("treasury-officer-1"), "--wallet",
               W("treasury-officer-2"), "--source", treasury, "--asset", "PTR", "--to", alice,
               "--wait")
        a0 = node.balance(alice)
        expect_fail(node, iss + ("--amount", "500.00000001"), "reserve_cap_exceeded")
        out = h.cli_ok(node, *(iss + ("--amount", "500")))
        check(node.balance(alice) == a0 + 500 * h.BASE, "alice did not receive 500 PTR")
        issuance = h.find_hash(out)
        check(issuance is not None, "no transaction hash printed:\n" + out)
        node.check_in_history(alice, issuance, "alice (issue_reserve destination)")
        node.check_in_history(treasury, issuance, "treasury (issuer)")
        _, ptr = reserve(node)
        check(ptr["headroom"] == "0" and ptr["cap"] == ptr["outstanding"],
              "at the cap: %r" % ptr)
        m, _ = check_metrics(node)
        check(m["petro_reserve_cap_base_units"]["PTR"] ==
              m["petro_reserve_outstanding_base_units"]["PTR"], "gauges at the cap: %r" % m)
        expect_fail(node, iss + ("--amount", "0.00000001"), "reserve_cap_exceeded")
        expect_fail(node, ("issue-reserve", "--wallet", W("alice"), "--asset", "PTR", "--to",
                           alice, "--amount", "1", "--wait"), "not_issuer")

        # Oracle prices: the reference is the median of the fresh ones.
        for i, price in ((1, "70"), (2, "80.5"), (3, "95")):
            h.cli_ok(node, "oracle-price", "--wallet", W("oracle-%d" % i), "--commodity", "oil",
                     "--price", price, "--wait")
        expect_fail(node, ("oracle-price", "--wallet", W("alice"), "--commodity", "oil",
                           "--price", "1", "--wait"), "not_oracle")
        _, ptr = reserve(node)
        check(ptr["reference_price"] == "80.5" and ptr["fresh_prices"] == 3,
              "median of 70, 80.5, 95 should be 80.5: %r" % ptr)
        check(ptr["valuation"] == h.fmt_base(h.to_base(ptr["attested"]) * 805 // 10),
              "valuation = attested x price: %r" % ptr)

        # Redemption: supply drops at burn time; the issuer fulfils.
        s0 = h.to_base(ptr["supply"])
        out = h.cli_ok(node, "redeem", "--wallet", W("alice"), "--asset", "PTR", "--amount",
                       "10", "--delivery", "BOL 2026-117, Jose terminal", "--wait")
        # The issuer (treasury) has to deliver: the request is in its history.
        node.check_in_history(treasury, h.find_hash(out), "treasury (redemption request)")
        _, ptr = reserve(node)
        fee = 100
        check(h.to_base(ptr["supply"]) == s0 - 10 * h.BASE - fee,
              "supply should drop by 10 PTR (+ fee) at redemption: %r" % ptr)
        check(ptr["headroom"] == "10", "redeeming frees headroom: %r" % ptr)
        expect_fail(node, ("fulfill", "--wallet", W("alice"), "--request", "1", "--wait"),
                    "not_issuer")
        out = h.cli_ok(node, "fulfill", "--wallet", W("treasury-officer-2"), "--wallet",
                       W("treasury-officer-3"), "--source", treasury, "--request", "1", "--wait")
        node.check_in_history(alice, h.find_hash(out), "alice (her request fulfilled)")
        expect_fail(node, ("fulfill", "--wallet", W("treasury-officer-2"), "--wallet",
                           W("treasury-officer-3"), "--source", treasury, "--request", "1",
                           "--wait"), "redemption_done")

        # A reserve-backed issued asset (XAU by the treasury) through the CLI: issue-reserve and
        # redeem take CODE:ISSUER (both once refused the issued form as a bad address).
        xau_asset = "XAU:" + treasury
        h.cli_ok(node, "trust", "--wallet", W("alice"), "--asset", xau_asset, "--wait")
        _, xau = reserve(node, "XAU")
        x0 = h.to_base(xau["outstanding"])
        out = h.cli_ok(node, "issue-reserve", "--wallet", W("treasury-officer-1"), "--wallet",
                       W("treasury-officer-2"), "--source", treasury, "--asset", xau_asset,
                       "--to", alice, "--amount", "5", "--wait")
        node.check_in_history(alice, h.find_hash(out), "alice (XAU issue_reserve destination)")
        check(node.balance(alice, xau_asset) == 5 * h.BASE, "alice did not receive 5 XAU: %r"
              % node.account(alice).get("balances"))
        h.cli_ok(node, "redeem", "--wallet", W("alice"), "--asset", xau_asset, "--amount", "2",
                 "--delivery", "vault pickup, Caracas", "--wait")
        check(node.balance(alice, xau_asset) == 3 * h.BASE, "alice should hold 3 XAU after "
              "redeeming 2: %r" % node.account(alice).get("balances"))
        _, xau = reserve(node, "XAU")
        check(h.to_base(xau["outstanding"]) == x0 + 3 * h.BASE,
              "XAU outstanding should grow by 5 issued - 2 redeemed: %r" % xau)

        # Checkpoints every 3 blocks; the proof of every devnet account verifies offline.
        body, ptr = reserve(node)
        cp = ptr["latest_checkpoint"]
        check(cp["height"] > 0 and cp["height"] % CHECKPOINT_INTERVAL == 0,
              "expected a checkpoint at a multiple of %d: %r" % (CHECKPOINT_INTERVAL, cp))
        hist = node.get("/v1/reserves/history?asset=PTR")[1]["records"]
        check(len(hist) >= 2 and hist[0]["height"] == 1, "history: %r" % hist)
        names = ["treasury", "alice", "bob", "bank", "auditors", "auditor-1",
                 "oracle-3", "treasury-officer-1"]
        for name in names:
            path = os.path.join(work, "proof-%s.json" % name)
            h.cli_ok(node, "proof", "--address", node.address(name), "--asset", "PTR", "--out",
                     path)
            out = h.cli_ok(node, "verify-proof", path)
            check("proof valid" in out, "proof of %s does not verify:\n%s" % (name, out))
        proof_path = os.path.join(work, "proof-alice.json")
        with open(proof_path) as f:
            proof = json.load(f)
        check(proof["account"] == alice and proof["checkpoint"]["height"] == cp["height"],
              "proof is not alice's at the latest checkpoint: %r" % proof["checkpoint"])
        # How old the checkpoint was: the node's tip when it served the proof (not signed).
        check(proof["tip_height"] >= cp["height"] and
              proof["checkpoint_age_blocks"] == proof["tip_height"] - cp["height"],
              "tip_height / checkpoint_age_blocks: %r" % {k: proof.get(k) for k in
                                                          ("tip_height", "checkpoint_age_blocks")})
        out = h.cli_ok(node, "verify-proof", proof_path)
        n = proof["checkpoint_age_blocks"]
        want = "height %d, %d block%s old when fetched (tip %d)" % (
            cp["height"], n, "" if n == 1 else "s", proof["tip_height"])
        check(want in out, "verify-proof does not say how old (%r):\n%s" % (want, out))
        validator = node.status()["proposer"]  # the validator key is not an account
        h.cli_ok(node, "verify-proof", proof_path, "--validator", validator)
        expect_fail(node, ("verify-proof", proof_path, "--validator", alice), "validator")

        # Tampered proofs: each rejected, naming the failed check.
        def tampered(label, change, words):
            p = json.loads(json.dumps(proof))
            change(p)
            path = os.path.join(work, "tampered-%s.json" % label)
            with open(path, "w") as f:
                json.dump(p, f)
            args = ("verify-proof", path)
            rc, out, err = node.cli(*args)
            desc = describe_cli(args, rc, out, err)
            check(rc == 1 and "INVALID" in err, "%s: expected rejection\n%s" % (label, desc))
            for w in words:
                check(w in err, "%s: stderr should name %s\n%s" % (label, w, desc))

        def more_balance(p):
            p["balance"] = h.fmt_base(h.to_base(p["balance"]) + 1)

        def lower_sibling(p):
            p["path"][0]["sum"] = h.fmt_base(h.to_base(p["path"][0]["sum"]) - 1)

        def swap(p):
            # Swap two neighbouring siblings that differ. (The last node of an odd level is
            # paired with the constant empty node, so a leaf at the end of its level can have
            # two equal siblings in a row, and swapping those changes nothing: still valid.)
            path = p["path"]
            i = next((i for i in range(len(path) - 1) if path[i] != path[i + 1]), None)
            check(i is not None, "a proof path with two different neighbouring siblings: %r" % path)
            path[i], path[i + 1] = path[i + 1], path[i]

        def salt(p):
            p["salt"] = ("0" if p["salt"][0] != "0" else "1") + p["salt"][1:]

        def total(p):
            p["checkpoint"]["total"] = h.fmt_base(h.to_base(p["checkpoint"]["total"]) - 1)

        tampered("balance", more_balance, ["sums", "root"])
        tampered("sibling-sum", lower_sibling, ["sums", "root"])
        tampered("swapped", swap, ["root"])
        tampered("salt", salt, ["salt", "root"])
        tampered("total", total, ["sums", "signature"])

        # Expiry: an attestation that ends in a few seconds; once the block time passes it,
        # the supply exceeds the cap: flagged loudly, issuance blocked, nothing destroyed.
        now_ms = int(time.time() * 1000)
        short = ("attest", "--wallet", W("auditor-2"), "--wallet", W("auditor-3"), "--source",
                 auditors, "--commodity", "oil", "--quantity", "1000", "--custodian",
                 "short-lived", "--document-hash", "ab" * 32, "--valid-days", "1",
                 "--valid-from-ms", str(now_ms - 86400000 + 3000), "--wait")
        h.cli_ok(node, *short)
        _, ptr = reserve(node)
        check(ptr["headroom"] == "1010", "headroom with the short attestation: %r" % ptr)
        m, _ = check_metrics(node)
        check(m["petro_reserve_attestation_expires_ms"]["PTR"] == str(now_ms + 3000),
              "the short attestation expires first: %r" % m["petro_reserve_attestation_expires_ms"])
        h.cli_ok(node, *(iss + ("--amount", "1000")))
        a1 = node.balance(alice)
        time.sleep(3.5)
        # A block after the expiry moves the ledger's time past it.
        h.cli_ok(node, "pay", "--wallet", W("bob"), "--to", alice, "--amount", "1", "--wait")
        rc, out, err = node.cli("reserves")
        desc = describe_cli(("reserves",), rc, out, err)
        check(rc == 0 and "WARNING" in err and "UNDER-COVERED" in err.upper(),
              "petro reserves must warn loudly on stderr\n" + desc)
        check("UNDER-COVERED" in out, "the table must flag PTR\n" + desc)
        body, ptr = reserve(node)
        check(body["under_covered"] and ptr["under_covered"] and body["warning"],
              "API must flag under-coverage: %r" % body)
        check(h.to_base(ptr["supply"]) > h.to_base(ptr["cap"]), "supply <= cap? %r" % ptr)
        m, _ = check_metrics(node)
        check(m["petro_reserve_under_covered"]["PTR"] == "1" and
              int(m["petro_reserve_coverage_bps"]["PTR"]) < 10000 and
              int(m["petro_reserve_attestation_expires_ms"]["PTR"]) > now_ms + 3000,
              "after the expiry /metrics must flag PTR under-covered: %r" % m)
        check(node.balance(alice) == a1 + h.BASE, "expiry must not touch balances")
        expect_fail(node, iss + ("--amount", "0.00000001"), "reserve_cap_exceeded")

        node.check_no_sanitizer_report()
        rc = node.stop()
        check(rc == 0, "petrod exited with %d on SIGTERM\n%s" % (rc, node.describe()))
        node.check_no_sanitizer_report()
        validator_wallet_flag(node, work)


def refused_start(node, env, *flags):
    """petrod devnet on node's data directory with flags, which must refuse to open: returns
    its stderr. env entries are set (a value of None removes the variable) for that run."""
    saved = {k: os.environ.get(k) for k in env}
    try:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        rc, out, err = h.run_petrod("devnet", "--data", node.data_dir, "--http", "127.0.0.1:0",
                                    *flags)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    check(rc == 1, "petrod must refuse to open (exit 1), got %d\n%s%s" % (rc, out, err))
    check("ready" not in out, "petrod printed ready although it cannot sign:\n" + out)
    return out, err


def validator_wallet_flag(node, work):
    """--validator-wallet picks the signing wallet; an encrypted one's passphrase comes from
    PETRO_VALIDATOR_PASSPHRASE (never a flag). The key signs every block, so a key that is not
    the node's proposer key, or one that does not open, stops petrod from opening at all, with
    the reason on one line."""
    other = os.path.join(work, "not-the-validator.json")
    h.cli_ok(node, "keygen", "--out", other, env={"PETRO_PASSPHRASE": "pw-7"})
    _, err = refused_start(node, {"PETRO_VALIDATOR_PASSPHRASE": "pw-7"},
                           "--validator-wallet", other)
    # Decrypted (so the passphrase arrived), then refused as not the proposer key.
    check("is not this node's validator key" in err, "the log must say why:\n" + err)
    validator_passphrase_wrong_or_missing(node, other)

    moved = os.path.join(work, "validator-elsewhere.json")
    shutil.copy(os.path.join(node.data_dir, "validator.json"), moved)  # keeps mode 0600
    node.extra_args = ["--validator-wallet", moved, "--checkpoint-interval", "7"]
    node.start()
    body, ptr = reserve(node)
    cp = ptr["latest_checkpoint"]
    check(body["checkpoint_interval"] == 7 and cp is not None and cp["height"] == body["height"],
          "start-up checkpoint with --validator-wallet elsewhere: %r" % body)
    check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())
    node.check_no_sanitizer_report()


def validator_passphrase_wrong_or_missing(node, wallet):
    """An encrypted validator wallet with a wrong or a missing PETRO_VALIDATOR_PASSPHRASE: petrod
    refuses to open (it cannot sign blocks) without crashing, and says so in one error line
    naming the wallet and the variable, and whether the passphrase is wrong or missing. The
    passphrase appears in none of its output."""
    wrong = "wrong-pw-9f3c1e"
    cases = (
        ("wrong", {"PETRO_VALIDATOR_PASSPHRASE": wrong},
         "PETRO_VALIDATOR_PASSPHRASE does not open validator wallet %s" % wallet),
        ("missing", {"PETRO_VALIDATOR_PASSPHRASE": None},
         "validator wallet %s is encrypted and PETRO_VALIDATOR_PASSPHRASE is not set" % wallet),
    )
    for what, env, expected in cases:
        out, err = refused_start(node, env, "--validator-wallet", wallet, "--log-level", "error")
        lines = [ln for ln in err.splitlines() if "PETRO_VALIDATOR_PASSPHRASE" in ln]
        check(len(lines) == 1 and " error: " in lines[0] and expected in lines[0] and
              "the node cannot sign its blocks" in lines[0],
              "%s passphrase: expected one error line %r\n%s" % (what, expected, err))
        check("is not this node's validator key" not in err,
              "%s passphrase: the wallet must not have opened\n%s" % (what, err))
        check(wrong not in err and wrong not in out,
              "the passphrase leaked into petrod's output\n" + err)
        log("%s validator passphrase: %s" % (what, lines[0]))


if __name__ == "__main__":
    h.main(run)
