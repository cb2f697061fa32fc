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

A signature checks only that the key named in the header signed it: anyone can sign a block
with a key of their own and name it as the proposer. So `petro block` also checks the proposer
is this network's (the status `proposer` of a node that orders its own blocks, else one of its
`cluster.validators`; `--validator ADDRESS`, repeatable, names the keys to trust instead), and
that every signature of every envelope verifies (a block's witness root only commits to them).
The proxy serves a block re-signed by a random key named as its proposer (the JSON's hash
changed to match): refused, naming that key; accepted with `--validator` that key, refused with
`--validator` another. And a block whose last envelope carries a bad signature, with the
witness root recomputed and the header re-signed by the devnet's validator key: refused as
`bad_signature`, naming the transaction.
"""

import http.server
import json
import os
import struct
import sys
import threading
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
import petro_tx as ptx  # noqa: E402
from petro_harness import check, log  # noqa: E402


class Proxy:
    """Forwards GETs to the node; alter(body) may change a /v1/blocks?from= body and
    alter_json(obj) a /v1/blocks/{h} one."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.alter = None
        self.alter_json = None
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
                elif proxy.alter_json is not None and self.path.startswith("/v1/blocks/"):
                    body = json.dumps(proxy.alter_json(json.loads(body))).encode()
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


def merkle_root(leaves):
    """docs/protocol.md, "Merkle trees": an odd last node is carried up."""
    if not leaves:
        return bytes(32)
    level = [ptx.blake2b256(b"\x00" + leaf) for leaf in leaves]
    while len(level) > 1:
        up = [ptx.blake2b256(b"\x01" + level[i] + level[i + 1])
              for i in range(0, len(level) - 1, 2)]
        level = up + ([level[-1]] if len(level) % 2 else [])
    return level[0]


def envelopes(block):
    """The envelopes of an encoded block (header, then u32 LE size + envelope, repeated)."""
    out, at = [], ptx.BLOCK_HEADER_SIZE
    while at < len(block):
        (n,) = struct.unpack_from("<I", block, at)
        out.append(block[at + 4:at + 4 + n])
        at += 4 + n
    return out


def witness_leaf(env, sig_count):
    """BLAKE2b-256(id || u8 sig_count || sig_count x (pubkey || sig))."""
    body_size = len(env) - 1 - 96 * sig_count
    return ptx.blake2b256(ptx.tx_id(env[:body_size]) + env[body_size:])


class Rebuilt:
    """Block height's bytes, changed by change(block) and re-signed by seed's key as its
    proposer: what the proxy serves for it (the framed bytes, and the JSON with their hash)."""

    def __init__(self, node, height, network_id, seed, change=lambda block: block):
        with urllib.request.urlopen(node.url + "/v1/blocks?from=%d&limit=1" % height) as r:
            block = change(r.read()[4:])
        header = ptx.sign_block_header(block[:ptx.BLOCK_HEADER_SIZE], network_id, seed)
        self.hash_hex = ptx.blake2b256(header[:ptx.BLOCK_HASHED_SIZE]).hex()
        self.proposer = h.address_from_pubkey(ptx.public_key(seed))
        out = header + block[ptx.BLOCK_HEADER_SIZE:]
        self.framed = struct.pack("<I", len(out)) + out

    def serve(self, proxy):
        proxy.alter = lambda body: self.framed
        proxy.alter_json = self.json

    def json(self, obj):
        obj["hash"] = self.hash_hex
        obj["proposer"] = self.proposer
        return obj


def check_refused(label, words, proxy, height, *extra):
    rc, out, err = h.run_cli("block", str(height), *extra, node_url=proxy.url)
    check(rc == 1 and all(w in err for w in words) and "checked" not in out,
          "%s: expected exit 1 naming %r, got %d\n%s%s" % (label, words, rc, out, err))
    log("%s: refused (%s)" % (label, err.strip()))


def check_passed(label, proxy, height, *extra):
    rc, out, err = h.run_cli("block", str(height), *extra, node_url=proxy.url)
    check(rc == 0 and "checked" in out, "%s: %d\n%s%s" % (label, rc, out, err))
    log("%s: passed" % label)


def proposer_cases(node, proxy, height, network_id):
    """A block re-signed by a random key named as its proposer."""
    seed = os.urandom(32)
    stranger = h.address_from_pubkey(ptx.public_key(seed))
    Rebuilt(node, height, network_id, seed).serve(proxy)
    check_refused("re-signed by another key", ["unknown proposer", stranger,
                                               "this network's validator"], proxy, height)
    check_passed("re-signed by the --validator key", proxy, height, "--validator", stranger)
    check_passed("re-signed, one of two --validator keys", proxy, height, "--validator",
                 node.address(node.wallet("bob")), "--validator", stranger)
    proxy.alter = proxy.alter_json = None
    validator = node.address(os.path.join(node.data_dir, "validator.json"))
    check_refused("--validator another key", ["unknown proposer", validator, "--validator"],
                  proxy, height, "--validator", stranger)
    check_passed("--validator the devnet's key", proxy, height, "--validator", validator)


def bad_signature_case(node, proxy, height, network_id):
    """The last envelope's last signature byte flipped, the witness root recomputed and the
    header re-signed by the devnet's own validator key: only the signature check catches it."""
    _, blk = node.get("/v1/blocks/%d" % height)
    counts = [len(node.get("/v1/transactions/%s" % t)[1]["signatures"])
              for t in blk["transactions"]]
    last = len(counts) - 1
    seed = ptx.Key.from_wallet(os.path.join(node.data_dir, "validator.json")).seed

    def change(block):
        block = bytearray(block)
        block[-1] ^= 0x40
        envs = envelopes(bytes(block))
        block[81:113] = merkle_root([witness_leaf(e, c) for e, c in zip(envs, counts)])
        return bytes(block)
    Rebuilt(node, height, network_id, seed, change).serve(proxy)
    check_refused("a bad envelope signature under a valid witness root",
                  ["bad_signature: transaction %d of the block" % last,
                   blk["transactions"][last]], proxy, height)
    proxy.alter = proxy.alter_json = None


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
            network_id = bytes.fromhex(node.status()["network_id"])
            proposer_cases(node, proxy, multisig_height, network_id)
            bad_signature_case(node, proxy, multisig_height, network_id)
        finally:
            proxy.close()
        check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())
        node.check_no_sanitizer_report()


if __name__ == "__main__":
    h.main(run)
