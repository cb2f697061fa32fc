"""Cluster faults: a stopped follower catches up after pruning, bad blocks are refused and
reported, a diverging validator is visible to the others.

Why: a validator that was away must come back to the same state even when etcd no longer
holds the blocks it missed (they are pruned once applied, or past retain_blocks); a block
that does not verify must never be applied, whoever wrote it; and a validator whose state
differs must show up in every other validator's status and metrics. Runs 3 etcd members and
3 petrods with retain_blocks = 16 (the minimum), and:

0. checks that each compare of the fenced block write fails when it should (etcd's gateway
   ignores unknown fields, so a misspelt compare would silently pass);
1. SIGSTOPs a follower petrod while payments commit through the others until etcd pruned the
   blocks it needs, SIGCONTs it: it fetches them from a peer's GET /v1/blocks?from=H, checks
   them like any block and reaches the others' height and state hash;
1b. does it again, but the peer it asks first serves another chain from the height it needs
   (test-only PETRO_TEST_FAULT_SERVE_FORK: every header one millisecond later, relinked, so
   hash chain, roots and state hashes all hold): the follower refuses that chain because no
   other validator attested its block at etcd's oldest height (log, status "peer_refused",
   metric petro_cluster_peer_blocks_refused_total), catches up from the honest peer instead,
   and ends on the others' block hash;
2. writes into etcd, at the next height, a block whose transaction has a broken signature,
   then one whose previous hash is wrong: every node refuses each (status "refused_height",
   "refused_reason", metric petro_cluster_blocks_refused_total) and stays at its height;
   once the bad key is deleted the cluster commits payments again;
3. restarts a follower with the test-only fault switch PETRO_TEST_FAULT_DIVERGE (it attests a
   wrong state hash): the two others report it as diverged, in status and in /metrics;
4. SIGSTOPs every etcd member: nodes keep answering reads, refuse writes with 503 and log the
   unreachable etcd; after SIGCONT payments commit again;
5. makes every node refuse forwarded batches (test-only PETRO_TEST_FAULT_REFUSE_BATCH file)
   for longer than the forwarder retries, with no leader change: a payment sent to a follower
   stays pending there, the refusal is logged, and once batches are taken again it commits.

The test-only fault switches are compiled only into petrod-test, which this test runs.
"""

import base64
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
import petro_tx as ptx  # noqa: E402
from petro_harness import check, log  # noqa: E402
import test_cluster as tc  # noqa: E402

N = tc.N

# The fault switches (PETRO_TEST_FAULT_*, read once at startup) exist only in petrod-test, the
# same node built with -DPETROD_TEST_FAULTS next to petrod (petrod/api/faults.h); the shipped
# petrod has none. Every petrod of this test, and cluster-init, is that binary.
h.PETROD = os.path.join(h.PETRO_BIN, "petrod-test")


