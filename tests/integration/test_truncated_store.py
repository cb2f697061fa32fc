"""A truncated or empty ledger/data.mdb is refused by name, never a signal (issue #16, item 2).

Why: LMDB maps data.mdb and reads pages up to the last page its newest meta page names. A file
cut short (a copy that did not finish, a full disk during a restore, a careless `truncate`)
made petrod die with SIGBUS (exit 135, no message) in `petrod run`, `petrod devnet` and
`petrod verify`, and an empty file gave "Bad file descriptor". petrod now reads LMDB's two meta
pages with plain reads before anything maps the file, and compares the size the newest one
needs with the file's size (petrod/store_lmdb.c, store_lmdb_check_file).

The test: a devnet with a few payments, stopped cleanly; then, on copies, data.mdb truncated to
0 bytes, to one page, to half its size and to its size minus one page. For each,
`petrod run`, `petrod devnet` and `petrod verify` must exit with status 3 (the data-directory
refusal, docs/operations.md) and no signal, print exactly one stderr line that names the file
and says it is truncated or empty and what to do, print no "ready", and leave the copy exactly
as it was. A ledger/lock.mdb cut short is rebuilt by LMDB (verify passes). The untouched copy
still verifies and runs (`petrod run`) at the same height.
"""

import hashlib
import os
import shutil
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, log  # noqa: E402

EXIT_DATADIR = 3
REMEDY = "restore it from a backup or a peer (docs/operations.md)"


def tree_digest(path):
    """Names and contents of every file below path (lock.mdb included: a refusal comes
    before LMDB opens anything, so not even a reader slot may change)."""
    d = hashlib.sha256()
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            d.update(os.path.relpath(full, path).encode() + b"\0")
            with open(full, "rb") as f:
                d.update(f.read())
    return d.hexdigest()


def grouped(n):
    return "{:,}".format(n)


def page_size_of(data_mdb):
    """LMDB's page size, from meta page 0 (a u32 at byte 40 in a 64-bit build)."""
    with open(data_mdb, "rb") as f:
        head = f.read(44)
    (magic,) = struct.unpack_from("=I", head, 16)
    check(magic == 0xBEEFC0DE, "%s does not start with an LMDB meta page" % data_mdb)
    (psize,) = struct.unpack_from("=I", head, 40)
    check(psize in (512, 1024, 2048, 4096, 8192, 16384, 32768, 65536),
          "implausible LMDB page size %d in %s" % (psize, data_mdb))
    return psize


def refused(mode, data, needles):
    """petrod MODE --data DATA: exit 3, no signal, one stderr line naming DATA/ledger/data.mdb
    with every needle, no "ready", DATA unchanged. Returns the line."""
    before = tree_digest(data)
    args = [mode, "--data", data]
    if mode != "verify":
        args += ["--http", "127.0.0.1:0"]
    rc, out, err = h.run_petrod(*args)
    what = "petrod %s:\n  rc=%d\n  stdout=%r\n  stderr=%r" % (" ".join(args), rc, out, err)
    check(rc >= 0, "killed by signal %d; %s" % (-rc, what))
    check(rc == EXIT_DATADIR, "expected exit %d; %s" % (EXIT_DATADIR, what))
    lines = err.strip("\n").split("\n") if err.strip() else []
    check(len(lines) == 1, "expected exactly one stderr line; %s" % what)
    line = lines[0]
    prefix = "petrod verify: " if mode == "verify" else "petrod: "
    path = os.path.join(data, "ledger", "data.mdb")
    check(line.startswith(prefix + path + " "), "the line does not start with %s; %s"
          % (path, what))
    for n in list(needles) + [REMEDY]:
        check(n in line, "%r missing from the line; %s" % (n, what))
    check("ready" not in out, "petrod printed ready; %s" % what)
    if mode == "verify":
        check(out == "", "petrod verify printed on stdout; %s" % what)
    check(tree_digest(data) == before, "petrod %s changed %s while refusing it" % (mode, data))
    log("refused (%s): %s" % (mode, line))
    return line


class RunNode(h.Node):
    """`petrod run` (not devnet) on an existing data directory."""

    def _cmd(self, port):
        cmd = super()._cmd(port)
        check(cmd[1] == "devnet", "unexpected harness command %r" % cmd)
        return [cmd[0], "run"] + cmd[2:]


