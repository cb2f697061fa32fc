"""Start-up refuses a data directory it cannot use, by name, and leaves it as it is.

Why: `make run` again after pulling a newer petrod meets the ./devnet an older petrod made.
The genesis encoding and the ledger layout changed during development, and the low-level error
of a decoder ("malformed") tells the user nothing. Every data-directory problem a user can
meet must end petrod at start-up with exit status 3 and exactly one stderr line that names the
directory, says what is wrong and what to do, without touching the directory:

- created by an older petrod: genesis format 1 (what every development build wrote, whatever
  its layout), a genesis that does not decode and has no current format, a ledger without a
  format record or with an older one;
- created by a newer petrod (genesis or ledger format above this petrod's);
- damaged (current genesis format that does not decode);
- incomplete: genesis.bin empty, ledger/ or ledger/data.mdb missing; a DIR.tmp-XXXXXX left by a
  devnet creation that did not finish (petrod run names it; petrod devnet removes it, as it
  holds only what creation writes, and creates the devnet);
- a file instead of a directory, a directory of other files, an empty directory (petrod run;
  petrod devnet creates the devnet in it);
- the other role: a cluster validator's directory (petrod cluster-init) given to petrod devnet
  or to petrod run without --cluster, and a devnet's directory given to petrod run --cluster.

A healthy directory still restarts, on the same network.

`petrod verify --data DIR` makes the same check first: a refused directory gives exit status 3
and one stderr line "petrod verify: <the reason petrod run gives>", and DIR is left as it is;
a healthy devnet's directory and a cluster validator's directory (either role) verify, exit 0.
"""

import ctypes
import ctypes.util
import hashlib
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, log  # noqa: E402

EXIT_DATADIR = 3
GENESIS_FORMAT = 3
LEDGER_FORMAT = 8
DEVNET_FIX = "remove it or move it away, then run make run (petrod devnet) again"
RUN_FIX = "remove it or move it away, then create it again"


def tree_digest(path):
    """Names, kinds and contents below path (LMDB's reader tables ledger/lock.mdb and
    ledger/state.mdb-lock: name only,
    as any reader writes its slot there)."""
    d = hashlib.sha256()
    if not os.path.isdir(path):
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            d.update(os.path.relpath(full, path).encode() + b"\0")
            if name not in ("lock.mdb", "state.mdb-lock"):
                with open(full, "rb") as f:
                    d.update(f.read())
        for name in dirs:
            d.update(os.path.relpath(os.path.join(root, name), path).encode() + b"/\0")
    return d.hexdigest()


def refused(mode, data, *needles, extra=()):
    """petrod MODE --data DATA must exit 3 with one stderr line naming DATA and holding every
    needle, and must leave DATA exactly as it was."""
    before = tree_digest(data) if os.path.exists(data) else None
    args = [mode, "--data", data, "--http", "127.0.0.1:0"] + list(extra)
    rc, out, err = h.run_petrod(*args)
    lines = err.strip("\n").split("\n") if err.strip() else []
    what = "petrod %s:\n  rc=%d\n  stderr=%r" % (" ".join(args), rc, err)
    check(rc == EXIT_DATADIR, "expected exit %d; %s" % (EXIT_DATADIR, what))
    check(len(lines) == 1, "expected exactly one stderr line; %s" % what)
    line = lines[0]
    check(line.startswith("petrod: %s " % data), "the line does not start with the dir; %s" % what)
    for n in needles:
        check(n in line, "%r missing from the line; %s" % (n, what))
    check("ready" not in out, "petrod printed ready; %s" % what)
    after = tree_digest(data) if os.path.exists(data) else None
    check(before == after, "petrod changed %s while refusing it" % data)
    log("refused (%s): %s" % (mode, line))
    return line