def etcd_post(c, path, body):
    req = urllib.request.Request(c.etcd_url(0) + path, data=json.dumps(body).encode(),
                                 method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def b64(b):
    return base64.b64encode(b).decode()


def block_key(height):
    return ("/petro/cluster/block/%020d" % height).encode()


def lowest_block_in_etcd(c):
    pfx = b"/petro/cluster/block/"
    end = pfx[:-1] + bytes([pfx[-1] + 1])
    resp = etcd_post(c, "/v3/kv/range", {"key": b64(pfx), "range_end": b64(end), "limit": "1",
                                         "keys_only": True})
    kvs = resp.get("kvs", [])
    return int(base64.b64decode(kvs[0]["key"])[len(pfx):]) if kvs else None


def pruned_past(c, height, state):
    """A stop condition for tc.run_load: true once etcd's lowest block is above height (records
    it in state["low"]); fails the test after 40 s (scaled)."""
    deadline = time.monotonic() + 40 * h.SLOW

    def done():
        while True:
            low = lowest_block_in_etcd(c)
            if low is not None and low > height:
                state["low"] = low
                return
            check(time.monotonic() < deadline, "etcd never pruned past %d (lowest %s)"
                  % (height, low))
            time.sleep(0.2)
    return done


def raw_block(c, node, height):
    with urllib.request.urlopen(c.url(node) + "/v1/blocks?from=%d&limit=1" % height,
                                timeout=5) as r:
        data = r.read()
    size = int.from_bytes(data[:4], "little")
    check(len(data) == 4 + size, "GET /v1/blocks?from=%d: bad framing" % height)
    return data[4:]


def metric(c, node, name):
    with urllib.request.urlopen(c.url(node) + "/metrics", timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return int(line.split()[1])
    return None


class _Url:
    def __init__(self, url):
        self.url = url


def put_block_and_expect_refusal(c, height, block, reason):
    resp = etcd_post(c, "/v3/kv/txn", {
        "compare": [{"key": b64(block_key(height)), "target": "CREATE",
                     "create_revision": "0", "result": "EQUAL"}],
        "success": [{"request_put": {"key": b64(block_key(height)), "value": b64(block)}}]})
    check(resp.get("succeeded") is True, "height %d was taken before the test wrote it" % height)
    deadline = time.monotonic() + 15 * h.SLOW
    while True:
        sts = [c.status(i) for i in range(N)]
        got = [(s["cluster"].get("refused_height"), s["cluster"].get("refused_reason"), s["height"])
               for s in sts]
        if all(g == (height, reason, height - 1) for g in got):
            break
        check(time.monotonic() < deadline,
              "expected every node to refuse block %d (%s) and stay at %d; got %s"
              % (height, reason, height - 1, got))
        time.sleep(0.1)
    etcd_post(c, "/v3/kv/deleterange", {"key": b64(block_key(height))})
    deadline = time.monotonic() + 15 * h.SLOW
    while any("refused_height" in c.status(i)["cluster"] for i in range(N)):
        check(time.monotonic() < deadline, "refusal not cleared after the bad key was deleted")
        time.sleep(0.1)


def check_fence(c):
    """The compares of petrod's fenced block write, exactly as it sends them (field names and
    enum values), against the real leader key: all true -> the put happens; each compare made
    false on its own -> no put. The gateway ignores unknown fields, so a misspelt compare
    would pass silently; this catches that."""
    lkey = b"/petro/cluster/leader"
    kv = etcd_post(c, "/v3/kv/range", {"key": b64(lkey)})["kvs"][0]
    create_rev, lease = int(kv["create_revision"]), int(kv["lease"])
    check(lease != 0, "the leader key has no lease")
    taken = b"/petro/fence-test/taken"
    etcd_post(c, "/v3/kv/put", {"key": b64(taken), "value": b64(b"x")})

    def attempt(n, block_key_, rev, lease_):
        target = b"/petro/fence-test/put-%d" % n
        resp = etcd_post(c, "/v3/kv/txn", {
            "compare": [
                {"key": b64(block_key_), "target": "CREATE", "create_revision": "0",
                 "result": "EQUAL"},
                {"key": b64(lkey), "target": "CREATE", "create_revision": str(rev),
                 "result": "EQUAL"},
                {"key": b64(lkey), "target": "LEASE", "lease": str(lease_), "result": "EQUAL"}],
            "success": [{"request_put": {"key": b64(target), "value": b64(b"block")}}]})
        written = "kvs" in etcd_post(c, "/v3/kv/range", {"key": b64(target)})
        return resp.get("succeeded") is True, written

    free_key = b"/petro/fence-test/free"
    check(attempt(1, free_key, create_rev, lease) == (True, True), "fence: all compares true")
    check(attempt(2, taken, create_rev, lease) == (False, False), "fence: height already taken")
    check(attempt(3, free_key, create_rev + 1, lease) == (False, False),
          "fence: another leader's create_revision")
    check(attempt(4, free_key, create_rev, lease + 1) == (False, False), "fence: another lease")
    pfx = b"/petro/fence-test/"
    etcd_post(c, "/v3/kv/deleterange", {"key": b64(pfx), "range_end": b64(pfx[:-1] + b"0")})


def catch_up_from_forking_peer(c, stopped):
    """Step 1b: the first peer the stopped follower asks (the lowest other index) serves an
    internally valid fork from the follower's next height; the follower must refuse it and
    catch up from the other peer."""
    forker = min(i for i in range(N) if i != stopped)
    honest = [i for i in range(N) if i not in (stopped, forker)][0]
    forker_id = "v%d" % (forker + 1)
    h_stop = c.status(stopped)["height"]
    c.petrod[stopped].send_signal(tc.signal.SIGSTOP)
    c.petrod[forker].terminate()
    c.petrod[forker].wait()
    c.start_petrod(forker, {"PETRO_TEST_FAULT_SERVE_FORK": str(h_stop + 1)})
    c.wait_ready([forker])
    state = {}
    wait_pruned = pruned_past(c, h_stop + 1, state)

    others = [forker, honest]
    payers, _ = tc.run_load(c, lambda: [c.url(i) for i in others], 0.5, wait_pruned, 0.5)
    # The forker's chain really is another one: same body and state hash, another block hash.
    real, forged = raw_block(c, honest, h_stop + 2), raw_block(c, forker, h_stop + 2)
    # Header: version 1, height 8, prev_hash 32, timestamp 8, tx_root, witness_root,
    # result_root, state_hash 32 each, proposer 32, tx_count 4, signature 64, then the body. The
    # forker signs its fork as its proposer, as a validator gone rogue would.
    check(real[9:49] != forged[9:49] and real[49:177] == forged[49:177] and
          real[209:213] == forged[209:213] and real[277:] == forged[277:],
          "the forking peer serves block %d unchanged or broken" % (h_stop + 2))
    c.petrod[stopped].send_signal(tc.signal.SIGCONT)
    tip = c.wait_same_tip(range(N))
    tc.check_committed(c, [stopped], payers)
    check(c.status(stopped)["latest_block_hash"] == c.status(honest)["latest_block_hash"] and
          raw_block(c, stopped, h_stop + 1) == raw_block(c, honest, h_stop + 1),
          "node%d is not on the honest chain" % (stopped + 1))
    log_text = open(os.path.join(c.dir, "petrod%d.log" % (stopped + 1))).read()
    check("REFUSED the blocks from %d served by peer %s (not_attested" % (h_stop + 1, forker_id)
          in log_text, "node%d did not refuse the fork of %s" % (stopped + 1, forker_id))
    cl = c.status(stopped)["cluster"]
    check(cl.get("peer_refused", {}).get("validator") == forker_id and
          cl["peer_refused"]["reason"] == "not_attested" and cl["peer_blocks_refused_total"] >= 1,
          "node%d status after refusing a peer chain: %s" % (stopped + 1, cl))
    check(metric(c, stopped, "petro_cluster_peer_blocks_refused_total") >= 1,
          "node%d: refused peer chain not counted in /metrics" % (stopped + 1))
    check("fetched" in log_text.split("served by peer %s" % forker_id, 1)[1],
          "node%d did not fetch from the honest peer after the refusal" % (stopped + 1))
    c.petrod[forker].terminate()
    c.petrod[forker].wait()
    c.start_petrod(forker)
    c.wait_ready([forker])
    c.wait_same_tip(range(N))
    log("1b. node%d stopped at %d; node%d served a relinked chain from %d (valid hash chain, "
        "roots and state hashes): refused as not attested (log, status, metric); caught up from "
        "node%d to %d with the others' block hash"
        % (stopped + 1, h_stop, forker + 1, h_stop + 1, honest + 1, tip["height"]))


def run():
    check(os.access(h.PETROD, os.X_OK), "petrod-test not found at %s (PETRO_BIN=%s): build "
          "the petrod-test target" % (h.PETROD, h.PETRO_BIN))
    c = tc.Cluster("cluster-faults", retain_blocks=16)
    global REFUSE_FILE
    REFUSE_FILE = os.path.join(c.dir, "refuse-batches")
    os.environ["PETRO_TEST_FAULT_REFUSE_BATCH"] = REFUSE_FILE  # every petrod: see step 5
    try:
        c.start()
        lead = c.leader()
        followers = [i for i in range(N) if i != lead]
        log("cluster up in %s; leader node%d" % (c.dir, lead + 1))
        check_fence(c)
        log("0. fenced write: succeeds with the leader's create_revision and lease on a free "
            "height; fails on a taken height, another create_revision, another lease")

        # 1. SIGSTOP a follower until its blocks are pruned from etcd, then SIGCONT
        stopped = followers[0]
        others = [i for i in range(N) if i != stopped]
        h_stop = c.status(stopped)["height"]
        c.petrod[stopped].send_signal(tc.signal.SIGSTOP)
        state = {}
        wait_pruned = pruned_past(c, h_stop + 1, state)

        payers, _ = tc.run_load(c, lambda: [c.url(i) for i in others], 0.5, wait_pruned, 0.5)
        c.petrod[stopped].send_signal(tc.signal.SIGCONT)
        tip = c.wait_same_tip(range(N))
        tc.check_committed(c, [stopped], payers)
        peer_log = open(os.path.join(c.dir, "petrod%d.log" % (stopped + 1))).read()
        check("were pruned from etcd; fetched" in peer_log,
              "node%d did not catch up through a peer" % (stopped + 1))
        log("1. node%d stopped at %d; etcd pruned below %d; after SIGCONT it fetched the pruned "
            "blocks from a peer and reached height %d with the same state hash"
            % (stopped + 1, h_stop, state["low"], tip["height"]))
        catch_up_from_forking_peer(c, stopped)

        # 2. bad blocks written straight into etcd are refused by every node
        tip = c.wait_same_tip(range(N))
        t = tip["height"]
        prev = bytes.fromhex(tip["latest_block_hash"])
        last = raw_block(c, 0, t)
        alice = h.wallet_address(c.wallet("alice"))
        bob = h.wallet_address(c.wallet("bob"))
        tx = bytes.fromhex(h.capture_tx(_Url(c.url(0)), "pay", "--wallet", c.wallet("alice"),
                                        "--to", bob, "--amount", "1"))
        check(alice != bob, "distinct accounts")

        network_id = bytes.fromhex(c.status(0)["network_id"])
        with open(os.path.join(c.dir, "node1", "validator.key")) as f:
            v1_seed = bytes.fromhex(f.read().strip())

        def block_with(prev_hash, envelope, seed=v1_seed):
            """A header on top of the tip holding envelope, signed by validator v1 (seed None:
            left with the signature of the copied header)."""
            hdr = bytearray(last[:ptx.BLOCK_HEADER_SIZE])
            hdr[1:9] = (t + 1).to_bytes(8, "little")
            hdr[9:41] = prev_hash
            hdr[ptx.BLOCK_OFF_TX_COUNT:ptx.BLOCK_OFF_TX_COUNT + 4] = (1).to_bytes(4, "little")
            if seed is not None:
                hdr = ptx.sign_block_header(bytes(hdr), network_id, seed)
            return bytes(hdr) + len(envelope).to_bytes(4, "little") + envelope

        bad_sig = bytearray(tx)
        bad_sig[-1] ^= 0x01  # the last byte of the envelope belongs to its signature
        before = [metric(c, i, "petro_cluster_blocks_refused_total") for i in range(N)]
        put_block_and_expect_refusal(c, t + 1, block_with(prev, bytes(bad_sig)),
                                     "tx_rejected_in_block")
        put_block_and_expect_refusal(c, t + 1, block_with(bytes(32), tx), "bad_prev_hash")
        # Control: the same envelope unbroken on the right previous hash gets past the
        # signature and the transaction rules and fails only on the (copied) roots.
        put_block_and_expect_refusal(c, t + 1, block_with(prev, tx), "bad_tx_root")
        # Unsigned (the copied signature is the previous block's), or signed by a key that is
        # not the named proposer's: refused before any transaction is read.
        put_block_and_expect_refusal(c, t + 1, block_with(prev, tx, seed=None),
                                     "bad_block_signature")
        wrong = bytearray(block_with(prev, tx))
        wrong[ptx.BLOCK_HASHED_SIZE + 3] ^= 0x01
        put_block_and_expect_refusal(c, t + 1, bytes(wrong), "bad_block_signature")
        # A proposer that is not one of the validators is refused before anything is applied.
        stranger = bytearray(block_with(prev, tx))
        stranger[ptx.BLOCK_OFF_PROPOSER:ptx.BLOCK_OFF_PROPOSER + 32] = bytes(32)
        put_block_and_expect_refusal(c, t + 1, bytes(stranger), "malformed")
        after = [metric(c, i, "petro_cluster_blocks_refused_total") for i in range(N)]
        check(all(a - b == 6 for a, b in zip(after, before)),
              "refused-block metric: before %s after %s" % (before, after))
        rc, out, err = h.run_cli("pay", "--wallet", c.wallet("alice"), "--to", bob, "--amount",
                                 "1", "--wait", node_url=c.url(0))
        check(rc == 0, "payment after the bad blocks were removed: %s %s" % (out, err))
        tip = c.wait_same_tip(range(N))
        log("2. a block with a broken signature and one with a wrong previous hash at height %d "
            "were refused by all 3 nodes (status + metric; the intact envelope fails only on the "
            "roots); the cluster then went on to %d"
            % (t + 1, tip["height"]))

        # 3. a diverging validator is visible in the others' status and metrics
        bad = followers[-1]
        c.petrod[bad].terminate()
        c.petrod[bad].wait()
        c.start_petrod(bad, {"PETRO_TEST_FAULT_DIVERGE": "1"})
        c.wait_ready([bad])
        rc, out, err = h.run_cli("pay", "--wallet", c.wallet("bob"), "--to", alice, "--amount",
                                 "1", "--wait", node_url=c.url(lead))
        check(rc == 0, "payment: %s %s" % (out, err))
        bad_id = "v%d" % (bad + 1)
        watchers = [i for i in range(N) if i != bad]
        deadline = time.monotonic() + 15 * h.SLOW
        while True:
            seen = []
            for i in watchers:
                vals = {v["id"]: v for v in c.status(i)["cluster"]["validators"]}
                seen.append(vals[bad_id]["diverged"] and
                            not any(v["diverged"] for k, v in vals.items() if k != bad_id))
            if all(seen):
                break
            check(time.monotonic() < deadline, "divergence of %s not reported: %s" % (bad_id, seen))
            time.sleep(0.1)
        for i in watchers:
            check(metric(c, i, "petro_cluster_divergences_total") >= 1,
                  "node%d: divergence not counted in /metrics" % (i + 1))
        top = c.wait_same_tip(range(N))["height"]
        deadline = time.monotonic() + 10 * h.SLOW
        while True:
            st, body = h.http_get(c.url(watchers[0]), "/v1/blocks/%d" % top)
            atts = {a["validator"]: a["agrees"] for a in body.get("attestations", [])}
            if len(atts) == N:
                break
            check(time.monotonic() < deadline, "block %d attestations: %s" % (top, body))
            time.sleep(0.1)
        check(atts[bad_id] is False and all(v for k, v in atts.items() if k != bad_id),
              "per-block attestations of block %d: %s" % (top, atts))
        log("3. node%d attests a wrong state hash: nodes %s report %s as diverged (status, "
            "metrics, and its attestation of block %d disagrees in GET /v1/blocks/%d)"
            % (bad + 1, [i + 1 for i in watchers], bad_id, top, top))

        # 4. etcd unreachable (all members stopped): reads still served, writes answered 503
        log_path = os.path.join(c.dir, "petrod%d.log" % (lead + 1))
        log_before = os.path.getsize(log_path)
        for p in c.etcd:
            p.send_signal(tc.signal.SIGSTOP)
        try:
            deadline = time.monotonic() + 15 * h.SLOW
            while True:
                st = c.status(lead)
                if not st["cluster"]["etcd_reachable"]:
                    break
                check(time.monotonic() < deadline, "etcd_reachable stays true with etcd stopped")
                time.sleep(0.2)
            st, body = h.http_get(c.url(lead), "/v1/accounts/" + alice)
            check(st == 200, "read while etcd is down: %s %s" % (st, body))
            rc, out, err = h.run_cli("pay", "--wallet", c.wallet("alice"), "--to", bob,
                                     "--amount", "1", node_url=c.url(lead))
            check(rc != 0 and "unavailable" in err, "write while etcd is down: rc %d %s %s"
                  % (rc, out, err))
            with open(log_path, errors="replace") as f:
                f.seek(log_before)
                logged = f.read()
            check("warn: etcd http://" in logged and "Timeout was reached" in logged,
                  "no log line about the unreachable etcd:\n" + logged[-2000:])
        finally:
            for p in c.etcd:
                p.send_signal(tc.signal.SIGCONT)
        deadline = time.monotonic() + 30 * h.SLOW
        while True:
            rc, out, err = h.run_cli("pay", "--wallet", c.wallet("alice"), "--to", bob,
                                     "--amount", "1", "--wait", node_url=c.url(lead))
            if rc == 0:
                break
            check(time.monotonic() < deadline, "no payment after etcd came back: %s" % err)
            time.sleep(0.3)
        c.wait_same_tip(range(N))
        log("4. with every etcd member stopped: status and account reads answered, payments "
            "refused as unavailable (503); after SIGCONT payments commit again")

        # 5. the leader refuses forwarded batches longer than the forwarder retries (4 s), with
        # no leader change: the follower's submission must still commit once the leader takes
        # forwards again (followers forward entries pending for 2 s again).
        lead = c.leader()
        fol = [i for i in range(N) if i != lead and i != bad] or [i for i in range(N) if i != lead]
        fol = fol[0]
        fol_log = os.path.join(c.dir, "petrod%d.log" % (fol + 1))
        fol_before = os.path.getsize(fol_log)
        open(REFUSE_FILE, "w").close()
        try:
            rc, out, err = h.run_cli("pay", "--wallet", c.wallet("bob"), "--to", alice,
                                     "--amount", "2", node_url=c.url(fol))
            check(rc == 0, "payment to node%d: %s %s" % (fol + 1, out, err))
            deadline = time.monotonic() + 20 * h.SLOW
            while True:
                with open(fol_log, errors="replace") as f:
                    f.seek(fol_before)
                    logged = f.read()
                if "did not take" in logged:
                    break
                check(time.monotonic() < deadline,
                      "node%d: no log line about the refused forward:\n%s" % (fol + 1, logged[-2000:]))
                time.sleep(0.2)
            check(c.status(fol)["mempool_size"] == 1 and c.status(lead)["mempool_size"] == 0,
                  "while the leader refuses forwards: mempools %s"
                  % [c.status(i)["mempool_size"] for i in range(N)])
        finally:
            os.unlink(REFUSE_FILE)
        deadline = time.monotonic() + 20 * h.SLOW
        while c.status(fol)["mempool_size"] != 0:
            check(time.monotonic() < deadline, "node%d: the submission the leader refused stays "
                  "pending: mempools %s" % (fol + 1, [c.status(i)["mempool_size"] for i in range(N)]))
            time.sleep(0.2)
        c.wait_same_tip(range(N))
        with open(fol_log, errors="replace") as f:
            f.seek(fol_before)
            logged = f.read()
        check("to the leader again" in logged, "node%d: no log line about forwarding again:\n%s"
              % (fol + 1, logged[-2000:]))
        log("5. the leader refused forwarded batches for longer than the forwarder retries: "
            "node%d logged it, forwarded its pending submission again and it committed"
            % (fol + 1))
        c.shutdown_petrods()
    except Exception:
        log("cluster state:\n" + c.describe())
        raise
    finally:
        c.close()
    log("PASS")


if __name__ == "__main__":
    run()
