"""Blocks are cut by operation count as well as by transaction count (--block-max-ops).

Why: a block's write set decides how many LMDB pages its commit dirties, and LMDB keeps those
page buffers allocated afterwards; transactions of 16 account creations each would otherwise
make a 5,000-transaction block write 80,000 accounts at once (bench/NOTES.md, peak RSS with a
million accounts). The cap must not lose, reorder or stall anything: the rest follows at once
in the next block, and a transaction larger than the cap still gets a block of its own.

The node runs with --block-max-ops 10, --block-max-txs 4 and a one-hour interval, so blocks are
cut only because four transactions are pending, never by the clock. Alice submits four
transactions in one batch: 16 account creations, 5 payments, 5 payments, 1 payment. Expected:
[16 ops] alone, [5 + 5], [1], at consecutive heights, with every other block rule intact.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
import petro_tx as ptx  # noqa: E402
from petro_harness import check, log  # noqa: E402

BIN = {"Content-Type": "application/octet-stream"}


def run():
    args = ["--block-max-ops", "10", "--block-max-txs", "4"]
    with h.Node(name="blockcut", block_interval_ms=3600000, extra_args=args) as node:
        node.start()
        st0 = node.status()
        net = bytes.fromhex(st0["network_id"])
        alice_k = ptx.Key.from_wallet(node.wallet("alice"))
        bob_k = ptx.Key.from_wallet(node.wallet("bob"))
        alice = node.address("alice")
        seq = node.account(alice)["sequence"]

        new_keys = [ptx.Key(bytes([7, i]) + bytes(30)) for i in range(16)]
        creates = [ptx.op_create_account(k.pub, 10 ** 8) for k in new_keys]
        pays5 = [ptx.op_payment(bob_k.pub, 10 ** 6) for _ in range(5)]
        op_lists = [creates, pays5, pays5, pays5[:1]]
        bodies = [ptx.body(net, alice_k.pub, seq + 1 + i, ops) for i, ops in enumerate(op_lists)]
        envs = [ptx.envelope(b, [alice_k]) for b in bodies]
        ids = [ptx.tx_id(b).hex() for b in bodies]
        batch = b"".join(struct.pack("<I", len(e)) + e for e in envs)
        st, res, _ = h.http_request(node.url, "POST", "/v1/transactions/batch", batch, BIN)
        check(st == 200, "batch of four: %d %r" % (st, res))
        log("batch answer: %r" % (res,))

        node.wait_mempool_empty()
        txs = [node.tx(i) for i in ids]
        heights = [t.get("height") for t in txs]
        log("heights: %r" % (heights,))
        for i, t in enumerate(txs):
            check(t.get("status") == "committed", "tx %d not committed: %r" % (i, t))
        h0 = heights[0]
        check(heights == [h0, h0 + 1, h0 + 1, h0 + 2],
              "expected blocks [16 ops] [5+5] [1] at consecutive heights, got %r" % (heights,))
        for height, want in ((h0, [ids[0]]), (h0 + 1, ids[1:3]), (h0 + 2, [ids[3]])):
            blk = node.get("/v1/blocks/%d" % height)
            check(blk[0] == 200, "block %d: %r" % (height, blk))
            got = blk[1].get("transactions")
            check(got == want, "block %d holds %r, expected %r (in order)" % (height, got, want))
        check(node.status()["height"] == h0 + 2, "more blocks than expected: %r" % node.status())
        for k in new_keys:
            addr = h.address_from_pubkey(k.pub)
            check(node.balance(addr) == 10 ** 8, "created account %s has the wrong balance" % addr)
        node.check_chain()
        node.check_no_sanitizer_report()


if __name__ == "__main__":
    h.main(run)