def verify_refused(data, *needles, start_line=None):
    """petrod verify --data DATA must exit 3 with one stderr line "petrod verify: DATA ..."
    holding every needle (given start_line, petrod's own start-up line "petrod: REASON", the
    same REASON), print nothing on stdout and leave DATA exactly as it was."""
    before = tree_digest(data) if os.path.exists(data) else None
    rc, out, err = h.run_petrod("verify", "--data", data)
    lines = err.strip("\n").split("\n") if err.strip() else []
    what = "petrod verify --data %s:\n  rc=%d\n  stdout=%r\n  stderr=%r" % (data, rc, out, err)
    check(rc == EXIT_DATADIR, "expected exit %d; %s" % (EXIT_DATADIR, what))
    check(len(lines) == 1, "expected exactly one stderr line; %s" % what)
    line = lines[0]
    prefix = "petrod verify: "
    check(line.startswith(prefix + data + " "), "the line does not start with the dir; %s" % what)
    for n in needles:
        check(n in line, "%r missing from the line; %s" % (n, what))
    if start_line is not None:
        check(line[len(prefix):] == start_line[len("petrod: "):],
              "verify gives another reason than start-up:\n  %s\n  %s" % (line, start_line))
    check(out == "", "petrod verify printed on stdout; %s" % what)
    after = tree_digest(data) if os.path.exists(data) else None
    check(before == after, "petrod verify changed %s while refusing it" % data)
    log("refused (verify): %s" % line)
    return line


def verified(data):
    """petrod verify --data DATA on a good directory: exit 0, the "verified:" line, DATA as it
    was: the same files (it opens LMDB read-only and creates no ledger/lock.mdb where there is
    none), the same contents but for the reader slots of an existing lock.mdb."""
    before = tree_digest(data)
    rc, out, err = h.run_petrod("verify", "--data", data)
    check(rc == 0 and out.startswith("verified: height ") and err == "",
          "petrod verify --data %s: rc=%d\n  stdout=%r\n  stderr=%r" % (data, rc, out, err))
    check(tree_digest(data) == before, "petrod verify changed %s" % data)
    log("verified: %s: %s" % (data, out.strip()))


def patch_byte(path, offset, value):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(bytes([value]))


# --------------------------------------------------------------- LMDB meta (ctypes, no module)


class _MdbVal(ctypes.Structure):
    _fields_ = [("mv_size", ctypes.c_size_t), ("mv_data", ctypes.c_void_p)]


def set_meta(ledger_dir, name, value):
    """Put (value bytes) or delete (None) the meta record name of the ledger in ledger_dir,
    the way an older or newer petrod would have left it."""
    lib = ctypes.CDLL(ctypes.util.find_library("lmdb") or "liblmdb.so.0")
    lib.mdb_env_close.restype = None
    env, txn, dbi = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_uint()

    def ok(rc, what):
        check(rc == 0, "lmdb %s: %d" % (what, rc))

    ok(lib.mdb_env_create(ctypes.byref(env)), "env_create")
    try:
        ok(lib.mdb_env_set_maxdbs(env, 8), "set_maxdbs")
        ok(lib.mdb_env_open(env, ledger_dir.encode(), 0, 0o600), "env_open")
        ok(lib.mdb_txn_begin(env, None, 0, ctypes.byref(txn)), "txn_begin")
        ok(lib.mdb_dbi_open(txn, b"meta", 0, ctypes.byref(dbi)), "dbi_open")
        kbuf = ctypes.create_string_buffer(name.encode(), len(name))
        key = _MdbVal(len(name), ctypes.cast(kbuf, ctypes.c_void_p))
        if value is None:
            ok(lib.mdb_del(txn, dbi, ctypes.byref(key), None), "del")
        else:
            vbuf = ctypes.create_string_buffer(bytes(value), len(value))
            val = _MdbVal(len(value), ctypes.cast(vbuf, ctypes.c_void_p))
            ok(lib.mdb_put(txn, dbi, ctypes.byref(key), ctypes.byref(val), 0), "put")
        ok(lib.mdb_txn_commit(txn), "commit")
    finally:
        lib.mdb_env_close(env)


# --------------------------------------------------------------- the cases


def copy_of(healthy, work, name):
    dst = os.path.join(work, name)
    shutil.copytree(healthy, dst, symlinks=True)
    for leftover in ("petrod.lock",):
        p = os.path.join(dst, leftover)
        if os.path.exists(p):
            os.remove(p)
    return dst


