"""Account history pages (GET /v1/accounts/{address}/transactions) over the linked index.

Why: petrod keeps each account's history as a linked list (acct_last holds the newest
position, acct_links each transaction's link to the account's previous one), because one index
entry per account and transaction cost a random page write each (bench/NOTES.md). The list
must give exactly what the old index gave: every transaction that touches the account, newest
first, each once, across pages of any size, also for transactions in the same block, after a
restart and after SIGKILL; a cursor that is not a position of this account's history is a 400,
never a wrong page.

Alice and bob pay bank in batches, so bank appears several times per block and in many
blocks; alice also pays bob. Expected histories are built from what the node answered.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
import petro_tx as ptx  # noqa: E402
from petro_harness import check, log  # noqa: E402

BIN = {"Content-Type": "application/octet-stream"}


def pages(node, address, limit):
    """Every page of address's history with the given limit: (hashes, page count)."""
    hashes, cursor, count = [], None, 0
    while True:
        path = "/v1/accounts/%s/transactions?limit=%d" % (address, limit)
        if cursor is not None:
            path += "&cursor=%s" % cursor
        st, body = node.get(path)
        check(st == 200, "%s: %d %r" % (path, st, body))
        got = [t["hash"] for t in body["transactions"]]
        check(len(got) <= limit, "page longer than the limit: %r" % body)
        hashes += got
        count += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return hashes, count
        check(len(got) == limit, "a short page with a next cursor: %r" % body)


def expect_histories(node, expected):
    for name, want in expected.items():
        addr = node.address(name)
        full = node.history(addr)
        # Transactions touching the account before this test (funding, genesis) come last.
        check(full[:len(want)] == want,
              "%s's newest history %r differs from the expected %r"
              % (name, full[:len(want)], want))
        check(len(full) == len(set(full)), "%s's history lists a transaction twice" % name)
        for limit in (1, 2, 3, 7):
            got, n = pages(node, addr, limit)
            check(got == full, "%s's history in pages of %d differs from one page" % (name, limit))
            check(n >= len(full) // limit, "too few pages")


def run():
    with h.Node(name="history-pages", block_interval_ms=100) as node:
        node.start()
        net = bytes.fromhex(node.status()["network_id"])
        keys = {n: ptx.Key.from_wallet(node.wallet(n)) for n in ("alice", "bob", "bank")}
        seqs = {n: node.account(node.address(n))["sequence"] for n in ("alice", "bob")}
        expected = {"alice": [], "bob": [], "bank": []}
        pos = {}
        for rnd in range(4):
            envs, touched = [], []
            for i in range(3):
                for src in ("alice", "bob"):
                    dst = "bank" if (i + rnd) % 3 else ("bob" if src == "alice" else "bank")
                    seqs[src] += 1
                    b = ptx.body(net, keys[src].pub, seqs[src],
                                 [ptx.op_payment(keys[dst].pub, 1000 + i)])
                    envs.append(ptx.envelope(b, [keys[src]]))
                    touched.append((ptx.tx_id(b).hex(), {src, dst}))
            batch = b"".join(struct.pack("<I", len(e)) + e for e in envs)
            st, res, _ = h.http_request(node.url, "POST", "/v1/transactions/batch", batch, BIN)
            check(st == 200, "batch: %d %r" % (st, res))
            node.wait_mempool_empty()
            for x, who in touched:
                t = node.tx(x)
                check(t.get("status") == "committed", "not committed: %r" % t)
                pos[x] = (t["height"], t["index"])
                for name in who:
                    expected[name].append(x)
        # Newest first: by committed position, (height, index) descending.
        for name in expected:
            expected[name].sort(key=lambda x: pos[x], reverse=True)
        blocks = {pos[x][0] for x in expected["bank"]}
        check(any(sum(1 for x in expected["bank"] if pos[x][0] == b) > 1 for b in blocks),
              "the test needs bank touched twice in one block; blocks: %r" % sorted(blocks))
        expect_histories(node, expected)
        log("histories: alice %d, bob %d, bank %d entries (bank in %d blocks), all page sizes"
            % (len(expected["alice"]), len(expected["bob"]), len(expected["bank"]),
               len(blocks)))

        # A cursor that is no position of this account's history: 400, not a wrong page.
        bank = node.address("bank")
        alice = node.address("alice")
        only_alice_bob = [x for x in expected["alice"] if x not in expected["bank"]]
        for bad in ([str((pos[only_alice_bob[0]][0] << 24) | pos[only_alice_bob[0]][1])]
                    if only_alice_bob else []) + ["1", str(1 << 50)]:
            st, body = node.get("/v1/accounts/%s/transactions?cursor=%s" % (bank, bad))
            check(st == 400 and body.get("error") == "bad_request",
                  "foreign cursor %s: %d %r" % (bad, st, body))
        st, body = node.get("/v1/accounts/%s/transactions?limit=1" % alice)
        check(st == 200 and body["next_cursor"] is not None, "alice page 1: %r" % body)

        node.restart()
        expect_histories(node, expected)
        node.kill9()
        node.start()
        expect_histories(node, expected)
        node.check_chain()
        node.check_no_sanitizer_report()
        log("history pages hold after a restart and after SIGKILL")


if __name__ == "__main__":
    h.main(run)
