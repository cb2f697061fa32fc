"""`petro block H` checks the block's own bytes, and refuses what a node (or anything between
the user and the node) altered (issue #15: signed blocks, committed signatures).

Why: a block hash covers the header only; the proposer's signature covers the hash; the
witness root covers every signature of every envelope. A light client that reads a block
should be able to check all three without replaying the chain. `petro block H` fetches the
block's bytes (GET /v1/blocks?from=H&limit=1) and checks that they hash to the block hash the
node showed, that the named proposer signed them for this network, and that the transaction
and witness roots are the Merkle roots of the envelopes.

The test: a devnet with one multisig payment (two signatures) and one plain one; `petro block`
passes for every block. Then a proxy in front of the node serves the same JSON but alters the
bytes: a flipped signature byte, a zeroed signature, a signature byte of an envelope inside the
body (header left alone: the witness root catches it), a flipped state hash byte in the header
(the hash no longer matches the one shown). Each time `petro block` exits 1 naming the failed
check, and never prints "checked".
"""

import http.server
import os
import sys
import threading
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
import petro_tx as ptx  # noqa: E402
from petro_harness import check, log  # noqa: E402


class Proxy:
    """Forwards GETs to the node; alter(path, body) may change a /v1/blocks?from= body."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.alter = None
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                try:
                    with urllib.request.urlopen(proxy.upstream + self.path, timeout=10) as r:
                        status, body, ctype = r.status, r.read(), r.headers["Content-Type"]
                except urllib.error.HTTPError as e:
                    status, body, ctype = e.code, e.read(), e.headers["Content-Type"]
                if proxy.alter is not None and self.path.startswith("/v1/blocks?from="):
                    body = proxy.alter(body)
                self.send_response(status)
                self.send_header("Content-Type", ctype or "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def flip(offset, mask=0x01):
    """An alteration of the framed block (u32 size, then the block) at block offset."""
    def alter(body):
        b = bytearray(body)
        b[4 + offset] ^= mask
        return bytes(b)
    return alter


def zero(offset, size):
    def alter(body):
        b = bytearray(body)
        b[4 + offset:4 + offset + size] = bytes(size)
        return bytes(b)
    return alter


def run():
    with h.Node(name="block-verify") as node:
        node.start()
        bob = node.address("bob")
        # A 2-of-3 treasury payment: two signatures in one envelope.
        h.cli_ok(node, "pay", "--wallet", node.wallet("treasury-officer-1"), "--wallet",
                 node.wallet("treasury-officer-2"), "--source", node.address("treasury"), "--to",
                 bob, "--amount", "3", "--wait")
        h.cli_ok(node, "pay", "--wallet", node.wallet("alice"), "--to", bob, "--amount", "1",
                 "--wait")
        tip = node.status()["height"]
        check(tip >= 1, "no block was made")
        for height in range(0, tip + 1):
            out = h.cli_ok(node, "block", str(height))
            check("checked" in out, "petro block %d printed no check:\n%s" % (height, out))

        # The block of the multisig payment.
        multisig_height = None
        for height in range(1, tip + 1):
            _, blk = node.get("/v1/blocks/%d" % height)
            _, tx = node.get("/v1/transactions/%s" % blk["transactions"][0])
            if len(tx["signatures"]) == 2:
                multisig_height = height
        check(multisig_height is not None, "no block holds the two-signature payment")

        proxy = Proxy(node.url)
        try:
            sig_off = ptx.BLOCK_HASHED_SIZE
            state_off = 145
            cases = [
                ("a flipped signature byte", flip(sig_off + 9), "bad_block_signature"),
                ("a zeroed signature", zero(sig_off, 64), "bad_block_signature"),
                # The last byte of the block is in the last envelope's last signature.
                ("an envelope's signature byte", lambda b: b[:-1] + bytes([b[-1] ^ 0x40]),
                 "bad_witness_root"),
                ("a state hash byte", flip(state_off + 3),
                 "hash to another block hash than the node showed"),
            ]
            for label, alter, words in cases:
                proxy.alter = alter
                rc, out, err = h.run_cli("block", str(multisig_height), node_url=proxy.url)
                check(rc == 1 and words in err and "checked" not in out,
                      "%s: expected exit 1 naming %r, got %d\n%s%s" % (label, words, rc, out, err))
                log("%s: refused (%s)" % (label, err.strip()))
            proxy.alter = None
            rc, out, err = h.run_cli("block", str(multisig_height), node_url=proxy.url)
            check(rc == 0 and "checked" in out, "unaltered through the proxy: %d\n%s%s"
                  % (rc, out, err))
        finally:
            proxy.close()
        check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())
        node.check_no_sanitizer_report()


if __name__ == "__main__":
    h.main(run)
