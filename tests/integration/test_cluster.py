"""A 3-validator cluster ordered by etcd: agreement, leader failover, etcd member failover.

Why: a cluster must survive the loss of a minority without losing a transaction answered
"committed", never put two blocks at one height, and every validator must reach the same
state. This starts 3 real etcd members and 3 real petrods on loopback (`petrod cluster-init`
then `petrod run --cluster`), and checks:

1. payments submitted through each node commit, and all nodes reach the same height and
   state hash (and attest it: every node's status shows the three attestations agreeing);
   every node, followers included, lists them in the payee's history; `petro block` through
   each node accepts the tip block's proposer as one of the cluster's validators;
2. SIGKILL of the leader petrod under load (payments through the two followers): a new leader
   takes over (the time from the kill to the next committed payment is printed, goal < 2 s);
   every payment answered "committed" is in the chain of both survivors; the killed node,
   restarted, catches up; every height has one block hash on all three;
3. SIGKILL of the etcd leader member under load: the same, then the member is restarted;
4. SIGSTOP of the leader petrod for 3 s under load, then SIGCONT: another node leads, the old
   leader's writes are fenced off and it follows; same checks;
5. proof-of-reserves checkpoints (every CHECKPOINT_INTERVAL blocks): every node, followers
   included, has a checkpoint past its start-up height, at the same heights as the others,
   with the same root, total and holder count, signed with its own cluster key.

Needs the etcd binary (Debian etcd-server, installed by scripts/install-deps).
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
import petro_tx as ptx  # noqa: E402
from petro_harness import check, log  # noqa: E402

ETCD = shutil.which("etcd") or "/usr/bin/etcd"
N = 3
CHECKPOINT_INTERVAL = 4


class Cluster:
    """3 etcd members + 3 petrods in a temp dir; every child dies with the test."""

    def __init__(self, name, retain_blocks=None, env3=None):
        self.dir = tempfile.mkdtemp(prefix="petro-it-%s-%d-" % (name, os.getpid()))
        rng = random.Random()
        for _ in range(100):
            self.api_base = rng.randint(20000, 29000)
            self.etcd_base = rng.randint(30000, 39000)
            ports = [self.api_base + i for i in range(N)]
            ports += [self.etcd_base + 1 + i for i in range(N)]
            ports += [self.etcd_base + 101 + i for i in range(N)]
            if h.ports_free(ports):
                break
        subprocess.run([h.PETROD, "cluster-init", "--validators", str(N), "--dir", self.dir,
                        "--api-base-port", str(self.api_base),
                        "--etcd-base-port", str(self.etcd_base)],
                       check=True, stdout=subprocess.DEVNULL, preexec_fn=h._child_setup)
        if retain_blocks is not None:
            for i in range(1, N + 1):
                conf = os.path.join(self.dir, "node%d" % i, "cluster.conf")
                text = open(conf).read().replace("retain_blocks = 1000",
                                                 "retain_blocks = %d" % retain_blocks)
                open(conf, "w").write(text)
        self.env3 = env3
        self.etcd = [None] * N
        self.petrod = [None] * N
        self.logs = []

    def url(self, i):
        return "http://127.0.0.1:%d" % (self.api_base + i)

    def etcd_url(self, i):
        return "http://127.0.0.1:%d" % (self.etcd_base + 1 + i)

    def wallet(self, name):
        return os.path.join(self.dir, "wallets", name + ".json")

    def start_etcd(self, i):
        initial = ",".join("m%d=http://127.0.0.1:%d" % (k + 1, self.etcd_base + 101 + k)
                           for k in range(N))
        data = os.path.join(self.dir, "etcd%d" % (i + 1))
        state = "existing" if os.path.isdir(os.path.join(data, "member")) else "new"
        log_f = open(os.path.join(self.dir, "etcd%d.log" % (i + 1)), "ab")
        self.logs.append(log_f)
        self.etcd[i] = subprocess.Popen(
            [ETCD, "--name", "m%d" % (i + 1), "--data-dir", data,
             "--listen-client-urls", self.etcd_url(i), "--advertise-client-urls", self.etcd_url(i),
             "--listen-peer-urls", "http://127.0.0.1:%d" % (self.etcd_base + 101 + i),
             "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % (self.etcd_base + 101 + i),
             "--initial-cluster", initial, "--initial-cluster-state", state,
             "--initial-cluster-token", "petro-it",
             "--heartbeat-interval", "100", "--election-timeout", "500", "--pre-vote",
             "--snapshot-count", "500", "--max-request-bytes", "2097152"],
            stdout=log_f, stderr=subprocess.STDOUT, preexec_fn=h._child_setup)

    def start_petrod(self, i, env_extra=None, args=()):
        env = dict(os.environ)
        if self.env3 is not None and i == 2:
            env.update(self.env3)
        if env_extra:
            env.update(env_extra)
        log_f = open(os.path.join(self.dir, "petrod%d.log" % (i + 1)), "ab")
        self.logs.append(log_f)
        self.petrod[i] = subprocess.Popen(
            [h.PETROD, "run", "--data", os.path.join(self.dir, "node%d" % (i + 1)),
             "--http", "127.0.0.1:%d" % (self.api_base + i),
             "--cluster", os.path.join(self.dir, "node%d" % (i + 1), "cluster.conf"),
             "--block-interval-ms", "50", "--checkpoint-interval", str(CHECKPOINT_INTERVAL)]
            + list(args),
            stdout=log_f, stderr=subprocess.STDOUT, env=env, preexec_fn=h._child_setup)

    def start(self):
        for i in range(N):
            self.start_etcd(i)
        for i in range(N):
            self.start_petrod(i)
        self.wait_ready(range(N))

    def status(self, i, timeout=2):
        with urllib.request.urlopen(self.url(i) + "/v1/status", timeout=timeout) as r:
            return json.loads(r.read())

    def wait_ready(self, nodes, timeout=30):
        deadline = time.monotonic() + timeout * h.SLOW
        while True:
            ok = 0
            for i in nodes:
                try:
                    if self.status(i)["cluster"].get("leader"):
                        ok += 1
                except Exception:
                    pass
            if ok == len(list(nodes)):
                return
            check(time.monotonic() < deadline, "cluster not ready:\n" + self.describe())
            time.sleep(0.1)

    def leader(self, nodes=range(N)):
        for i in nodes:
            try:
                st = self.status(i)
                if st["role"] == "leader":
                    return i
            except Exception:
                pass
        return None

    def wait_same_tip(self, nodes, timeout=30):
        deadline = time.monotonic() + timeout * h.SLOW
        while True:
            try:
                sts = [self.status(i) for i in nodes]
                tips = {(s["height"], s["state_hash"]) for s in sts}
                if len(tips) == 1 and all(s["mempool_size"] == 0 for s in sts):
                    return sts[0]
            except Exception:
                pass
            check(time.monotonic() < deadline,
                  "nodes %s do not reach one tip:\n%s" % (list(nodes), self.describe()))
            time.sleep(0.1)

    def etcd_leader(self):
        for i in range(N):
            if self.etcd[i] is None or self.etcd[i].poll() is not None:
                continue
            try:
                req = urllib.request.Request(self.etcd_url(i) + "/v3/maintenance/status",
                                             data=b"{}", method="POST")
                with urllib.request.urlopen(req, timeout=2) as r:
                    st = json.loads(r.read())
                if st.get("leader") and st["leader"] == st["header"]["member_id"]:
                    return i
            except Exception:
                pass
        return None

    def describe(self):
        out = []
        for i in range(N):
            try:
                st = self.status(i)
                out.append("node%d: %s height %s state %s leader %s mempool %s" % (
                    i + 1, st["role"], st["height"], st["state_hash"][:12],
                    st["cluster"].get("leader"), st["mempool_size"]))
            except Exception as e:
                out.append("node%d: %r" % (i + 1, e))
            path = os.path.join(self.dir, "petrod%d.log" % (i + 1))
            if os.path.exists(path):
                lines = open(path, errors="replace").read().splitlines()
                lines = [ln for ln in lines if "warn" in ln or "error" in ln or "cluster" in ln]
                out += ["    " + ln for ln in lines[-12:]]
        return "\n".join(out)

    def close(self):
        for p in self.petrod + self.etcd:
            if p is not None and p.poll() is None:
                try:
                    p.send_signal(signal.SIGCONT)
                    p.kill()
                except OSError:
                    pass
                p.wait()
        for f in self.logs:
            f.close()
        if os.environ.get("PETRO_KEEP_CLUSTER"):
            log("kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def shutdown_petrods(self):
        """SIGTERM every running petrod: each must exit 0 (a clean stop; under ASan also no
        leak), then no sanitizer report may be in any log."""
        for i, p in enumerate(self.petrod):
            if p is None or p.poll() is not None:
                continue
            p.send_signal(signal.SIGCONT)
            p.terminate()
            try:
                rc = p.wait(30 * h.SLOW)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                h.fail("petrod%d did not stop within %ds of SIGTERM" % (i + 1, 30 * h.SLOW))
            check(rc == 0, "petrod%d exited %d after SIGTERM" % (i + 1, rc))
        self.check_no_sanitizer_report()

    def check_no_sanitizer_report(self):
        for i in range(N):
            path = os.path.join(self.dir, "petrod%d.log" % (i + 1))
            text = open(path, errors="replace").read() if os.path.exists(path) else ""
            check("ERROR: AddressSanitizer" not in text and "runtime error:" not in text,
                  "sanitizer report in petrod%d.log:\n%s" % (i + 1, text[-4000:]))


class Payer(threading.Thread):
    """Pays continuously from one demo account through the nodes chosen by urls(); records
    every hash the CLI answered "committed" and (submit time, answer time) of each."""

    def __init__(self, cluster, src, dsts, urls, stop):
        super().__init__(daemon=True)
        self.c, self.src, self.dsts, self.urls, self.stop = cluster, src, dsts, urls, stop
        self.committed = []
        self.commit_times = []
        self.rng = random.Random()

    def run(self):
        k = 0
        while not self.stop.is_set():
            urls = self.urls()
            url = urls[k % len(urls)]
            k += 1
            amount = "0.%08d" % self.rng.randint(1, 99999)
            t_start = time.monotonic()
            rc, out, err = h.run_cli("pay", "--wallet", self.c.wallet(self.src), "--to",
                                     self.rng.choice(self.dsts), "--amount", amount, "--wait",
                                     "--json", node_url=url, timeout=30)
            if rc == 0:
                txh = h.find_hash(out)
                if txh is not None:
                    self.committed.append(txh)
                    self.commit_times.append((t_start, time.monotonic()))
            else:
                time.sleep(0.1)


def run_load(c, urls, seconds_before, action, seconds_after):
    """Pay from alice, bob and bank through urls() while action() runs; returns (payers,
    t_action)."""
    addrs = {n: h.wallet_address(c.wallet(n)) for n in ("alice", "bob", "bank")}
    stop = threading.Event()
    payers = [Payer(c, src, [a for n, a in addrs.items() if n != src], urls, stop)
              for src in addrs]
    for p in payers:
        p.start()
    time.sleep(seconds_before)
    t_action = time.monotonic()
    action()
    time.sleep(seconds_after * h.SLOW)
    stop.set()
    for p in payers:
        p.join(60)
    return payers, t_action


def check_committed(c, nodes, payers):
    total = 0
    for p in payers:
        for txh in p.committed:
            locs = set()
            for i in nodes:
                st, body = h.http_get(c.url(i), "/v1/transactions/" + txh)
                check(st == 200 and body.get("status") == "committed",
                      "node%d lost %s answered committed: %s %s" % (i + 1, txh, st, body))
                locs.add((body["height"], body["index"]))
            check(len(locs) == 1, "%s at different places: %s" % (txh, locs))
            total += 1
    return total


def check_one_block_per_height(c, nodes, height):
    for hgt in range(1, height + 1):
        hashes = set()
        for i in nodes:
            st, body = h.http_get(c.url(i), "/v1/blocks/%d" % hgt)
            check(st == 200, "node%d has no block %d: %s" % (i + 1, hgt, body))
            hashes.add(body["hash"])
        check(len(hashes) == 1, "height %d has %d different blocks" % (hgt, len(hashes)))


def validator_keys(c):
    """The cluster key (hex) of every node, from node1's cluster file."""
    keys = {}
    for line in open(os.path.join(c.dir, "node1", "cluster.conf")):
        parts = line.split()
        if len(parts) == 5 and parts[0] == "validator":
            keys[int(parts[2][1:]) - 1] = parts[3]
    return [keys[i] for i in range(N)]