def genesis_cases(healthy, work):
    d = copy_of(healthy, work, "old-genesis")
    patch_byte(os.path.join(d, "genesis.bin"), 0, 1)
    line = refused("devnet", d, "was created by an older petrod",
                   "(genesis format 1, this petrod reads %d)" % GENESIS_FORMAT, DEVNET_FIX)
    check("malformed" not in line and "canonical" not in line,
          "the old-genesis line leaks a decoder error: %s" % line)
    line = refused("run", d, "was created by an older petrod", RUN_FIX)
    verify_refused(d, "was created by an older petrod", "genesis format 1", RUN_FIX,
                   start_line=line)

    # An older layout that does not decode at all (cut short), with the old format byte.
    d = copy_of(healthy, work, "old-layout")
    g = os.path.join(d, "genesis.bin")
    with open(g, "r+b") as f:
        f.truncate(100)
    patch_byte(g, 0, 1)
    refused("devnet", d, "was created by an older petrod", "genesis format 1", DEVNET_FIX)

    d = copy_of(healthy, work, "new-genesis")
    patch_byte(os.path.join(d, "genesis.bin"), 0, GENESIS_FORMAT + 1)
    refused("devnet", d, "was created by a newer petrod",
            "(genesis format %d, this petrod reads %d)" % (GENESIS_FORMAT + 1, GENESIS_FORMAT),
            "run it with that petrod")
    verify_refused(d, "was created by a newer petrod", "run it with that petrod")

    d = copy_of(healthy, work, "damaged-genesis")
    g = os.path.join(d, "genesis.bin")
    with open(g, "r+b") as f:
        f.truncate(os.path.getsize(g) - 1)
    refused("devnet", d, "is damaged", "genesis.bin", "restore it from a backup", DEVNET_FIX)
    line = verify_refused(d, "is damaged", "genesis.bin", "restore it from a backup", RUN_FIX)
    check("does not decode" in line, "the damaged-genesis verify line: %s" % line)

    d = copy_of(healthy, work, "empty-genesis")
    open(os.path.join(d, "genesis.bin"), "wb").close()
    refused("devnet", d, "is an incomplete data directory (genesis.bin is empty)", DEVNET_FIX)


def ledger_cases(healthy, work):
    d = copy_of(healthy, work, "old-ledger")
    set_meta(os.path.join(d, "ledger"), "format", (1).to_bytes(4, "little"))
    refused("devnet", d, "was created by an older petrod",
            "(ledger format 1, this petrod reads %d)" % LEDGER_FORMAT, DEVNET_FIX)

    d = copy_of(healthy, work, "unversioned-ledger")
    set_meta(os.path.join(d, "ledger"), "format", None)
    line = refused("run", d, "was created by an older petrod", "no format record", RUN_FIX)
    verify_refused(d, start_line=line)

    d = copy_of(healthy, work, "new-ledger")
    set_meta(os.path.join(d, "ledger"), "format", (LEDGER_FORMAT + 1).to_bytes(4, "little"))
    refused("devnet", d, "was created by a newer petrod",
            "(ledger format %d, this petrod reads %d)" % (LEDGER_FORMAT + 1, LEDGER_FORMAT))
    verify_refused(d, "was created by a newer petrod",
                   "(ledger format %d, this petrod reads %d)" % (LEDGER_FORMAT + 1, LEDGER_FORMAT))

    d = copy_of(healthy, work, "no-role")
    set_meta(os.path.join(d, "ledger"), "role", None)
    refused("devnet", d, "is damaged", "role record", DEVNET_FIX)

    d = copy_of(healthy, work, "garbage-ledger")
    with open(os.path.join(d, "ledger", "data.mdb"), "r+b") as f:
        f.write(b"\xa5" * 8192)
    refused("devnet", d, "is damaged", "ledger/data.mdb is not a ledger", DEVNET_FIX)
    verify_refused(d, "is damaged", "ledger/data.mdb is not a ledger", RUN_FIX)


def incomplete_cases(healthy, work):
    d = copy_of(healthy, work, "no-ledger")
    shutil.rmtree(os.path.join(d, "ledger"))
    refused("devnet", d, "is an incomplete data directory (ledger/ is missing", DEVNET_FIX)

    d = copy_of(healthy, work, "no-data-mdb")
    os.remove(os.path.join(d, "ledger", "data.mdb"))
    refused("devnet", d, "(ledger/data.mdb is missing", DEVNET_FIX)

    d = copy_of(healthy, work, "no-genesis")
    os.remove(os.path.join(d, "genesis.bin"))
    line = refused("run", d, "(genesis.bin is missing", RUN_FIX)
    verify_refused(d, start_line=line)

    # A creation that stopped before its rename: DIR.tmp-XXXXXX holding what creation writes.
    d = os.path.join(work, "interrupted")
    tmp = d + ".tmp-AbC123"
    os.makedirs(os.path.join(tmp, "wallets"))
    shutil.copy(os.path.join(healthy, "genesis.bin"), os.path.join(tmp, "genesis.bin"))
    refused("run", d, "does not exist", "interrupted.tmp-AbC123",
            "petrod devnet --data %s removes it" % d)
    check(os.path.isdir(tmp), "petrod run removed the leftover")
    node = h.Node(data_dir=d, name="interrupted")
    try:
        node.start()
        check(not os.path.exists(tmp), "petrod devnet kept the creation leftover %s" % tmp)
        check(node.stop() == 0, "the devnet made after a leftover did not stop cleanly")
        node.check_no_sanitizer_report()
    finally:
        node.close()


