"""kill -9 under load: every transaction the node answered "committed" survives.

Why: DESIGN.md promises that an answer of "committed" survives `kill -9` and a restart. Four
threads run `petro pay --wait` continuously (each from its own demo account, so they never
fight over sequence numbers) through a recording proxy, which keeps exactly what the node
answered. At a random moment (seeded: PETRO_TEST_SEED, printed) the node is SIGKILLed; after
the restart every transaction answered "committed" must be committed at the same height, the
native supply must add up (sum of all balances + burned == issued - redeemed), and the node
must keep working. Two rounds.
"""

import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, log  # noqa: E402

# Each thread sends from its own account; the treasury's payments are signed by two of its
# three officers (2-of-3 multisig), so multisig envelopes are part of the load too.
SOURCES = ("alice", "bob", "bank", "treasury")
SIGNERS = {"treasury": ("treasury-officer-1", "treasury-officer-2")}
ROUNDS = 2


class Worker(threading.Thread):
    def __init__(self, node, proxy_url, src, addrs, seed, stop):
        super().__init__(daemon=True)
        self.node, self.proxy_url, self.src, self.addrs = node, proxy_url, src, addrs
        self.rng = random.Random(seed)
        self.stop = stop
        self.cli_ok = []      # hashes the CLI reported as committed (exit 0)
        self.attempts = 0
        self.error = None

    def run(self):
        try:
            dsts = [a for n, a in self.addrs.items() if n != self.src]
            while not self.stop.is_set():
                amount = "0.%08d" % self.rng.randint(1, 99999)
                args = ["pay"]
                for wname in SIGNERS.get(self.src, (self.src,)):
                    args += ["--wallet", self.node.wallet(wname)]
                if self.src in SIGNERS:
                    args += ["--source", self.addrs[self.src]]
                args += ["--to", self.rng.choice(dsts), "--amount", amount, "--wait", "--json"]
                self.attempts += 1
                rc, out, err = h.run_cli(*args, node_url=self.proxy_url)
                if rc == 0:
                    txh = h.find_hash(out)
                    if txh is None:
                        self.error = "exit 0 but no hash printed:\n" + h.describe_cli(
                            args, rc, out, err)
                        return
                    self.cli_ok.append(txh)
                else:
                    if not self.stop.is_set() and rc != 3:
                        # The kill may be under way: the process can close its sockets a
                        # moment before the main thread sees it dead.
                        time.sleep(0.5 * h.SLOW)
                    if self.stop.is_set() or rc == 3 or not self.node.running():
                        return  # the node died under this request
                    self.error = ("exit %d while the node runs (a valid payment must commit):\n"
                                  % rc) + h.describe_cli(args, rc, out, err)
                    return
        except Exception as e:  # surfaced by the main thread
            self.error = "worker %s crashed: %r" % (self.src, e)


class Flooder(threading.Thread):
    """Extra traffic without --wait (consecutive --sequence numbers, answered "pending"), so
    blocks hold more transactions and the kill can land in the middle of a bigger block
    write. These carry no durability promise; they only have to leave the ledger consistent."""

    def __init__(self, node, wallet, address, addrs, seed, stop):
        super().__init__(daemon=True)
        self.node, self.wallet, self.address, self.addrs = node, wallet, address, addrs
        self.rng = random.Random(seed)
        self.stop = stop
        self.accepted = 0
        self.error = None

    def run(self):
        try:
            dsts = list(self.addrs.values())
            while not self.stop.is_set() and self.node.running():
                try:
                    seq = self.node.account(self.address)["sequence"]
                except (OSError, h.TestFailure):
                    return  # the node is going down
                for i in range(10):
                    if self.stop.is_set():
                        return
                    rc, out, err = h.run_cli(
                        "pay", "--wallet", self.wallet, "--to", self.rng.choice(dsts),
                        "--amount", "0.%08d" % self.rng.randint(1, 999), "--sequence",
                        str(seq + 1 + i), node_url=self.node.url)
                    if rc != 0:
                        break  # e.g. the chain was cut by a block; re-read the sequence
                    self.accepted += 1
                time.sleep(0.05)
        except Exception as e:  # surfaced by the main thread
            self.error = "flooder crashed: %r" % (e,)


def check_supply(node, addrs):
    ptr = [a for a in node.assets() if a.get("asset") == "PTR"]
    check(len(ptr) == 1, "/v1/assets has no single PTR entry: %r" % node.assets())
    ptr = ptr[0]
    total = 0
    for name, a in sorted(addrs.items()):
        b = node.balance(a)
        check(b is not None and b >= 0, "%s has PTR balance %r" % (name, b))
        total += b
    issued = h.to_base(ptr["issued"])
    redeemed = h.to_base(ptr.get("redeemed", "0"))
    burned = h.to_base(ptr["burned"])
    check(total + burned == issued - redeemed,
          "PTR does not add up: sum of %d accounts %s + burned %s = %s, but issued %s - "
          "redeemed %s = %s (holders reported: %r)"
          % (len(addrs), h.fmt_base(total), h.fmt_base(burned), h.fmt_base(total + burned),
             h.fmt_base(issued), h.fmt_base(redeemed), h.fmt_base(issued - redeemed),
             ptr.get("holders")))
    if "holders" in ptr:
        check(ptr["holders"] == len(addrs),
              "PTR holders %r but the test knows %d accounts: cannot prove the sum covers all"
              % (ptr["holders"], len(addrs)))
    if "supply" in ptr:
        check(h.to_base(ptr["supply"]) == issued - redeemed - burned,
              "PTR supply %s != issued - redeemed - burned %s"
              % (ptr["supply"], h.fmt_base(issued - redeemed - burned)))


