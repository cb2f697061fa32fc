"""A node vouches for its own bytes: a damaged stored value is never served nor applied
(issue #16, item 1).

Why: LMDB keeps no checksums. An outside attacker flipped one bit of the 6th value byte of
alice's PTR balance record in a stopped devnet's ledger/data.mdb: petrod started and reported
her balance +2^40 base units. Every stored value now carries a check (store_lmdb.c, "value
checks": SipHash-2-4 over the database, the key and the value), verified on every read, and
`petrod run` reads and checks every value before it opens.

The test: a devnet with a payment, stopped. Then
1. on a copy, the same flip (in every copy of the record LMDB's file holds): `petrod run`
   exits 3 with the cause in its last stderr line, prints no "ready", and logs the damaged
   database and key; `petrod verify` fails too; the copy is left as it was;
2. on another copy, a node running: the flip made under it; GET alice's account answers 503
   `corrupt` (never a wrong balance), /healthz answers 503 naming the damage, /v1/status and
   /metrics count it, and bob's account, untouched, is still served;
3. on a third copy, a node running with `--scrub-interval-s 1`: bob's balance is damaged under
   it and nobody reads it; the background scrub finds it within seconds (/healthz 503,
   /v1/status), with the scrub's log line;
4. a rollback: alice's balance record of one payment earlier (a valid value with a valid
   check, as a lost write would leave it) put back into the ledger after the next payment:
   `petrod run` refuses it (exit 3: the records do not add up to the state digest), where
   otherwise it would serve the old balance and accept her committed payment again;
5. the untouched ledger still runs.
"""

import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, log  # noqa: E402

EXIT_DATADIR = 3


def pubkey_of(node, name):
    import json
    with open(node.wallet(name)) as f:
        return bytes.fromhex(json.load(f)["public_key"])


def flip_balance(data_dir, pub):
    """Flip bit 0 of the 6th value byte of every copy of pub's PTR balance record ('T' pubkey
    0x00) in state.mdb, in place (pwrite: a running node's map sees it). Returns the count.
    Only leaf nodes: LMDB's node header before the key is u16 data size low, u16 high, u16
    flags, u16 key size; the value (20 bytes + its 8-byte check) follows the key. Branch pages
    hold keys too, with a page number instead of a size: left alone."""
    path = os.path.join(data_dir, "ledger", "state.mdb")
    key = b"T" + pub + b"\x00"
    header = struct.pack("<HHHH", 20 + 8, 0, 0, len(key))
    with open(path, "rb") as f:
        data = f.read()
    spots, at = [], data.find(key)
    while at >= 0:
        if at >= 8 and data[at - 8:at] == header:
            spots.append(at + len(key) + 5)
        at = data.find(key, at + 1)
    fd = os.open(path, os.O_WRONLY)
    try:
        for off in spots:
            os.pwrite(fd, bytes([data[off] ^ 0x01]), off)
        os.fsync(fd)
    finally:
        os.close(fd)
    return len(spots)


def digest(path):
    d = hashlib.sha256()
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            if name in ("lock.mdb", "state.mdb-lock"):
                continue
            with open(os.path.join(root, name), "rb") as f:
                d.update(name.encode() + f.read())
    return d.hexdigest()