def check_checkpoints(c, started_at):
    """Every node (followers too) checkpoints every CHECKPOINT_INTERVAL blocks: its latest
    checkpoint is past its start-up height, at the same height on all nodes, with the same
    root, total and holders, signed with its own cluster key; and every height that two
    nodes' histories share has the same root and total on both."""
    tip = c.wait_same_tip(range(N))
    due = tip["height"] - tip["height"] % CHECKPOINT_INTERVAL
    keys = validator_keys(c)
    deadline = time.monotonic() + 10 * h.SLOW
    while True:
        latest = []
        for i in range(N):
            st, body = h.http_get(c.url(i), "/v1/reserves")
            check(st == 200 and body["checkpoint_interval"] == CHECKPOINT_INTERVAL,
                  "node%d: checkpoints off: %s %s" % (i + 1, st, body))
            latest.append([r["latest_checkpoint"] for r in body["reserves"]])
        if all(cp is not None and cp["height"] == due for cps in latest for cp in cps):
            break
        check(time.monotonic() < deadline,
              "not every node checkpointed height %d: %s\n%s"
              % (due, [[cp and cp["height"] for cp in cps] for cps in latest], c.describe()))
        time.sleep(0.1)
    for i in range(N):
        check(due > started_at[i], "node%d: checkpoint %d is not past its start-up height %d"
              % (i + 1, due, started_at[i]))
        for cp in latest[i]:
            check(cp["validator_key"] == keys[i],
                  "node%d signs checkpoints with %s, not its cluster key %s"
                  % (i + 1, cp["validator_key"], keys[i]))
    fields = ("height", "block_hash", "root", "total", "leaf_count", "attested", "cap")
    for a in range(len(latest[0])):
        views = {tuple(cps[a][f] for f in fields) for cps in latest}
        check(len(views) == 1, "nodes disagree on the checkpoint at %d: %s" % (due, views))
    by_height = {}
    for i in range(N):
        st, body = h.http_get(c.url(i), "/v1/reserves/history?asset=PTR&limit=100000")
        check(st == 200, "node%d: no checkpoint history: %s %s" % (i + 1, st, body))
        for r in body["records"]:
            if r["height"] % CHECKPOINT_INTERVAL == 0:
                by_height.setdefault(r["height"], {})[i] = (r["block_hash"], r["root"],
                                                             r["supply"], r["holders"])
    shared = [hgt for hgt, v in by_height.items() if len(v) == N]
    for hgt in shared:
        check(len(set(by_height[hgt].values())) == 1,
              "nodes disagree on the PTR checkpoint at height %d: %s" % (hgt, by_height[hgt]))
    check(len(shared) >= 2 and due in shared,
          "too few checkpoint heights every node has: %s" % sorted(shared))
    return due, len(shared)


