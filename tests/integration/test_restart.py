"""A clean stop and restart keeps everything: state, blocks, transaction index, keys.

Why: `make run` again must resume from the same ledger. After SIGTERM (which must exit 0, and
under ASan without leaks) the restarted node on the same data directory must serve the very
same height, latest block, state hash, balances and transaction lookups; and `petrod devnet`
on an existing directory must not regenerate the genesis or the demo keys (that would fork the
network and orphan every wallet).
"""

import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, describe_cli, log  # noqa: E402


def wallet_digests(node):
    d = os.path.join(node.data_dir, "wallets")
    out = {}
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


def snapshot(node, addresses, hashes):
    """Everything a client can observe about the committed ledger."""
    st = node.wait_mempool_empty()
    snap = {"status": {k: st.get(k) for k in ("network", "network_id", "net_kind", "height",
                                               "latest_block_hash", "state_hash")}}
    snap["accounts"] = {a: node.account(a) for a in addresses}
    snap["txs"] = {x: node.tx(x) for x in hashes}
    snap["blocks"] = {}
    for height in range(0, st["height"] + 1):
        snap["blocks"][height] = h.get_ok(node.url, "/v1/blocks/%d" % height)
    snap["latest"] = h.get_ok(node.url, "/v1/blocks/latest")
    snap["assets"] = node.assets()
    return snap


def diff(a, b, path=""):
    """First difference between two JSON values, as a readable string (None if equal)."""
    if type(a) is not type(b):
        return "%s: %r != %r" % (path or "<root>", a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                return "%s.%s: present only %s" % (path, k, "before" if k in a else "after")
            d = diff(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: length %d != %d (%r vs %r)" % (path, len(a), len(b), a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r before, %r after" % (path, a, b)


def run():
    with h.Node(name="restart") as node:
        node.start()
        genesis_wallets = wallet_digests(node)
        check(len(genesis_wallets) >= len(h.DEMO_WALLETS),
              "expected the %d demo wallets, found %r" % (len(h.DEMO_WALLETS),
                                                         sorted(genesis_wallets)))
        names = ("alice", "bob", "bank", "treasury")
        addr = {n: node.address(n) for n in names}
        net0 = node.status()["network_id"]

        # Several committed transactions, in several blocks.
        hashes = []
        plan = [("alice", "bob", "1.5"), ("bob", "alice", "0.25"), ("alice", "bank", "3"),
                ("bank", "alice", "0.00000001"), ("alice", "bob", "7")]
        for src, dst, amt in plan:
            args = ("pay", "--wallet", node.wallet(src), "--to", addr[dst], "--amount", amt,
                    "--wait")
            out = h.cli_ok(node, *args)
            txh = h.find_hash(out)
            check(txh is not None, "no hash printed\n" + describe_cli(args, 0, out, ""))
            hashes.append(txh)
        # And a burst without --wait (explicit consecutive sequences: a mempool chain), so
        # one block can hold several transactions.
        seq = node.account(addr["alice"])["sequence"]
        for i in range(3):
            args = ("pay", "--wallet", node.wallet("alice"), "--to", addr["bob"], "--amount",
                    "0.%d" % (i + 1), "--sequence", str(seq + 1 + i))
            out = h.cli_ok(node, *args)
            txh = h.find_hash(out)
            check(txh is not None, "no hash printed\n" + describe_cli(args, 0, out, ""))
            hashes.append(txh)

        before = snapshot(node, addr.values(), hashes)
        for x, tx in before["txs"].items():
            check(tx.get("status") == "committed", "tx %s not committed before stop: %r" % (x, tx))
        log("before stop: height %d, state %s" % (before["status"]["height"],
                                                 before["status"]["state_hash"]))

        rc = node.stop()
        check(rc == 0, "petrod exited with %d on SIGTERM (expected 0)\n%s" % (rc, node.describe()))
        node.check_no_sanitizer_report()
        check(wallet_digests(node) == genesis_wallets, "wallet files changed while running")

        for round_no in (1, 2):
            node.start()
            check(wallet_digests(node) == genesis_wallets,
                  "restart %d: `petrod devnet` on an existing data dir rewrote wallet files"
                  % round_no)
            check(node.status()["network_id"] == net0,
                  "restart %d: network id changed (genesis regenerated)" % round_no)
            node.check_chain()
            after = snapshot(node, addr.values(), hashes)
            d = diff(before, after)
            check(d is None, "restart %d: state differs after restart: %s" % (round_no, d))
            log("restart %d: identical (height %d)" % (round_no, after["status"]["height"]))
            node.check_no_sanitizer_report()
            if round_no == 1:
                rc = node.stop()
                check(rc == 0, "petrod exited with %d on the 2nd SIGTERM\n%s"
                      % (rc, node.describe()))
                node.check_no_sanitizer_report()

        # The restarted node keeps going: the next sequence is accepted.
        a_seq = node.account(addr["alice"])["sequence"]
        args = ("pay", "--wallet", node.wallet("alice"), "--to", addr["bob"], "--amount", "1",
                "--wait")
        out = h.cli_ok(node, *args)
        tx = node.tx(h.find_hash(out) or "0" * 64)
        check(tx.get("sequence") == a_seq + 1 and tx.get("height") == before["status"]["height"] + 1,
              "payment after restart: expected sequence %d at height %d, got %r"
              % (a_seq + 1, before["status"]["height"] + 1, tx))
        check(tx.get("height") and h.get_ok(node.url, "/v1/blocks/%d" % tx["height"]).get(
            "prev_hash") == before["status"]["latest_block_hash"],
            "the first block after restart does not extend the pre-restart tip")
        # Alone, the node orders its own blocks (petrod/ordering_local.c): it says so, and
        # every block it cuts names the ledger's proposer key, before and after a restart.
        st = node.status()
        check(st.get("role") == "single" and "cluster" not in st,
              "a devnet reports role %r and cluster %r (expected single, none)"
              % (st.get("role"), st.get("cluster")))
        for height in (1, before["status"]["height"], tx["height"]):
            block = h.get_ok(node.url, "/v1/blocks/%d" % height)
            check(st.get("proposer") and block.get("proposer") == st["proposer"],
                  "block %d names proposer %r, the node's key is %r"
                  % (height, block.get("proposer"), st.get("proposer")))
        rc = node.stop()
        check(rc == 0, "petrod exited with %d on the final SIGTERM\n%s" % (rc, node.describe()))
        node.check_no_sanitizer_report()


if __name__ == "__main__":
    h.main(run)