def run():
    work = tempfile.mkdtemp(prefix="petro-it-damaged-")
    try:
        with h.Node(name="damaged") as node:
            node.start()
            alice, bob = node.address("alice"), node.address("bob")
            h.cli_ok(node, "pay", "--wallet", node.wallet("alice"), "--to", bob, "--amount",
                     "80", "--wait")
            alice_pub = pubkey_of(node, "alice")
            balance = node.balance(alice)
            check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())
            healthy = node.data_dir

            # 1. Stopped: refused at start-up, and by verify.
            d = os.path.join(work, "flipped")
            shutil.copytree(healthy, d)
            n = flip_balance(d, alice_pub)
            check(n >= 1, "alice's balance record was not found in state.mdb")
            before = digest(d)
            rc, out, err = h.run_petrod("run", "--data", d, "--http", "127.0.0.1:0")
            lines = err.strip().splitlines()
            check(rc == EXIT_DATADIR and "ready" not in out and lines and
                  "stored data failed its integrity check" in lines[-1],
                  "petrod run on a flipped balance: expected exit 3 and the cause last, got "
                  "%d\n%s%s" % (rc, out, err))
            check("DAMAGED value in database state, key 54" in err and
                  "holds 1 damaged value" in err,
                  "the log must name the damaged database and key:\n" + err)
            log("petrod run refused (%d copies of the record flipped): %s" % (n, lines[-1]))
            rc, out, err = h.run_petrod("verify", "--data", d)
            check(rc != 0 and "verified" not in out, "petrod verify passed a flipped balance:\n"
                  + out + err)
            check(digest(d) == before, "the refusals changed the damaged copy")

            # 2. Running: the flip under a live node is refused on read.
            live = os.path.join(work, "live")
            shutil.copytree(healthy, live)
            node.data_dir = live
            node.start()
            st, acct = node.get("/v1/accounts/" + alice)
            check(st == 200, "alice before the flip: %d %r" % (st, acct))
            flip_balance(live, alice_pub)
            st, body = node.get("/v1/accounts/" + alice)
            check(st == 503 and isinstance(body, dict) and body.get("error") == "corrupt",
                  "alice's damaged balance must answer 503 corrupt, got %d %r" % (st, body))
            st, body = node.get("/v1/accounts/" + bob)
            check(st == 200, "bob's untouched account: %d %r" % (st, body))
            st, text = node.get("/healthz")
            check(st == 503 and "storage damaged" in text, "healthz: %d %r" % (st, text))
            status = node.status()
            check(status.get("store_damaged_values", 0) >= 1, "status: %r" % status)
            metrics = node.get("/metrics")[1]
            check("petro_store_damaged_values_total 0" not in metrics and
                  "petro_store_damaged_values_total" in metrics, "metrics:\n" + metrics)
            check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())

            # 3. Nobody reads it: the background scrub finds it.
            cold = os.path.join(work, "cold")
            shutil.copytree(healthy, cold)
            node.data_dir = cold
            node.extra_args = ["--scrub-interval-s", "1"]
            node.start()
            check(node.get("/healthz")[0] == 200, "healthz before the damage")
            flip_balance(cold, pubkey_of(node, "bob"))
            deadline = time.monotonic() + 20 * h.SLOW
            while node.status().get("store_damaged_values", 0) == 0:
                check(time.monotonic() < deadline, "the background scrub did not find the damage")
                time.sleep(0.2)
            st, text = node.get("/healthz")
            check(st == 503 and "storage damaged" in text, "healthz: %d %r" % (st, text))
            check("scrub: 1 of" in node.stderr_text() and "DAMAGED" in node.stderr_text(),
                  "the scrub's log line:\n" + node.describe())
            check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())
            node.extra_args = []

            # 4. A rollback of one record to its value of one payment earlier.
            earlier = os.path.join(work, "earlier")
            shutil.copytree(healthy, earlier)
            node.data_dir = healthy
            node.start()
            h.cli_ok(node, "pay", "--wallet", node.wallet("alice"), "--to", bob, "--amount",
                     "5", "--wait")
            balance = node.balance(alice)
            check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())
            rolled = os.path.join(work, "rolled-back")
            shutil.copytree(healthy, rolled)
            key_hex = (b"T" + alice_pub + b"\x00").hex()
            p = subprocess.run(["mdb_dump", "-n", "-s", "state",
                                os.path.join(earlier, "ledger", "state.mdb")],
                               capture_output=True, text=True)
            check(p.returncode == 0, "mdb_dump: %s" % p.stderr)
            lines = p.stdout.splitlines()
            head = lines[:lines.index("HEADER=END") + 1]
            at = lines.index(" " + key_hex)
            dump = os.path.join(work, "rollback.dump")
            with open(dump, "w") as f:
                f.write("\n".join(head + [lines[at], lines[at + 1], "DATA=END"]) + "\n")
            p = subprocess.run(["mdb_load", "-n", "-s", "state", "-f", dump,
                                os.path.join(rolled, "ledger", "state.mdb")],
                               capture_output=True, text=True)
            check(p.returncode == 0, "mdb_load: %s" % p.stderr)
            rc, out, err = h.run_petrod("run", "--data", rolled, "--http", "127.0.0.1:0")
            check(rc == EXIT_DATADIR and "ready" not in out and
                  "do not add up to the state digest" in err,
                  "petrod run on a rolled-back record: expected exit 3, got %d\n%s%s"
                  % (rc, out, err))
            log("a rolled-back record is refused: %s" % err.strip().splitlines()[-1])

            # 5. The untouched ledger still runs, with alice's balance.
            node.data_dir = healthy
            node.start()
            check(node.balance(alice) == balance, "the healthy ledger changed")
            check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())
            node.check_no_sanitizer_report()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    h.main(run)