def path_cases(work):
    f = os.path.join(work, "a-file")
    with open(f, "w") as fh:
        fh.write("not a data directory\n")
    refused("devnet", f, "is a file, not a directory", "pass another --data directory")
    verify_refused(f, "is a file, not a directory", "pass another --data directory")

    d = os.path.join(work, "photos")
    os.makedirs(d)
    with open(os.path.join(d, "holiday.jpg"), "wb") as fh:
        fh.write(b"\xff\xd8\xff")
    refused("devnet", d, "is not a petro data directory", "pass another --data directory")
    verify_refused(d, "is not a petro data directory", "pass another --data directory")

    d = os.path.join(work, "empty")
    os.makedirs(d)
    refused("run", d, "is an empty directory", "petrod devnet --data %s" % d)
    refused("run", os.path.join(work, "absent"), "does not exist",
            "petrod devnet --data %s" % os.path.join(work, "absent"))
    verify_refused(os.path.join(work, "absent"), "does not exist, so there is nothing to verify")
    # petrod devnet creates a devnet in an empty directory.
    node = h.Node(data_dir=d, name="emptydir")
    try:
        node.start()
        check(node.status().get("height", -1) >= 0, "no devnet in the empty directory")
        check(node.stop() == 0, "the devnet in the empty directory did not stop cleanly")
        node.check_no_sanitizer_report()
    finally:
        node.close()


def role_cases(healthy, work):
    c = os.path.join(work, "cluster")
    rc, out, err = h.run_petrod("cluster-init", "--validators", "2", "--dir", c,
                          "--api-base-port", str(h.free_port()),
                          "--etcd-base-port", "40000")
    check(rc == 0, "cluster-init failed: rc=%d\n%s%s" % (rc, out, err))
    for i in (1, 2):
        node_dir = os.path.join(c, "node%d" % i)
        refused("devnet", node_dir, "is a cluster validator's data directory", "not a devnet",
                "--cluster")
        refused("run", node_dir, "is a cluster validator's data directory",
                "fork away from its cluster")
        verified(node_dir)  # verify reads either role's directory
    d = copy_of(healthy, work, "devnet-for-cluster")
    refused("run", d, "is a devnet's data directory", "not a cluster validator's",
            extra=("--cluster", os.path.join(c, "node1", "cluster.conf")))


def run():
    work = tempfile.mkdtemp(prefix="petro-it-datadir-%d-" % os.getpid())
    node = h.Node(name="healthy")
    try:
        node.start()
        first = node.status()
        check(node.stop() == 0, "the healthy devnet did not stop cleanly\n%s" % node.describe())
        # A healthy directory restarts on the same network (the checks refuse nothing good).
        node.start()
        again = node.status()
        check(again.get("network_id") == first.get("network_id"),
              "restart changed the network: %r -> %r" % (first, again))
        check(node.stop() == 0, "the restarted devnet did not stop cleanly")
        node.check_no_sanitizer_report()
        with open(os.path.join(node.data_dir, "genesis.bin"), "rb") as f:
            check(f.read(1) == bytes([GENESIS_FORMAT]),
                  "a new genesis.bin does not start with format %d" % GENESIS_FORMAT)
        rc, out, err = h.run_petrod("run", "--data", node.data_dir, "--http", "127.0.0.1:0",
                              "--no-such-flag")
        check(rc == 2, "a usage error is still exit 2 (got %d: %s)" % (rc, err))

        healthy = node.data_dir
        verified(healthy)
        genesis_cases(healthy, work)
        ledger_cases(healthy, work)
        incomplete_cases(healthy, work)
        path_cases(work)
        role_cases(healthy, work)

        # After all that, the healthy directory still runs.
        node.start()
        check(node.status().get("network_id") == first.get("network_id"),
              "the final restart changed the network")
        check(node.stop() == 0, "the final restart did not stop cleanly")
        node.check_no_sanitizer_report()
    finally:
        node.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    h.main(run)
