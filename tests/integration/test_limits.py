"""Load and resource limits: idle connections, slow clients, a flood beyond the mempool, and a
full LMDB map.

Why: issue #5 and docs/security.md ("Network attacker"). Under each of these the node must keep
answering /healthz and committed reads, refuse the excess with the documented answer (429
`mempool_full`) rather than grow, and keep its resident memory under a stated bound:
RSS_BOUND_MB (plain build; x3 under ASan, whose shadow memory and quarantine cost more) for a
node with --mempool-max 300 holding 300 envelopes and 400 open connections.

Read-only: the data directory remounted read-only: petrod refuses to start, with the reason.
Disk full: the data directory on a 2 MiB tmpfs (when this machine lets the test mount one; as
root it can, and permissions alone would not stop root): the writes fail with ENOSPC, the node
commits nothing partial, keeps serving, and resumes by itself when the file system is grown.

Map full: a node started with a tiny --map-size-mb fills its map under load; it then commits
nothing more (no partial block: `petrod verify` replays the stored chain and finds the stored
state), logs the condition clearly, refuses new submissions (503 unavailable), keeps serving
reads, and after a restart with a larger map
it commits again.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
import petro_tx as ptx  # noqa: E402
from petro_harness import check, log  # noqa: E402

T = "/v1/transactions"
MEMPOOL_MAX = 300
IDLE_CONNECTIONS = 400
RSS_BOUND_MB = 160
BIN = {"Content-Type": "application/octet-stream"}


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def timed_get(node, path, limit_s):
    t0 = time.monotonic()
    st, body = h.http_get(node.url, path, timeout=limit_s)
    dt = time.monotonic() - t0
    check(st == 200, "GET %s under load: %d %r" % (path, st, body))
    check(dt < limit_s, "GET %s took %.2fs under load" % (path, dt))
    return body


def signed_chain(net, key, first_seq, count, dest):
    return [ptx.envelope(ptx.body(net, key.pub, first_seq + i, [ptx.op_payment(dest, 1 + i)]),
                         [key]) for i in range(count)]


def verify(node):
    args = []
    if "--map-size-mb" in node.extra_args:
        args = ["--map-size-mb", node.extra_args[node.extra_args.index("--map-size-mb") + 1]]
    p = subprocess.run([h.PETROD, "verify", "--data", node.data_dir] + args,
                       capture_output=True, text=True, timeout=300 * h.SLOW)
    check(p.returncode == 0, "petrod verify failed (%d):\n%s%s" % (p.returncode, p.stdout,
                                                                    p.stderr))
    return p.stdout.strip()


def limits():
    bound = RSS_BOUND_MB * (3 if h.SANITIZE else 1)
    with h.Node(name="limits") as node:
        node.start()
        net = bytes.fromhex(node.status()["network_id"])
        names = ("alice", "bob", "bank")
        keys = {n: ptx.Key.from_wallet(node.wallet(n)) for n in names}
        # A committed transaction to read back under load.
        a = keys["alice"]
        seq = node.account(node.address("alice"))["next_sequence"]
        st, res = node.post(T + "?wait=commit", {"tx": signed_chain(net, a, seq, 1,
                                                                    keys["bob"].pub)[0].hex()})
        check(st == 200 and res.get("status") == "committed", "setup payment: %d %r" % (st, res))
        committed = res["hash"]
        rc = node.stop()
        check(rc == 0, "stop: %d" % rc)

        # Blocks only every hour: the mempool fills and stays full.
        node.extra_args = ["--mempool-max", str(MEMPOOL_MAX), "--block-interval-ms", "3600000"]
        node.start()
        pid = node.proc.pid
        rss0 = rss_mb(pid)
        before = node.status()

        # 1. Flood beyond the mempool: 3 chains of 150 (450 > 300), as batches and singles.
        accepted, full = 0, 0
        for n in names:
            acct = node.account(node.address(n))
            chain = signed_chain(net, keys[n], acct["next_sequence"], 150, keys["bank"].pub
                                 if n != "bank" else keys["alice"].pub)
            blob = b"".join(len(e).to_bytes(4, "little") + e for e in chain[:100])
            st, res = h.http_post(node.url, T + "/batch", blob, headers=BIN)
            check(st == 200, "batch: %d %r" % (st, res))
            accepted += res["accepted"]
            for r in res.get("rejected", []):
                check(r["error"] == "mempool_full", "batch rejection other than mempool_full: %r"
                      % r)
                full += 1
            for e in chain[100:]:
                st, res = node.post(T, {"tx": e.hex()})
                if st == 202:
                    accepted += 1
                else:
                    check(st == 429 and res.get("error") == "mempool_full",
                          "a submission beyond the mempool: expected 429 mempool_full, got %d %r"
                          % (st, res))
                    full += 1
        status = node.status()
        check(status["mempool_size"] == MEMPOOL_MAX and accepted <= MEMPOOL_MAX,
              "mempool holds %d (accepted %d), its limit is %d" % (status["mempool_size"],
                                                                  accepted, MEMPOOL_MAX))
        check(full > 0, "nothing was refused with mempool_full")
        log("flood: %d accepted, %d refused with 429/mempool_full; mempool %d/%d"
            % (accepted, full, status["mempool_size"], MEMPOOL_MAX))
        timed_get(node, "/healthz", 2 * h.SLOW)
        tx = timed_get(node, T + "/" + committed, 2 * h.SLOW)
        check(tx.get("status") == "committed", "committed read under a full mempool: %r" % tx)

        # 2. Idle connections: 400 sockets that never send a byte.
        idle = []
        try:
            for _ in range(IDLE_CONNECTIONS):
                idle.append(socket.create_connection(("127.0.0.1", node.port), timeout=5))
            time.sleep(0.5)
            timed_get(node, "/healthz", 3 * h.SLOW)
            timed_get(node, T + "/" + committed, 3 * h.SLOW)

            # 3. Slow clients: 20 requests sent one byte every 50 ms while others are served.
            stop = threading.Event()
            errors = []

            def slow_client():
                try:
                    s = socket.create_connection(("127.0.0.1", node.port), timeout=10)
                    req = b"GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    for i in range(len(req)):
                        if stop.is_set():
                            break
                        s.send(req[i:i + 1])
                        time.sleep(0.05)
                    s.close()
                except OSError as e:
                    errors.append(e)

            slow = [threading.Thread(target=slow_client, daemon=True) for _ in range(20)]
            for t in slow:
                t.start()
            for _ in range(10):
                timed_get(node, "/healthz", 2 * h.SLOW)
                timed_get(node, "/v1/status", 2 * h.SLOW)
                time.sleep(0.2)
            stop.set()
            for t in slow:
                t.join(15)
            rss1 = rss_mb(pid)
        finally:
            for s in idle:
                s.close()
        log("memory: RSS %.1f MiB at start, %.1f MiB with a full mempool (%d), %d idle and 20 "
            "slow connections; bound %d MiB" % (rss0, rss1, MEMPOOL_MAX, IDLE_CONNECTIONS, bound))
        check(rss1 < bound, "RSS %.1f MiB is over the bound of %d MiB" % (rss1, bound))
        after = node.status()
        check(after["height"] == before["height"] and after["state_hash"] ==
              before["state_hash"], "the flood committed something with an hour-long interval")
        rc = node.stop()
        check(rc == 0, "stop after the load: %d\n%s" % (rc, node.describe()))
        node.check_no_sanitizer_report()


def map_full():
    # 1 MiB holds the devnet genesis and a few blocks, then fills.
    with h.Node(name="mapfull", block_interval_ms=50,
                extra_args=["--map-size-mb", "1"]) as node:
        node.start()
        net = bytes.fromhex(node.status()["network_id"])
        keys = {n: ptx.Key.from_wallet(node.wallet(n)) for n in ("alice", "bob")}
        deadline = time.monotonic() + 60 * h.SLOW
        full_seen = False
        sent = 0
        while time.monotonic() < deadline and not full_seen:
            for n, k in keys.items():
                acct = node.account(node.address(n))
                # Payments to accounts that do not exist: included as op_failed (fee charged),
                # so every one still writes a block entry, a result and index records.
                chain = signed_chain(net, k, acct["next_sequence"], 40, os.urandom(32))
                blob = b"".join(len(e).to_bytes(4, "little") + e for e in chain)
                st, res = h.http_post(node.url, T + "/batch", blob, headers=BIN)
                check(st == 200, "batch under a filling map: %d %r" % (st, res))
                sent += res["accepted"]
            time.sleep(0.3)
            full_seen = "MDB_MAP_FULL" in node.stderr_text()
        check(full_seen, "the 1 MiB map never filled (%d txs sent)\n%s" % (sent, node.describe()))
        log("map full after %d submitted transactions" % sent)
        text = node.stderr_text()
        check(re.search(r"map is full|raise the map size", text) is not None,
              "no clear map-full message in the log:\n%s" % text[-2000:])
        # No more commits, reads keep working, and nothing partial is stored.
        s1 = node.status()
        time.sleep(1.0 * h.SLOW)
        s2 = node.status()
        check(s2["height"] == s1["height"] and s2["state_hash"] == s1["state_hash"],
              "blocks still commit with a full map: %r -> %r" % (s1, s2))
        timed_get(node, "/healthz", 2 * h.SLOW)
        timed_get(node, "/v1/blocks/latest", 2 * h.SLOW)
        refused_while_full(node, net, keys)
        out = verify(node)
        log("verify with a full map: %s" % out)
        rc = node.stop()
        check(rc == 0, "stop with a full map: %d\n%s" % (rc, node.describe()))

        # Space returns: a larger map; the node commits again.
        node.extra_args = ["--map-size-mb", "64"]
        node.start()
        check(node.status()["height"] == s2["height"], "height changed across the restart")
        k = keys["alice"]
        acct = node.account(node.address("alice"))
        e = signed_chain(net, k, acct["next_sequence"], 1, keys["bob"].pub)[0]
        st, res = node.post(T + "?wait=commit", {"tx": e.hex()})
        check(st == 200 and res.get("status") == "committed",
              "after raising the map: %d %r" % (st, res))
        rc = node.stop()
        check(rc == 0, "stop: %d" % rc)
        log("verify after resuming: %s" % verify(node))
        node.check_no_sanitizer_report()


def wait_for(cond, timeout_s, what):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.2)
    check(False, "timed out waiting for " + what)


def flood_until(node, keys, net, marker, what):
    """Send chains of payments until marker appears in the node's log."""
    deadline = time.monotonic() + 90 * h.SLOW
    sent = 0
    while time.monotonic() < deadline:
        for n, k in keys.items():
            acct = node.account(node.address(n))
            chain = signed_chain(net, k, acct["next_sequence"], 40, os.urandom(32))
            blob = b"".join(len(e).to_bytes(4, "little") + e for e in chain)
            st, res = h.http_post(node.url, T + "/batch", blob, headers=BIN)
            check(st == 200, "batch while filling %s: %d %r" % (what, st, res))
            sent += res["accepted"]
        time.sleep(0.3)
        if marker in node.stderr_text():
            return sent
    check(False, "%s never filled (%d txs sent)\n%s" % (what, sent, node.describe()))


