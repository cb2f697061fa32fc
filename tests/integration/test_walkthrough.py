"""The README's "first session", step by step, on a fresh devnet, plus the CLI's error paths.

Why: the README is the first thing a user runs; every command of it must work exactly as
written, and the balances it moves must change by exactly the amounts and fees (no rounding,
no hidden charges). The error cases check the promises of the CLI contract: a typo in an
address is caught by its checksum, a 9th decimal is refused before anything is signed, a
failed operation exits 1 with one clear line on stderr, an unreachable node exits 3, and
--json output is JSON.
"""

import json
import os
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, describe_cli, fail, log  # noqa: E402

PASSPHRASE = "correct horse battery staple"


def committed_tx(node, out, args):
    """The hash printed by a --wait command, looked up on the node: must be committed."""
    txh = h.find_hash(out)
    check(txh is not None, "no transaction hash in the output\n" + describe_cli(args, 0, out, ""))
    tx = node.tx(txh)
    check(tx.get("status") == "committed",
          "tx %s printed by `petro %s` is not committed on the node: %r" % (txh, args[0], tx))
    return txh, tx


def fee_of(tx):
    res = tx.get("result") or {}
    check("fee_charged" in res, "tx %s has no result.fee_charged: %r" % (tx.get("hash"), tx))
    return h.to_base(res["fee_charged"])


def expect_fail(node, args, rc_expected, words, env=None, node_url=None):
    """Run a command that must fail: exit code, exactly one stderr line, and a word in it."""
    kw = {"env": env}
    if node_url is not None:
        kw["node_url"] = node_url
    rc, out, err = node.cli(*args, **kw)
    desc = describe_cli(args, rc, out, err)
    if rc_expected is None:
        check(rc != 0, "expected a non-zero exit code\n" + desc)
    else:
        check(rc == rc_expected, "expected exit code %d\n%s" % (rc_expected, desc))
    lines = [ln for ln in err.splitlines() if ln.strip()]
    check(len(lines) >= 1, "expected a one-line reason on stderr, got nothing\n" + desc)
    if not h.SANITIZE:
        check(len(lines) == 1, "expected exactly one line on stderr, got %d\n%s"
              % (len(lines), desc))
    low = err.lower()
    check(any(w in low for w in words),
          "stderr should mention one of %r\n%s" % (list(words), desc))
    return rc, out, err