def first_commit_after(payers, t):
    """Seconds from t to the first "committed" answer of a payment submitted after t."""
    times = [end for p in payers for start, end in p.commit_times if start > t]
    return min(times) - t if times else None


def run():
    if not os.path.exists(ETCD):
        h.fail("etcd is not installed (scripts/install-deps installs etcd-server)")
    c = Cluster("cluster")
    try:
        c.start()
        log("cluster up in %s; leader node%d" % (c.dir, c.leader() + 1))
        started_at = [0] * N

        # 1. payments through each node, all nodes agree
        bob = h.wallet_address(c.wallet("bob"))
        first = Payer(c, "alice", [bob], None, None)
        for i in range(N):
            rc, out, err = h.run_cli("pay", "--wallet", c.wallet("alice"), "--to", bob,
                                     "--amount", "1", "--wait", "--json", node_url=c.url(i))
            check(rc == 0 and h.find_hash(out), "pay through node%d failed: %s %s" % (i + 1, out, err))
            first.committed.append(h.find_hash(out))
            # The next payment goes through another node: let it apply this block first, or
            # the CLI would sign against its older state (same sequence: duplicate_tx).
            c.wait_same_tip(range(N))
        tip = c.wait_same_tip(range(N))
        check_committed(c, range(N), [first])
        deadline = time.monotonic() + 10 * h.SLOW
        while True:
            vals = c.status(0)["cluster"]["validators"]
            atts = {(v.get("attested_height"), v.get("attested_state_hash")) for v in vals}
            if atts == {(tip["height"], tip["state_hash"])}:
                break
            check(time.monotonic() < deadline, "attestations do not agree: %s" % vals)
            time.sleep(0.1)
        check(all(not v["diverged"] for v in vals), "divergence reported: %s" % vals)
        for i in range(N):
            st, body = h.http_get(c.url(i), "/v1/blocks/%d" % tip["height"])
            atts = body.get("attestations") if st == 200 else None
            check(atts is not None and sorted(a["validator"] for a in atts) == ["v1", "v2", "v3"]
                  and all(a["agrees"] and a["state_hash"] == tip["state_hash"] for a in atts),
                  "node%d: block %d attestations: %s %s" % (i + 1, tip["height"], st, body))
        # `petro block` takes the proposers it trusts from cluster.validators of the status.
        for i in range(N):
            rc, out, err = h.run_cli("block", str(tip["height"]), node_url=c.url(i))
            check(rc == 0 and "checked" in out, "node%d: petro block %d: %d\n%s%s"
                  % (i + 1, tip["height"], rc, out, err))
        rc, out, err = h.run_cli("block", str(tip["height"]), "--validator", bob,
                                 node_url=c.url(0))
        check(rc == 1 and "unknown proposer" in err, "petro block --validator bob: %d\n%s%s"
              % (rc, out, err))
        for i in range(N):
            st, body = h.http_get(c.url(i), "/v1/accounts/" + bob)
            check(st == 200, "node%d: bob unreadable" % (i + 1))
            # Followers index the blocks they apply as the producer does (put_tx_indexes).
            st, body = h.http_get(c.url(i), "/v1/accounts/%s/transactions?limit=200" % bob)
            got = [t["hash"] for t in body["transactions"]] if st == 200 else None
            check(got is not None and sorted(got) == sorted(first.committed),
                  "node%d: bob's history %s, expected the payments %s"
                  % (i + 1, got, first.committed))
        log("1. payments through each node: height %d, same state hash, 3 attestations agree "
            "(status and GET /v1/blocks/%d on every node)" % (tip["height"], tip["height"]))

        # 1b. A follower that cuts its own blocks at 2 transactions applies a leader's block of 4:
        # --block-max-txs is how a node cuts blocks, not a validity rule.
        lead = c.leader()
        f = next(i for i in range(N) if i != lead)
        c.petrod[f].terminate()
        check(c.petrod[f].wait(30 * h.SLOW) == 0, "node%d did not stop cleanly" % (f + 1))
        c.start_petrod(f, args=("--block-max-txs", "2"))
        c.wait_ready([f])
        st = c.status(lead)
        net = bytes.fromhex(st["network_id"])
        alice_k = ptx.Key.from_wallet(c.wallet("alice"))
        _, acct = h.http_get(c.url(lead), "/v1/accounts/" + h.wallet_address(c.wallet("alice")))
        seq = acct["sequence"]
        bodies = [ptx.body(net, alice_k.pub, seq + 1 + k, [ptx.op_payment(
            ptx.Key.from_wallet(c.wallet("bob")).pub, 7 + k)]) for k in range(4)]
        envs = [ptx.envelope(b, [alice_k]) for b in bodies]
        batch = b"".join(len(e).to_bytes(4, "little") + e for e in envs)
        code, res, _ = h.http_request(c.url(lead), "POST", "/v1/transactions/batch", batch,
                                      {"Content-Type": "application/octet-stream"})
        check(code == 200, "batch of 4 through the leader node%d: %d %r" % (lead + 1, code, res))
        ids = [ptx.tx_id(b).hex() for b in bodies]
        deadline = time.monotonic() + 20 * h.SLOW
        while True:
            got = [h.http_get(c.url(f), "/v1/transactions/" + x)[1] for x in ids]
            if all(t.get("status") == "committed" for t in got):
                break
            check(time.monotonic() < deadline, "node%d did not apply the batch: %r" % (f + 1, got))
            time.sleep(0.1)
        heights = {t["height"] for t in got}
        _, blk = h.http_get(c.url(f), "/v1/blocks/%d" % min(heights))
        check(len(blk.get("transactions", [])) > 2,
              "the leader should have cut one block of more than 2 transactions: heights %r, %r"
              % (sorted(heights), blk))
        tip = c.wait_same_tip(range(N))
        log("1b. node%d (--block-max-txs 2) applied node%d's block %d of %d transactions"
            % (f + 1, lead + 1, min(heights), len(blk["transactions"])))

        # 2. SIGKILL the leader petrod under load
        lead = c.leader()
        followers = [i for i in range(N) if i != lead]

        def kill_leader():
            c.petrod[lead].kill()
            c.petrod[lead].wait()

        payers, t_kill = run_load(c, lambda: [c.url(i) for i in followers], 1.5, kill_leader, 4)
        gap = first_commit_after(payers, t_kill)
        new_lead = c.leader(followers)
        check(new_lead is not None and new_lead != lead, "no new leader:\n" + c.describe())
        check(gap is not None, "no payment committed after the leader was killed:\n" + c.describe())
        log("2. killed leader node%d; node%d leads; first commit %.2f s after the kill"
            % (lead + 1, new_lead + 1, gap))
        tip = c.wait_same_tip(followers)
        n_ok = check_committed(c, followers, payers)
        c.start_petrod(lead)
        c.wait_ready([lead])
        started_at[lead] = c.status(lead)["height"]  # at least its start-up height
        tip = c.wait_same_tip(range(N))
        check_committed(c, [lead], payers)
        check_one_block_per_height(c, range(N), tip["height"])
        log("   %d payments answered committed, all in the chain of every node; restarted node%d "
            "caught up to height %d; one block per height" % (n_ok, lead + 1, tip["height"]))

        # 3. SIGKILL the etcd leader member under load
        em = c.etcd_leader()
        check(em is not None, "no etcd leader found")

        def kill_etcd():
            c.etcd[em].kill()
            c.etcd[em].wait()

        payers, t_kill = run_load(c, lambda: [c.url(i) for i in range(N)], 1.5, kill_etcd, 5)
        gap = first_commit_after(payers, t_kill)
        check(gap is not None, "no payment committed after the etcd leader died:\n" + c.describe())
        log("3. killed etcd leader member m%d; first commit %.2f s after the kill" % (em + 1, gap))
        c.start_etcd(em)
        tip = c.wait_same_tip(range(N))
        n_ok = check_committed(c, range(N), payers)
        check_one_block_per_height(c, range(N), tip["height"])
        log("   %d payments answered committed are in every node's chain; height %d; one block "
            "per height" % (n_ok, tip["height"]))

        # 4. SIGSTOP the leader petrod under load (its lease expires while it is frozen), then
        #    SIGCONT: it must find itself deposed (its fenced writes fail) and follow.
        lead = c.leader()
        followers = [i for i in range(N) if i != lead]

        def freeze_leader():
            c.petrod[lead].send_signal(signal.SIGSTOP)
            time.sleep(3 * h.SLOW)
            c.petrod[lead].send_signal(signal.SIGCONT)

        payers, t_stop = run_load(c, lambda: [c.url(i) for i in range(N)], 1.0, freeze_leader, 3)
        new_lead = c.leader()
        check(new_lead is not None and new_lead != lead,
              "the frozen leader node%d still leads:\n%s" % (lead + 1, c.describe()))
        tip = c.wait_same_tip(range(N))
        n_ok = check_committed(c, range(N), payers)
        check_one_block_per_height(c, range(N), tip["height"])
        log("4. froze leader node%d for 3 s under load: node%d took over, node%d follows after "
            "SIGCONT; %d payments answered committed are in every chain; one block per height"
            % (lead + 1, new_lead + 1, lead + 1, n_ok))

        # 5. every node checkpoints the same heights with the same content, followers too
        due, n_shared = check_checkpoints(c, started_at)
        log("5. checkpoints every %d blocks: all nodes at height %d (start-up heights %s), same "
            "root and total; %d heights in every node's history agree; each signed with the "
            "node's own key" % (CHECKPOINT_INTERVAL, due, started_at, n_shared))
        c.shutdown_petrods()
    except Exception:
        log("cluster state:\n" + c.describe())
        raise
    finally:
        c.close()
    log("PASS")


if __name__ == "__main__":
    run()