def refused_while_full(node, net, keys):
    """A new submission is refused with 503 unavailable while blocks cannot be written."""
    k = keys["bob"]
    acct = node.account(node.address("bob"))
    e = signed_chain(net, k, acct["next_sequence"], 1, keys["alice"].pub)[0]
    st, res = node.post(T, {"tx": e.hex()})
    check(st == 503 and res.get("error") == "unavailable",
          "a submission while storage is full: expected 503 unavailable, got %d %r" % (st, res))
    check("storage cannot commit blocks" in node.stderr_text(),
          "no clear storage message in the log")


def metric(node, name):
    """One unlabelled counter or gauge of the node's /metrics."""
    st, text = h.http_get(node.url, "/metrics")
    check(st == 200, "/metrics: %d" % st)
    m = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
    check(m is not None, "no %s in /metrics" % name)
    return int(m.group(1))


def committed_total(node):
    return metric(node, "petro_txs_committed_total")


def disk_full():
    mnt = tempfile.mkdtemp(prefix="petro-it-diskfull-%d-" % os.getpid())
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt],
                       capture_output=True, text=True)
    if p.returncode != 0:
        log("disk full: SKIPPED (cannot mount a tmpfs here: %s)" % p.stderr.strip())
        os.rmdir(mnt)
        return
    try:
        with h.Node(name="diskfull", block_interval_ms=50, data_dir=os.path.join(mnt, "data"),
                    extra_args=["--map-size-mb", "64"]) as node:
            node.start()
            net = bytes.fromhex(node.status()["network_id"])
            keys = {n: ptx.Key.from_wallet(node.wallet(n)) for n in ("alice", "bob")}
            committed_before = committed_total(node)
            sent = flood_until(node, keys, net, "storage cannot commit blocks", "the 2 MiB disk")
            log("disk full after %d submitted transactions" % sent)
            s1 = node.status()
            time.sleep(1.0 * h.SLOW)
            s2 = node.status()
            check(s2["height"] == s1["height"] and s2["state_hash"] == s1["state_hash"],
                  "blocks still commit on a full disk: %r -> %r" % (s1, s2))
            refused_while_full(node, net, keys)
            timed_get(node, "/healthz", 2 * h.SLOW)
            timed_get(node, "/v1/blocks/latest", 2 * h.SLOW)
            log("verify with a full disk: %s" % verify(node))
            # Space returns: the node resumes without a restart (the producer retries).
            p = subprocess.run(["mount", "-o", "remount,size=64m", mnt], capture_output=True,
                               text=True)
            check(p.returncode == 0, "remount: %s" % p.stderr)
            # The block log's failure clears with the next block (the pending transactions), the
            # state writer's with its next batch: the mempool can be empty then, since every
            # submission was refused while the writer failed.
            wait_for(lambda: metric(node, "petro_state_writer_failing") == 0, 30 * h.SLOW,
                     "the state writer after space returned")
            node.wait_mempool_empty()
            # Nothing accepted was lost: pending while the disk was full (in the mempool, or
            # committed to the block log with its state in memory), every one committed now.
            check(committed_total(node) - committed_before == sent,
                  "accepted %d transactions while filling the disk, %d committed after space "
                  "returned" % (sent, committed_total(node) - committed_before))
            k = keys["alice"]
            acct = node.account(node.address("alice"))
            e = signed_chain(net, k, acct["next_sequence"], 1, keys["bob"].pub)[0]
            st, res = node.post(T + "?wait=commit", {"tx": e.hex()})
            check(st == 200 and res.get("status") == "committed",
                  "after space returned: %d %r" % (st, res))
            log("disk space returned: resumed at height %d" % node.status()["height"])
            rc = node.stop()
            check(rc == 0, "stop: %d\n%s" % (rc, node.describe()))
            log("verify after resuming: %s" % verify(node))
            node.check_no_sanitizer_report()
    finally:
        subprocess.run(["umount", mnt], capture_output=True)
        os.rmdir(mnt)


