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

        # The first transaction of the chain, alone in its block.
        height = node.status()["height"] + 1
        b = ptx.body(net, keys["alice"].pub, seqs["alice"] + 1,
                     [ptx.op_payment(keys["bank"].pub, 1)])
        st, res = node.post("/v1/transactions?wait=commit",
                            {"tx": ptx.envelope(b, [keys["alice"]]).hex()})
        check(st == 200 and res.get("status") == "committed" and res.get("height") == height,
              "the first payment at height %d: %d %r" % (height, st, res))
        seqs["alice"] += 1
        x = ptx.tx_id(b).hex()
        pos[x] = (height, 0)
        expected["alice"].append(x)
        expected["bank"].append(x)
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

        # Transaction lookups across the state writer's batches: one payment per block, read
        # back while some locations are in memory (layers) and others in state.mdb's txindex,
        # then again after a restart.
        single = {}
        for k in range(40):
            seqs["alice"] += 1
            b = ptx.body(net, keys["alice"].pub, seqs["alice"],
                         [ptx.op_payment(keys["bob"].pub, 500 + k)])
            st, res = node.post("/v1/transactions?wait=commit",
                                {"tx": ptx.envelope(b, [keys["alice"]]).hex()})
            check(st == 200 and res.get("status") == "committed",
                  "single payment %d: %d %r" % (k, st, res))
            single[ptx.tx_id(b).hex()] = res["height"]
        check(len(set(single.values())) == 40, "expected one block per payment")
        for x, hgt in list(single.items()) + [(x, pos[x][0]) for x in expected["bank"]]:
            t = node.tx(x)
            check(t.get("status") == "committed" and t.get("height") == hgt,
                  "lookup of %s: %r (committed at %d)" % (x, t, hgt))
        log("40 single-payment blocks: every transaction found at its height")
        for x in single:
            t = node.tx(x)
            pos[x] = (t["height"], t["index"])
            expected["alice"].append(x)
            expected["bob"].append(x)
        for name in ("alice", "bob"):
            expected[name].sort(key=lambda x: pos[x], reverse=True)

        node.restart()
        for x, hgt in single.items():
            t = node.tx(x)
            check(t.get("status") == "committed" and t.get("height") == hgt,
                  "after restart, lookup of %s: %r" % (x, t))
        expect_histories(node, expected)
        node.kill9()
        node.start()
        expect_histories(node, expected)
        node.check_chain()
        node.check_no_sanitizer_report()
        log("history pages hold after a restart and after SIGKILL")


if __name__ == "__main__":
    h.main(run)