def run():
    with h.Node(name="walkthrough") as node:
        node.start()
        check(any(ln.strip() == "ready" for ln in node.stdout_lines), "no ready line")
        banner = "\n".join(node.stdout_lines)
        check(node.url in banner, "petrod's banner does not print the API URL %s:\n%s"
              % (node.url, banner))
        for name in h.DEMO_WALLETS:
            check(os.path.isfile(node.wallet(name)), "devnet did not write wallet %s"
                  % node.wallet(name))

        alice = node.address("alice")
        bob = node.address("bob")
        bank = node.address("bank")
        log("alice=%s bob=%s bank=%s" % (alice, bob, bank))

        # The wallet's public_key and `petro address` must agree (bech32m, protocol.md).
        with open(node.wallet("alice")) as f:
            wj = json.load(f)
        if "public_key" in wj:
            expect = h.address_from_pubkey(bytes.fromhex(wj["public_key"]))
            check(expect == alice, "petro address prints %s but bech32m(public_key) of "
                  "alice.json is %s" % (alice, expect))

        # ---- $P status
        out = h.cli_ok(node, "status")
        check(out.strip(), "petro status printed nothing")
        st = node.status()
        check(st.get("network") == "devnet", "/v1/status network: %r" % st)

        # ---- $P balance $ALICE
        out = h.cli_ok(node, "balance", alice)
        check("PTR" in out, "petro balance output does not mention PTR:\n%s" % out)
        a0, b0 = node.balance(alice), node.balance(bob)
        check(a0 is not None and a0 > 0, "alice has no PTR at genesis: %r" % a0)
        check(b0 is not None, "bob has no PTR balance line")
        want_bal = h.fmt_base(a0)
        check(want_bal in out, "petro balance prints %r, node says alice has %s"
              % (out.strip(), want_bal))

        # ---- $P pay --wallet alice --to $BOB --amount 12.5 --wait
        args = ("pay", "--wallet", node.wallet("alice"), "--to", bob, "--amount", "12.5",
                "--wait")
        out = h.cli_ok(node, *args)
        pay_hash, pay_tx = committed_tx(node, out, args)
        fee = fee_of(pay_tx)
        check(fee >= 100, "fee_charged %s is below the minimum 100 base units" % h.fmt_base(fee))
        check(pay_tx["result"].get("code") == "ok", "payment result: %r" % pay_tx["result"])
        a1, b1 = node.balance(alice), node.balance(bob)
        check(a0 - a1 == 1250000000 + fee,
              "alice: %s -> %s, expected a decrease of exactly 12.5 + fee %s"
              % (h.fmt_base(a0), h.fmt_base(a1), h.fmt_base(fee)))
        check(b1 - b0 == 1250000000, "bob: %s -> %s, expected an increase of exactly 12.5"
              % (h.fmt_base(b0), h.fmt_base(b1)))
        ops = pay_tx.get("operations") or [{}]
        check(ops[0].get("type") == "payment" and ops[0].get("amount") == "12.5"
              and ops[0].get("destination") == bob and ops[0].get("asset") == "PTR",
              "GET /v1/transactions/%s operations: %r" % (pay_hash, ops))
        check(pay_tx.get("source") == alice, "tx source %r != alice" % pay_tx.get("source"))

        # ---- $P tx <hash>
        out = h.cli_ok(node, "tx", pay_hash)
        check(pay_hash in out or "committed" in out.lower(),
              "petro tx output mentions neither the hash nor 'committed':\n%s" % out)
        tj = h.cli_json(node, "tx", pay_hash)
        check(json.dumps(tj).find(pay_hash) >= 0, "petro tx --json lacks the hash: %r" % tj)

        # ---- $P block latest
        out = h.cli_ok(node, "block", "latest")
        check(out.strip(), "petro block latest printed nothing")
        bl = h.get_ok(node.url, "/v1/blocks/latest")
        check(bl.get("height", -1) >= pay_tx["height"],
              "latest block %r is below the payment's height %r" % (bl.get("height"),
                                                                    pay_tx["height"]))

        # ---- $P keygen --out carol.json (PETRO_PASSPHRASE)
        pp = {"PETRO_PASSPHRASE": PASSPHRASE}
        carol_path = os.path.join(node.tmp, "carol.json")
        h.cli_ok(node, "keygen", "--out", carol_path, env=pp)
        check(os.path.isfile(carol_path), "keygen did not write %s" % carol_path)
        mode = stat.S_IMODE(os.stat(carol_path).st_mode)
        check(mode == 0o600, "carol.json has mode %o, expected 600" % mode)
        with open(carol_path) as f:
            cj = json.load(f)
        check(cj.get("devnet_only") is not True,
              "keygen with a passphrase wrote a devnet (unencrypted) wallet: %r" % cj)
        check("seed" not in cj, "encrypted wallet carries a plain 'seed' field: %r"
              % sorted(cj))
        # The same command again must not overwrite the key.
        rc, out, err = node.cli("keygen", "--out", carol_path, env=pp)
        check(rc != 0, "keygen over an existing wallet succeeded (would destroy a key)\n"
              + describe_cli(("keygen", "--out", carol_path), rc, out, err))
        carol = node.address(carol_path, passphrase=PASSPHRASE)
        # A wrong passphrase: exit 1, nothing signed.
        expect_fail(node, ("pay", "--wallet", carol_path, "--to", bob, "--amount", "1"), 1,
                    ("passphrase",), env={"PETRO_PASSPHRASE": "wrong " + PASSPHRASE})
        log("carol=%s" % carol)

        # ---- $P create-account --wallet alice --address $CAROL --amount 100 --wait
        a_before = node.balance(alice)
        args = ("create-account", "--wallet", node.wallet("alice"), "--address", carol,
                "--amount", "100", "--wait")
        out = h.cli_ok(node, *args)
        _, ca_tx = committed_tx(node, out, args)
        check(ca_tx["result"].get("code") == "ok", "create-account result %r" % ca_tx["result"])
        check(node.balance(carol) == 100 * h.BASE, "carol PTR %r after create-account, "
              "expected 100" % node.balance(carol))
        check(a_before - node.balance(alice) == 100 * h.BASE + fee_of(ca_tx),
              "alice paid %s for create-account 100, expected 100 + fee %s"
              % (h.fmt_base(a_before - node.balance(alice)), h.fmt_base(fee_of(ca_tx))))

        # ---- $P trust --wallet carol.json --asset USD:$BANK --wait
        usd = "USD:" + bank
        args = ("trust", "--wallet", carol_path, "--asset", usd, "--wait")
        out = h.cli_ok(node, *args, env=pp)
        _, tr_tx = committed_tx(node, out, args)
        check(tr_tx["result"].get("code") == "ok", "trust result %r" % tr_tx["result"])
        fee_trust = fee_of(tr_tx)
        check(node.balance(carol, usd) == 0, "carol's USD line after trust: %r"
              % node.balance(carol, usd))

        # ---- $P issue --wallet bank --asset USD --to $CAROL --amount 50 --wait
        args = ("issue", "--wallet", node.wallet("bank"), "--asset", "USD", "--to", carol,
                "--amount", "50", "--wait")
        out = h.cli_ok(node, *args)
        _, is_tx = committed_tx(node, out, args)
        check(is_tx["result"].get("code") == "ok", "issue result %r" % is_tx["result"])
        check(node.balance(carol, usd) == 50 * h.BASE, "carol USD %r after issue 50"
              % node.balance(carol, usd))
        usd_asset = [a for a in node.assets() if a.get("asset") == usd]
        check(len(usd_asset) == 1 and to_base_or(usd_asset[0].get("issued")) == 50 * h.BASE,
              "/v1/assets USD entry after issuing 50: %r" % usd_asset)

        # ---- $P pay --wallet carol.json --to $BOB --asset USD:$BANK --amount 20 --wait  (fails)
        carol_ptr = node.balance(carol)
        carol_seq = node.account(carol)["sequence"]
        args = ("pay", "--wallet", carol_path, "--to", bob, "--asset", usd, "--amount", "20",
                "--wait")
        expect_fail(node, args, 1, ("no_trust", "trust line"), env=pp)
        check(node.balance(carol, usd) == 50 * h.BASE,
              "carol's USD changed by a failed payment: %s" % h.fmt_base(node.balance(carol, usd)))
        check(node.balance(bob, usd) is None, "bob got a USD line from a failed payment")
        acct = node.account(carol)
        check(acct["sequence"] == carol_seq + 1,
              "the failed payment must still use carol's sequence: %r -> %r"
              % (carol_seq, acct["sequence"]))
        st, page = node.get("/v1/accounts/%s/transactions?limit=1" % carol)
        check(st == 200 and page.get("transactions"), "account tx list: %d %r" % (st, page))
        failed = page["transactions"][0]
        check(failed.get("result", {}).get("code") == "op_failed"
              and failed["result"].get("op_results") == ["no_trust"],
              "newest carol tx should be the failed payment (op_failed, [no_trust]): %r" % failed)
        fee_failed = fee_of(failed)
        check(carol_ptr - node.balance(carol) == fee_failed,
              "carol PTR %s -> %s: a failed payment must charge exactly its fee %s"
              % (h.fmt_base(carol_ptr), h.fmt_base(node.balance(carol)),
                 h.fmt_base(fee_failed)))
        check(node.balance(carol) == 100 * h.BASE - fee_trust - fee_failed,
              "carol PTR %s, expected 100 - trust fee - failed payment fee"
              % h.fmt_base(node.balance(carol)))

        error_cases(node, alice, bob)
        node.check_no_sanitizer_report()
        rc = node.stop()
        check(rc == 0, "petrod exited with %d on SIGTERM\n%s" % (rc, node.describe()))
        node.check_no_sanitizer_report()