def read_only():
    """A read-only data directory: petrod refuses to start with a clear one-line reason and
    changes nothing; once the directory is writable again it resumes with the same state."""
    mnt = tempfile.mkdtemp(prefix="petro-it-readonly-%d-" % os.getpid())
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt],
                       capture_output=True, text=True)
    if p.returncode != 0:
        log("read-only: SKIPPED (cannot mount a tmpfs here: %s)" % p.stderr.strip())
        os.rmdir(mnt)
        return
    try:
        with h.Node(name="readonly", block_interval_ms=50,
                    data_dir=os.path.join(mnt, "data")) as node:
            node.start()
            net = bytes.fromhex(node.status()["network_id"])
            keys = {n: ptx.Key.from_wallet(node.wallet(n)) for n in ("alice", "bob")}
            acct = node.account(node.address("alice"))
            e = signed_chain(net, keys["alice"], acct["next_sequence"], 1, keys["bob"].pub)[0]
            st, res = node.post(T + "?wait=commit", {"tx": e.hex()})
            check(st == 200 and res.get("status") == "committed", "payment: %d %r" % (st, res))
            before = node.status()
            rc = node.stop()
            check(rc == 0, "stop: %d\n%s" % (rc, node.describe()))
            p = subprocess.run(["mount", "-o", "remount,ro", mnt], capture_output=True, text=True)
            check(p.returncode == 0, "remount read-only: %s" % p.stderr)
            run = subprocess.run([h.PETROD, "run", "--data", node.data_dir, "--http",
                                  "127.0.0.1:0"], capture_output=True, text=True,
                                 timeout=30 * h.SLOW)
            check(run.returncode != 0, "petrod started on a read-only data directory")
            last = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
            check(last.startswith("petrod: ") and "Read-only file system" in run.stderr,
                  "no clear reason for the read-only directory: %r" % run.stderr)
            log("read-only directory refused: %s" % last)
            p = subprocess.run(["mount", "-o", "remount,rw", mnt], capture_output=True, text=True)
            check(p.returncode == 0, "remount read-write: %s" % p.stderr)
            node.start()
            after = node.status()
            check(after["height"] == before["height"] and
                  after["state_hash"] == before["state_hash"],
                  "state changed across the read-only episode: %r -> %r" % (before, after))
            log("verify after the read-only episode: %s" % verify(node))
            rc = node.stop()
            check(rc == 0, "stop: %d\n%s" % (rc, node.describe()))
            node.check_no_sanitizer_report()
    finally:
        subprocess.run(["umount", mnt], capture_output=True)
        os.rmdir(mnt)


def run():
    limits()
    map_full()
    disk_full()
    read_only()


if __name__ == "__main__":
    h.main(run)
