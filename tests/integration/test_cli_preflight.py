"""The CLI refuses before signing what the ledger would refuse, queues behind pending
transactions, and tells "pending" from "refused" (issue #18).

Why: a newcomer's mistakes (paying themselves, more than they hold, an asset they hold no line
of) were signed, sent and charged a fee (op_failed); a second `pay` while one was pending
failed with bad_sequence because the CLI ignored the API's next_sequence; and a `--wait` that
ran out exited 1 like a refusal, so a script could not tell a transaction that may still commit
from one that never will.

The test, on a real devnet:
1. three payments the ledger would refuse are refused by the CLI with exit 1 and the reason
   (`self_not_allowed`, `balance_low`, `no_trust`), and nothing reaches the node: alice's
   sequence and pending count do not move, her balance does not move;
2. `--no-preflight` sends the self-payment anyway: committed, op_failed, the fee charged (exit 1);
3. two `pay` without `--wait`, back to back, are both accepted and both commit (the second
   signs the next_sequence after the pending first);
4. on a node that cuts a block only every hour, `pay --wait` ends after 30 s with exit 4
   (pending), prints the hash, and the transaction is still pending.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, log  # noqa: E402

EXIT_FAILED, EXIT_PENDING = 1, 4


def decimal(base_units):
    """Base units as the exact decimal the CLI takes."""
    whole, frac = divmod(base_units, h.BASE)
    return ("%d.%08d" % (whole, frac)).rstrip("0").rstrip(".")


def run():
    with h.Node(name="preflight") as node:
        node.start()
        alice, bob = node.address("alice"), node.address("bob")
        bank = node.address("bank")
        before = node.account(alice)
        balance = node.balance(alice)
        cases = [
            ("to herself", ("--to", alice, "--amount", "1"), "self_not_allowed"),
            ("more than she holds", ("--to", bob, "--amount", "99999"), "balance_low"),
            ("all of it, with no room for the fee",
             ("--to", bob, "--amount", decimal(balance)), "balance_low"),
            ("an asset she holds no line of", ("--to", bob, "--amount", "1", "--asset",
                                               "USD:" + bank), "no_trust"),
        ]
        for label, args, code in cases:
            rc, out, err = node.cli("pay", "--wallet", node.wallet("alice"), *args)
            check(rc == EXIT_FAILED and ("(%s)" % code) in err and "hash" not in out,
                  "pay %s: expected exit 1 naming %s before signing, got %d\n%s%s"
                  % (label, code, rc, out, err))
            log("pay %s: %s" % (label, err.strip()))
        after = node.account(alice)
        check(after["sequence"] == before["sequence"] and after.get("pending_count") == 0 and
              node.balance(alice) == balance,
              "a refused payment reached the node: %r -> %r" % (before, after))

        rc, out, err = node.cli("pay", "--wallet", node.wallet("alice"), "--to", alice,
                                "--amount", "1", "--no-preflight", "--wait")
        check(rc == EXIT_FAILED and "op_failed" in out and "self_not_allowed" in err,
              "--no-preflight sends it: %d\n%s%s" % (rc, out, err))
        check(node.account(alice)["sequence"] == before["sequence"] + 1 and
              node.balance(alice) == balance - 100, "the fee of the sent one")

        seq = node.account(alice)["sequence"]
        hashes = []
        for amount in ("1", "2"):
            out = h.cli_ok(node, "pay", "--wallet", node.wallet("alice"), "--to", bob,
                           "--amount", amount)
            hashes.append(out.split()[1])
        deadline = time.monotonic() + 20 * h.SLOW
        while node.account(alice)["sequence"] != seq + 2:
            check(time.monotonic() < deadline, "the two queued payments did not both commit")
            time.sleep(0.1)
        for x in hashes:
            check(node.tx(x)["status"] == "committed", "queued payment %s" % x)
        # A refused request says what the node said, not only "bad request".
        rc, out, err = node.cli("stats", "trade", "--group", "city")
        check(rc == EXIT_FAILED and "group must be total, zone, country_pair or hs_chapter" in err,
              "stats trade --group city: %d\n%s%s" % (rc, out, err))
        check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())

    with h.Node(name="pending", block_interval_ms=3600000) as node:
        node.start()
        bob = node.address("bob")
        t0 = time.monotonic()
        rc, out, err = node.cli("pay", "--wallet", node.wallet("alice"), "--to", bob,
                                "--amount", "1", "--wait", timeout=120 * h.SLOW)
        waited = time.monotonic() - t0
        check(rc == EXIT_PENDING and "pending" in out and "is pending" in err,
              "a wait that ran out: expected exit 4 (pending), got %d\n%s%s" % (rc, out, err))
        tx_hash = out.split()[1]
        check(node.tx(tx_hash)["status"] == "pending", "the transaction is still pending")
        log("pending after %.1f s: %s" % (waited, err.strip()))
        check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())


if __name__ == "__main__":
    h.main(run)
