"""A block the node cannot read is an error, never the end of the chain (outside review, item 1).

Why: GET /v1/blocks?from=H stopped at the first block it could not read, whatever the reason,
and answered 200 with the blocks before it: a damaged block below the tip gave a short answer,
or an empty one, which docs/api.md defines as "past the tip". A validator catching up from
that peer took the damage for the end of the chain. GET /v1/blocks/{h} answered 404 "no block
at this height yet" for a missing block the tip says was committed. Now only the tip ends an
answer: any block at or below it that cannot be read answers 503 `corrupt`.

The test: a devnet with a few blocks, stopped; a copy of it run with `--scrub-interval-s 0`
(no background scrub). `petrod run` refuses a ledger with a damaged value at start-up, so the
damage is made under the running node (pwrite into ledger/data.mdb: its map sees it):
1. one byte of block H's stored value flipped (its check fails on read): /v1/blocks?from=1,
   ?from=H and /v1/blocks/H answer 503 corrupt; ?from=H+1 still serves the blocks after it;
2. the tip block's key changed (height T stored as T + 256: the block is missing, no check
   fails): /v1/blocks?from=T and /v1/blocks/T answer 503 corrupt, where they answered an
   empty 200 and a 404; past the tip is still an empty 200 and a 404.
The untouched ledger serves every block.
"""

import os
import shutil
import struct
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, log  # noqa: E402

HEADER_PREFIX_SIZE = 48  # block bytes after the key that identify the leaf node


def raw_get(url, path):
    """GET returning (status, body bytes)."""
    try:
        with urllib.request.urlopen(url + path, timeout=30 * h.SLOW) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def frames(body):
    """The blocks of a /v1/blocks?from= answer (u32 LE size + block, repeated)."""
    out, at = [], 0
    while at < len(body):
        check(at + 4 <= len(body), "a truncated frame")
        (n,) = struct.unpack_from("<I", body, at)
        out.append(body[at + 4:at + 4 + n])
        at += 4 + n
    return out


def leaf_spots(data, height, block):
    """Offsets of the key of block height in data.mdb's leaf nodes: the u64 big-endian key
    directly followed by the block's first bytes (the value, not a branch node's page number)."""
    pattern = struct.pack(">Q", height) + block[:HEADER_PREFIX_SIZE]
    spots, at = [], data.find(pattern)
    while at >= 0:
        spots.append(at)
        at = data.find(pattern, at + 1)
    return spots


def damage(data_dir, height, block, key_offset, mask):
    """XOR mask into the byte at key_offset from the start of block height's key (0..7: the
    key; 8 and more: the value), in every leaf copy, in place. Returns the count."""
    path = os.path.join(data_dir, "ledger", "data.mdb")
    with open(path, "rb") as f:
        data = f.read()
    spots = leaf_spots(data, height, block)
    fd = os.open(path, os.O_WRONLY)
    try:
        for at in spots:
            off = at + key_offset
            os.pwrite(fd, bytes([data[off] ^ mask]), off)
        os.fsync(fd)
    finally:
        os.close(fd)
    return len(spots)


def expect_corrupt(node, path):
    st, body = node.get(path)
    check(st == 503 and isinstance(body, dict) and body.get("error") == "corrupt",
          "GET %s: expected 503 corrupt, got %d %r" % (path, st, body))


def run():
    work = tempfile.mkdtemp(prefix="petro-it-damaged-blocks-")
    try:
        with h.Node(name="damaged-blocks") as node:
            node.start()
            bob = node.address("bob")
            for amount in ("1", "2", "3"):
                h.cli_ok(node, "pay", "--wallet", node.wallet("alice"), "--to", bob, "--amount",
                         amount, "--wait")
            tip = node.status()["height"]
            check(tip >= 3, "expected 3 blocks or more, tip %d" % tip)
            st, body = raw_get(node.url, "/v1/blocks?from=1")
            blocks = frames(body)
            check(st == 200 and len(blocks) == tip, "healthy: %d, %d blocks of %d"
                  % (st, len(blocks), tip))
            check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())
            healthy = node.data_dir
            middle = tip - 1

            live = os.path.join(work, "live")
            shutil.copytree(healthy, live)
            node.data_dir = live
            node.extra_args = ["--scrub-interval-s", "0"]
            node.start()

            # 1. Block `middle`'s value: a byte of its previous-block hash.
            n = damage(live, middle, blocks[middle - 1], 8 + 20, 0x01)
            check(n >= 1, "block %d's leaf node was not found in data.mdb" % middle)
            expect_corrupt(node, "/v1/blocks?from=1")
            expect_corrupt(node, "/v1/blocks?from=%d" % middle)
            expect_corrupt(node, "/v1/blocks/%d" % middle)
            st, body = raw_get(node.url, "/v1/blocks?from=%d" % (middle + 1))
            check(st == 200 and frames(body) == blocks[middle:],
                  "the blocks after the damaged one: %d, %d bytes" % (st, len(body)))
            log("block %d's value damaged (%d copies): 503 corrupt" % (middle, n))

            # 2. The tip block's key: height tip stored as tip + 256 (still the last key).
            n = damage(live, tip, blocks[tip - 1], 6, 0x01)
            check(n >= 1, "block %d's leaf node was not found in data.mdb" % tip)
            expect_corrupt(node, "/v1/blocks?from=%d" % tip)
            expect_corrupt(node, "/v1/blocks/%d" % tip)
            st, body = raw_get(node.url, "/v1/blocks?from=%d" % (tip + 1))
            check(st == 200 and body == b"", "past the tip: %d %r" % (st, body[:64]))
            st, body = node.get("/v1/blocks/%d" % (tip + 1))
            check(st == 404 and body.get("error") == "not_found",
                  "past the tip: %d %r" % (st, body))
            log("block %d missing below the tip: 503 corrupt" % tip)
            check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())

            # The untouched ledger serves every block.
            node.data_dir = healthy
            node.extra_args = []
            node.start()
            st, body = raw_get(node.url, "/v1/blocks?from=1")
            check(st == 200 and frames(body) == blocks, "the healthy ledger: %d" % st)
            check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())
            node.check_no_sanitizer_report()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    h.main(run)
