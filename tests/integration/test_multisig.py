"""The devnet treasury is a 2-of-3 multisig of three officers.

Why: the treasury mints and holds the native supply; one stolen officer key must not be able
to move it. One officer's signature is rejected at submission (bad_auth) and changes nothing;
two officers' signatures (repeated --wallet with --source) commit the payment.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, describe_cli, log  # noqa: E402


def run():
    with h.Node(name="multisig") as node:
        node.start()
        treasury = node.address("treasury")
        officers = [node.address("treasury-officer-%d" % i) for i in (1, 2, 3)]
        bob = node.address("bob")
        log("treasury=%s officers=%s" % (treasury, officers))

        acct = node.account(treasury)
        signers = {s.get("address"): s.get("weight") for s in acct.get("signers", [])}
        for o in officers:
            check(o in signers, "officer %s is not a signer of the treasury: %r" % (o, acct))
        thr = acct.get("thresholds", {})
        w = [signers[o] for o in officers]
        # 2-of-3: any one officer is below the medium threshold (payments), any two reach it.
        med = max(thr.get("medium", 0), 1)
        check(all(x < med for x in w) and all(w[i] + w[j] >= med for i in range(3)
                                               for j in range(i + 1, 3)),
              "treasury is not a 2-of-3 multisig of the officers: %r" % acct)

        t0, b0, seq0 = node.balance(treasury), node.balance(bob), acct["sequence"]
        st0 = node.status()

        # One officer: rejected, nothing changes.
        args = ("pay", "--wallet", node.wallet("treasury-officer-1"), "--source", treasury,
                "--to", bob, "--amount", "5", "--wait")
        rc, out, err = node.cli(*args)
        desc = describe_cli(args, rc, out, err)
        check(rc == 1, "one officer signing for the treasury: expected exit 1 (rejected)\n" + desc)
        check("bad_auth" in err.lower() or "threshold" in err.lower(),
              "stderr should say bad_auth / threshold\n" + desc)
        node.wait_mempool_empty()
        check(node.balance(treasury) == t0 and node.balance(bob) == b0,
              "a rejected single-officer payment moved funds")
        check(node.account(treasury)["sequence"] == seq0,
              "a rejected single-officer payment used the treasury's sequence")
        check(node.status()["state_hash"] == st0["state_hash"],
              "a rejected transaction changed the state hash")

        # Same through the API directly: the envelope is refused with 400 bad_auth.
        tx = h.capture_tx(node, "pay", "--wallet", node.wallet("treasury-officer-2"),
                          "--source", treasury, "--to", bob, "--amount", "5")
        st, body = node.post("/v1/transactions?wait=commit", {"tx": tx})
        check(st == 400 and isinstance(body, dict) and body.get("error") == "bad_auth",
              "single-officer envelope: expected 400 bad_auth, got %d %r" % (st, body))

        # Forged two-signature envelopes: the same officer's signature twice, the two
        # signatures out of key order, and an extra signature from a key that is no signer.
        tx = h.capture_tx(node, "pay", "--wallet", node.wallet("treasury-officer-1"), "--wallet",
                          node.wallet("treasury-officer-2"), "--source", treasury, "--to", bob,
                          "--amount", "5")
        raw = bytes.fromhex(tx)
        check(raw[-193] == 2, "expected 2 signatures at the end of the envelope, count byte %d"
              % raw[-193])
        s1, s2 = raw[-192:-96], raw[-96:]
        for name, forged, code in (
                ("same signature twice", raw[:-192] + s1 + s1, "duplicate_signature"),
                ("signatures out of order", raw[:-192] + s2 + s1, "duplicate_signature")):
            st, body = node.post("/v1/transactions", {"tx": forged.hex()})
            check(st == 400 and isinstance(body, dict) and body.get("error") == code,
                  "%s: expected 400 %s, got %d %r" % (name, code, st, body))
        rc, out, err = node.cli("pay", "--wallet", node.wallet("treasury-officer-1"), "--wallet",
                                node.wallet("treasury-officer-2"), "--wallet",
                                node.wallet("alice"), "--source", treasury, "--to", bob,
                                "--amount", "5", "--wait")
        check(rc == 1 and "extra_signature" in err,
              "a signature from alice (not a treasury signer): expected exit 1 extra_signature\n"
              + describe_cli(("pay", "...3 wallets incl. alice..."), rc, out, err))
        check(node.balance(treasury) == t0 and node.account(treasury)["sequence"] == seq0,
              "forged envelopes changed the treasury")

        # Two officers: committed.
        args = ("pay", "--wallet", node.wallet("treasury-officer-1"), "--wallet",
                node.wallet("treasury-officer-3"), "--source", treasury, "--to", bob,
                "--amount", "5", "--wait")
        out = h.cli_ok(node, *args)
        txh = h.find_hash(out)
        check(txh is not None, "no hash printed\n" + describe_cli(args, 0, out, ""))
        tx = node.tx(txh)
        check(tx.get("status") == "committed" and tx.get("result", {}).get("code") == "ok",
              "two-officer payment not committed ok: %r" % tx)
        check(tx.get("source") == treasury, "source %r != treasury" % tx.get("source"))
        keys = sorted(s.get("key") for s in tx.get("signatures", []))
        check(keys == sorted([officers[0], officers[2]]),
              "signatures should be officers 1 and 3, got %r" % keys)
        fee = h.to_base(tx["result"]["fee_charged"])
        check(t0 - node.balance(treasury) == 5 * h.BASE + fee,
              "treasury paid %s, expected 5 + fee %s"
              % (h.fmt_base(t0 - node.balance(treasury)), h.fmt_base(fee)))
        check(node.balance(bob) - b0 == 5 * h.BASE, "bob got %s, expected 5"
              % h.fmt_base(node.balance(bob) - b0))
        check(node.account(treasury)["sequence"] == seq0 + 1, "treasury sequence not +1")

        # All three also work (more weight than needed is fine).
        args = ("pay", "--wallet", node.wallet("treasury-officer-1"), "--wallet",
                node.wallet("treasury-officer-2"), "--wallet", node.wallet("treasury-officer-3"),
                "--source", treasury, "--to", bob, "--amount", "1", "--wait")
        h.cli_ok(node, *args)
        check(node.balance(bob) - b0 == 6 * h.BASE, "bob should hold +6 after both payments")

        node.check_no_sanitizer_report()
        rc = node.stop()
        check(rc == 0, "petrod exited with %d on SIGTERM\n%s" % (rc, node.describe()))
        node.check_no_sanitizer_report()


if __name__ == "__main__":
    h.main(run)