def to_base_or(s):
    try:
        return h.to_base(s)
    except ValueError:
        return None


def error_cases(node, alice, bob):
    st0 = node.status()
    a0 = node.balance(alice)
    aw = node.wallet("alice")

    # A typo in an address: one character changed, caught by the bech32m checksum.
    bad = h.flip_address_char(bob)
    log("checksum case: %s -> %s" % (bob, bad))
    expect_fail(node, ("pay", "--wallet", aw, "--to", bad, "--amount", "1", "--wait"), None,
                ("checksum",))
    expect_fail(node, ("balance", bad), None, ("checksum",))

    # Nine decimals: refused before signing.
    expect_fail(node, ("pay", "--wallet", aw, "--to", bob, "--amount", "1.123456789"), None,
                ("8 decimal",))
    check(node.status()["height"] == st0["height"] and node.balance(alice) == a0,
          "a refused command changed the ledger")

    # More than alice has: the payment operation fails (committed, op_failed balance_low).
    huge = h.fmt_base(a0 + 1000 * h.BASE)
    expect_fail(node, ("pay", "--wallet", aw, "--to", bob, "--amount", huge, "--wait"), 1,
                ("balance_low", "insufficient"))
    check(node.balance(alice) <= a0, "alice's balance grew after a failed payment")

    # Nothing listening: exit 3.
    port = h.closed_port()
    dead = "http://127.0.0.1:%d" % port
    expect_fail(node, ("--node", dead, "status"), 3, ("",))
    expect_fail(node, ("status",), 3, ("",), node_url=dead)

    # --json output is one JSON document.
    for args in (("status",), ("balance", alice), ("block", "latest"), ("assets",),
                 ("account", alice)):
        obj = h.cli_json(node, *args)
        check(isinstance(obj, (dict, list)), "petro %s --json: not an object/array: %r"
              % (" ".join(args), obj))
    obj = h.cli_json(node, "pay", "--wallet", aw, "--to", bob, "--amount", "0.5", "--wait")
    txt = json.dumps(obj)
    check(h.find_hash(txt) is not None and "committed" in txt,
          "petro pay --wait --json should carry the hash and status committed: %r" % obj)
    # A failing command with --json still exits 1 (and says why on stderr).
    rc, out, err = node.cli("pay", "--wallet", aw, "--to", bob, "--amount", huge, "--wait",
                            "--json")
    check(rc == 1, "failed payment with --json: expected exit 1\n"
          + describe_cli(("pay", "...", "--json"), rc, out, err))
    if out.strip():
        try:
            json.loads(out)
        except ValueError:
            fail("failed payment with --json printed non-JSON on stdout:\n%s" % out)


if __name__ == "__main__":
    h.main(run)