def make_devnet(work):
    """A devnet with a few committed payments, stopped cleanly; returns (copy, height)."""
    with h.Node(name="trunc") as node:
        node.start()
        addr = {n: node.address(n) for n in ("alice", "bob", "bank")}
        plan = [("alice", "bob", "1.5"), ("bob", "alice", "0.25"), ("alice", "bank", "3"),
                ("bank", "bob", "2")]
        for src, dst, amt in plan:
            h.cli_ok(node, "pay", "--wallet", node.wallet(src), "--to", addr[dst], "--amount",
                     amt, "--wait")
        height = node.wait_mempool_empty()["height"]
        check(height >= len(plan), "expected at least %d blocks, at height %d"
              % (len(plan), height))
        rc = node.stop()
        check(rc == 0, "petrod exited with %d on SIGTERM\n%s" % (rc, node.describe()))
        node.check_no_sanitizer_report()
        healthy = os.path.join(work, "healthy")
        shutil.copytree(node.data_dir, healthy, symlinks=True)
    lock = os.path.join(healthy, "petrod.lock")
    if os.path.exists(lock):
        os.remove(lock)
    return healthy, height


def truncated_copy(healthy, work, name, size):
    d = os.path.join(work, name)
    shutil.copytree(healthy, d, symlinks=True)
    with open(os.path.join(d, "ledger", "data.mdb"), "r+b") as f:
        f.truncate(size)
    return d


def still_runs(healthy, height):
    rc, out, err = h.run_petrod("verify", "--data", healthy)
    check(rc == 0 and out.startswith("verified: height %d," % height) and err == "",
          "the untouched copy does not verify: rc=%d\n  stdout=%r\n  stderr=%r" % (rc, out, err))
    log("untouched copy: %s" % out.strip())
    with RunNode(name="untouched", data_dir=healthy) as node:
        node.start()
        st = node.status()
        check(st["height"] == height, "petrod run on the untouched copy serves height %r, "
              "expected %d" % (st["height"], height))
        rc = node.stop()
        check(rc == 0, "petrod run exited with %d on SIGTERM\n%s" % (rc, node.describe()))
        node.check_no_sanitizer_report()
    log("untouched copy: petrod run served height %d and stopped cleanly" % height)


def run():
    work = tempfile.mkdtemp(prefix="petro-it-trunc-%d-" % os.getpid())
    try:
        healthy, height = make_devnet(work)
        data_mdb = os.path.join(healthy, "ledger", "data.mdb")
        size = os.path.getsize(data_mdb)
        page = page_size_of(data_mdb)
        check(size % page == 0 and size >= 8 * page,
              "data.mdb has %d bytes, expected a multiple of %d and at least 8 pages"
              % (size, page))
        log("healthy data.mdb: %d bytes, %d-byte pages, height %d" % (size, page, height))
        needs = "but its metadata says the ledger needs %s (last page %d of %d bytes)" % (
            grouped(size), size // page - 1, page)
        cases = [
            ("empty", 0, ["is empty (0 bytes"]),
            ("one-page", page, ["is truncated: %s bytes" % grouped(page), "two meta pages"]),
            ("half", size // 2, ["is truncated: %s bytes, %s" % (grouped(size // 2), needs)]),
            ("minus-page", size - page,
             ["is truncated: %s bytes, %s" % (grouped(size - page), needs)]),
        ]
        for name, cut, needles in cases:
            d = truncated_copy(healthy, work, name, cut)
            for mode in ("run", "devnet", "verify"):
                refused(mode, d, needles)
        # LMDB's reader table, ledger/lock.mdb, cut short: LMDB rebuilds it when it is the
        # only user, so this is no refusal, and no signal either.
        for cut in (0, 100):
            d = os.path.join(work, "lock-%d" % cut)
            shutil.copytree(healthy, d, symlinks=True)
            with open(os.path.join(d, "ledger", "lock.mdb"), "r+b") as f:
                f.truncate(cut)
            rc, out, err = h.run_petrod("verify", "--data", d)
            check(rc == 0 and out.startswith("verified: height %d," % height),
                  "lock.mdb cut to %d bytes: rc=%d\n  stdout=%r\n  stderr=%r"
                  % (cut, rc, out, err))
        still_runs(healthy, height)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    h.main(run)