def run():
    seed = int(os.environ.get("PETRO_TEST_SEED") or random.SystemRandom().randint(1, 2**31))
    print("PETRO_TEST_SEED=%d" % seed, flush=True)
    rng = random.Random(seed)

    with h.Node(name="crash") as node:
        node.start()
        # The accounts that exist (some demo wallets, e.g. the officers and the validator,
        # are keys without an account of their own).
        addrs = {}
        for n in h.DEMO_WALLETS:
            a = node.address(n)
            st, _ = node.get("/v1/accounts/" + a)
            check(st in (200, 404), "GET account %s: %d" % (n, st))
            if st == 200:
                addrs[n] = a
        for src in SOURCES:
            check(src in addrs, "source %s has no account at genesis" % src)
            bal = node.balance(addrs[src])
            check(bal is not None and bal >= 100 * h.BASE,
                  "%s has too little PTR for the load: %r" % (src, bal))
        # One more account for the flooder, with a devnet (unencrypted) wallet.
        dave_wallet = os.path.join(node.tmp, "dave.json")
        h.cli_ok(node, "keygen", "--devnet", "--out", dave_wallet)
        dave = node.address(dave_wallet)
        h.cli_ok(node, "create-account", "--wallet", node.wallet("alice"), "--address", dave,
                 "--amount", "500", "--wait")
        addrs["dave"] = dave
        check_supply(node, addrs)

        for rnd in range(1, ROUNDS + 1):
            proxy = h.TxProxy(node.url)
            stop = threading.Event()
            workers = [Worker(node, proxy.url, src, addrs, rng.getrandbits(32), stop)
                       for src in SOURCES]
            workers.append(Flooder(node, dave_wallet, dave, addrs, rng.getrandbits(32), stop))
            try:
                for w in workers:
                    w.start()
                delay = rng.uniform(1.5, 4.0) * h.SLOW
                log("round %d: load running, kill -9 in %.2fs" % (rnd, delay))
                time.sleep(delay)
                for w in workers:
                    check(w.error is None, "round %d: %s" % (rnd, w.error))
                node.kill9()
                stop.set()
                for w in workers:
                    w.join(90 * h.SLOW)
                    check(not w.is_alive(), "round %d: worker %s did not finish"
                          % (rnd, getattr(w, "src", "flooder")))
                    check(w.error is None, "round %d: %s" % (rnd, w.error))
            finally:
                stop.set()
                proxy.close()

            committed = proxy.committed()
            claimed = [x for w in workers[:-1] for x in w.cli_ok]
            log("round %d: %d attempts, %d answered committed by the node, %d by the CLI, "
                "%d more accepted as pending"
                % (rnd, sum(w.attempts for w in workers[:-1]), len(committed), len(claimed),
                   workers[-1].accepted))
            for x in claimed:
                check(x in committed, "round %d: the CLI reported %s committed but the node "
                      "never answered it committed" % (rnd, x))
            check(len(committed) > 0, "round %d: no transaction committed before the kill: "
                  "the test proved nothing" % rnd)

            node.start()
            st = node.status()
            top = max(v for v in committed.values() if v is not None) if any(
                v is not None for v in committed.values()) else 0
            check(st["height"] >= top, "round %d: height %d after restart, but a tx was "
                  "answered committed at height %d" % (rnd, st["height"], top))
            lost = []
            for x, height in sorted(committed.items()):
                status, tx = node.get("/v1/transactions/" + x)
                if status != 200 or not isinstance(tx, dict) or tx.get("status") != "committed":
                    lost.append("%s: answered committed at height %r, now %d %r"
                                % (x, height, status, tx))
                elif height is not None and tx.get("height") != height:
                    lost.append("%s: answered committed at height %r, now at height %r"
                                % (x, height, tx.get("height")))
            check(not lost, "round %d (seed %d): %d of %d committed transactions lost or moved "
                  "after kill -9:\n  %s" % (rnd, seed, len(lost), len(committed),
                                            "\n  ".join(lost[:20])))
            node.wait_mempool_empty()
            node.check_chain()
            check_supply(node, addrs)

            # The node keeps working: the next payment commits.
            out = h.cli_ok(node, "pay", "--wallet", node.wallet("alice"), "--to",
                           addrs["bob"], "--amount", "1", "--wait")
            txh = h.find_hash(out)
            check(txh is not None and node.tx(txh).get("status") == "committed",
                  "round %d: payment after restart did not commit: %s" % (rnd, out))
            check_supply(node, addrs)
            node.check_no_sanitizer_report()
            log("round %d: all %d committed transactions survived" % (rnd, len(committed)))

        rc = node.stop()
        check(rc == 0, "petrod exited with %d on SIGTERM\n%s" % (rc, node.describe()))
        node.check_no_sanitizer_report()


if __name__ == "__main__":
    h.main(run)
