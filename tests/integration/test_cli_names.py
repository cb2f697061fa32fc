"""Wallet names, saved settings, exit statuses, JSON errors and an interrupted wait (issue #18).

Why: a newcomer typed devnet/wallets/alice.json and 63-character addresses in every command,
and --node on each of them; scripts could not tell an unreachable node from a refusal, and
with --json an error was still a text line; Ctrl-C during --wait exited silently, leaving no
hash, and sending the transaction again said duplicate_tx though it was pending.

The test, on real devnets:
1. names: from ./devnet/wallets (the default, next to a devnet), from PETRO_WALLETS and from
   the saved `wallets` setting, for --wallet, --to, an asset's issuer and balance's ADDRESS;
   an encrypted wallet's address by name without its passphrase; paths and addresses work as
   before; a name that resolves nowhere exits 2 saying where it looked;
2. settings: `petro config set/get/unset/show`, the file written 0600 under XDG_CONFIG_HOME
   (else ~/.config), and the precedence --node > PETRO_NODE > saved node; a damaged file
   stops commands with exit 2;
3. an unreachable node (closed port, unknown host) exits 3, for queries and transactions;
4. with --json an error is one JSON object on stdout (error, message, exit), nothing on stderr;
5. on a node that cuts a block only every hour, Ctrl-C during `pay --wait` on a terminal: the
   hash and the elapsed time were shown, the hash and `petro tx HASH` are printed, exit 4, the
   transaction is pending; sending the same transaction again (same --sequence) says it is
   already pending (exit 4), not duplicate_tx.
"""

import json
import os
import pty
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, log  # noqa: E402

EXIT_FAILED, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_PENDING = 1, 2, 3, 4
PASSPHRASE = "names test passphrase"


class Cli:
    """petro in a given working directory and HOME, with only the environment given (no
    PETRO_NODE unless set)."""

    def __init__(self, cwd, home):
        self.cwd, self.home = cwd, home

    def env(self, extra):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("PETRO_") and k != "XDG_CONFIG_HOME"}
        e["HOME"] = self.home
        if h.SANITIZE:
            e.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        e.update(extra or {})
        return e

    def run(self, *args, env=None):
        cmd = [h.PETRO] + [str(a) for a in args]
        p = subprocess.run(cmd, capture_output=True, cwd=self.cwd, env=self.env(env),
                           stdin=subprocess.DEVNULL, timeout=60 * h.SLOW)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def ok(self, *args, env=None):
        rc, out, err = self.run(*args, env=env)
        check(rc == 0, "expected exit 0\n" + h.describe_cli(args, rc, out, err))
        return out

    def fails(self, status, *args, env=None, says=()):
        rc, out, err = self.run(*args, env=env)
        check(rc == status and all(s in err for s in says),
              "expected exit %d saying %r\n%s" % (status, says, h.describe_cli(args, rc, out, err)))
        return err


def check_names(node, tmp):
    """Part 1."""
    work = os.path.join(tmp, "work")  # looks like the clone after `make run`
    os.makedirs(work)
    os.symlink(node.data_dir, os.path.join(work, "devnet"))
    home = os.path.join(tmp, "home")
    os.makedirs(home)
    cli, url = Cli(work, home), {"PETRO_NODE": node.url}
    alice, bob, bank = node.address("alice"), node.address("bob"), node.address("bank")

    check(cli.ok("address", "--wallet", "alice", env=url).strip() == alice, "address of alice")
    before = node.balance(bob)
    cli.ok("pay", "--wallet", "alice", "--to", "bob", "--amount", "1.5", "--wait", env=url)
    check(node.balance(bob) == before + 150000000, "alice paid bob by name")
    check("PTR" in cli.ok("balance", "bob", env=url), "balance NAME")
    # An asset's issuer by name: the preflight names the resolved asset.
    err = cli.fails(EXIT_FAILED, "pay", "--wallet", "alice", "--to", "bob", "--asset",
                    "USD:bank", "--amount", "1", env=url, says=("(no_trust)",))
    check(bank in err, "USD:bank is USD:%s: %s" % (bank, err))
    # Paths and addresses as before.
    cli.ok("pay", "--wallet", node.wallet("alice"), "--to", bob, "--amount", "1", "--wait",
           env=url)
    cli.ok("pay", "--wallet", "devnet/wallets/bob.json", "--to", "devnet/wallets/alice.json",
           "--amount", "1", "--wait", env=url)
    # A name that resolves nowhere: exit 2, where it looked.
    cli.fails(EXIT_USAGE, "pay", "--wallet", "alice", "--to", "carl", "--amount", "1", env=url,
              says=("--to carl", "devnet/wallets/carl.json"))
    cli.fails(EXIT_USAGE, "pay", "--wallet", "nobody", "--to", "bob", "--amount", "1", env=url,
              says=("--wallet nobody", "devnet/wallets/nobody.json"))
    cli.fails(EXIT_USAGE, "balance", "tptr1qqqq", env=url, says=("tptr1qqqq",))

    # PETRO_WALLETS, from a directory without ./devnet: an encrypted wallet's address by name,
    # no passphrase asked (stdin is not a terminal and PETRO_PASSPHRASE is not set).
    elsewhere = os.path.join(tmp, "elsewhere")
    wallets = os.path.join(tmp, "wallets")
    os.makedirs(elsewhere)
    os.makedirs(wallets)
    shutil.copy(node.wallet("alice"), wallets)
    out = cli.ok("keygen", "--out", os.path.join(wallets, "carol.json"),
                 env=dict(url, PETRO_PASSPHRASE=PASSPHRASE))
    carol = out.strip()
    away = Cli(elsewhere, home)
    env = dict(url, PETRO_WALLETS=wallets)
    away.ok("create-account", "--wallet", "alice", "--address", "carol", "--amount", "10",
            "--wait", env=env)
    check(node.account(carol)["address"] == carol, "carol's account, created by name")
    away.fails(EXIT_USAGE, "pay", "--wallet", "alice", "--to", "bob", "--amount", "1", env=env,
               says=("--to bob", os.path.join(wallets, "bob.json"), "PETRO_WALLETS"))
    away.fails(EXIT_USAGE, "pay", "--wallet", "alice", "--to", bob, "--amount", "1", env=url,
               says=("--wallet alice", "no wallet directory"))
    log("names: ./devnet/wallets, PETRO_WALLETS, an encrypted wallet's address by name")
    return away, wallets


def check_settings(node, tmp, away, wallets):
    """Part 2. away: a petro run where names need a wallet directory."""
    closed = "http://127.0.0.1:%d" % h.closed_port()
    config = os.path.join(away.home, ".config", "petro", "config.json")
    away.fails(EXIT_FAILED, "config", "get", "node", says=("node is not set",))
    away.ok("config", "set", "node", node.url + "/")
    check(stat.S_IMODE(os.stat(config).st_mode) == 0o600, "config.json is not 0600")
    with open(config) as f:
        check(json.load(f) == {"node": node.url}, "config.json: %s" % open(config).read())
    check(away.ok("config", "get", "node").strip() == node.url, "config get node")
    # Precedence: --node > PETRO_NODE > the saved node.
    check(json.loads(away.ok("status", "--json"))["height"] >= 0, "the saved node is used")
    away.fails(EXIT_UNREACHABLE, "status", env={"PETRO_NODE": closed}, says=(closed,))
    away.ok("status", "--node", node.url, env={"PETRO_NODE": closed})
    shown = json.loads(away.ok("config", "show", "--json", env={"PETRO_NODE": closed}))
    check(shown["node"] == closed and shown["node_from"] == "PETRO_NODE", "show: %r" % shown)
    # The saved wallet directory.
    away.fails(EXIT_USAGE, "address", "--wallet", "alice", says=("no wallet directory",))
    away.ok("config", "set", "wallets", wallets)
    check(away.ok("address", "--wallet", "alice").strip() == node.address("alice"),
          "a name from the saved wallet directory")
    out = away.ok("config", "show")
    check("saved with petro config set" in out and wallets in out, "config show:\n" + out)
    away.ok("config", "unset", "wallets")
    away.fails(EXIT_FAILED, "config", "get", "wallets")
    away.fails(EXIT_USAGE, "config", "set", "node", "ftp://x")
    away.fails(EXIT_USAGE, "config", "set", "colour", "red")
    # XDG_CONFIG_HOME moves the file; nothing saved there yet: the default node.
    xdg = os.path.join(tmp, "xdg")
    shown = json.loads(away.ok("config", "show", "--json", env={"XDG_CONFIG_HOME": xdg}))
    check(shown["node_from"] == "default" and shown["file"].startswith(xdg), "xdg: %r" % shown)
    away.ok("config", "set", "node", closed, env={"XDG_CONFIG_HOME": xdg})
    check(os.path.exists(os.path.join(xdg, "petro", "config.json")), "the file under XDG")
    away.fails(EXIT_UNREACHABLE, "status", env={"XDG_CONFIG_HOME": xdg})
    # A damaged file stops commands (not `petro config`).
    with open(config, "w") as f:
        f.write("{damaged")
    away.fails(EXIT_USAGE, "status", says=("settings file", config))
    away.fails(EXIT_FAILED, "config", "show", says=(config,))
    os.unlink(config)
    log("settings: set/get/unset/show, 0600, --node > PETRO_NODE > saved > default")


def check_exits_and_json(node, away):
    """Parts 3 and 4."""
    closed = {"PETRO_NODE": "http://127.0.0.1:%d" % h.closed_port()}
    alice = node.address("alice")
    wallet = node.wallet("alice")
    for args in (("status",), ("balance", alice), ("block", "latest"),
                 ("pay", "--wallet", wallet, "--to", alice, "--amount", "1")):
        away.fails(EXIT_UNREACHABLE, *args, env=closed, says=("node unreachable",))
    away.fails(EXIT_UNREACHABLE, "status", env={"PETRO_NODE": "http://no-such-host.invalid:1"})
    url = {"PETRO_NODE": node.url}
    cases = (
        (("status",), closed, EXIT_UNREACHABLE, "unreachable"),
        (("pay", "--wallet", wallet, "--to", "carl", "--amount", "1"), url, EXIT_USAGE, "usage"),
        (("pay", "--wallet", wallet, "--to", alice, "--amount", "1"), url, EXIT_FAILED,
         "self_not_allowed"),
        (("frobnicate",), url, EXIT_USAGE, "usage"),
    )
    for args, env, status, name in cases:
        rc, out, err = away.run(*(args + ("--json",)), env=env)
        try:
            obj = json.loads(out)
        except ValueError:
            obj = None
        check(rc == status and err == "" and isinstance(obj, dict) and obj.get("exit") == status
              and obj.get("error") == name and obj.get("message"),
              "--json error object %s/%d\n%s" % (name, status,
                                                  h.describe_cli(args, rc, out, err)))
    log("exit 3 when unreachable; --json errors are JSON objects")


def run_on_terminal(args, env, interrupt_after):
    """petro ARGS with stderr on a pseudo-terminal; SIGINT once stderr shows interrupt_after.
    Returns (rc, stdout, stderr as the terminal showed it)."""
    master, slave = pty.openpty()
    e = {k: v for k, v in os.environ.items() if not k.startswith("PETRO_")}
    e.update(env)
    p = subprocess.Popen([h.PETRO] + list(args), stdout=subprocess.PIPE, stderr=slave,
                         stdin=subprocess.DEVNULL, env=e)
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + 30 * h.SLOW
    sent = False
    while True:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                chunk = b""
            if not chunk and p.poll() is not None:
                break
            shown += chunk
        elif p.poll() is not None:
            break
        if not sent and interrupt_after in shown:
            p.send_signal(signal.SIGINT)
            sent = True
        if time.monotonic() > deadline:
            p.kill()
            h.fail("petro did not end after SIGINT; the terminal showed:\n%r" % shown)
    out = p.stdout.read().decode()
    p.wait()
    os.close(master)
    return p.returncode, out, shown.decode(errors="replace")


def check_interrupted_wait():
    """Part 5."""
    with h.Node(name="names-pending", block_interval_ms=3600000) as node:
        node.start()
        args = ["pay", "--wallet", node.wallet("alice"), "--to", node.address("bob"),
                "--amount", "1", "--sequence", "1"]
        env = {"PETRO_NODE": node.url}
        rc, out, shown = run_on_terminal(args + ["--wait"], env, b"waiting for commit... 1 s")
        tx_hash = h.find_hash(out)
        check(rc == EXIT_PENDING and tx_hash is not None and "pending" in out and
              ("submitted %s; waiting for commit... 0 s" % tx_hash) in shown and
              ("petro tx %s" % tx_hash) in shown,
              "Ctrl-C during --wait: expected exit 4, the hash and petro tx HASH; got %d\n"
              "stdout:\n%s\nterminal:\n%s" % (rc, out, shown))
        check(node.tx(tx_hash)["status"] == "pending", "the interrupted one is pending")
        log("Ctrl-C: %s" % shown.strip().splitlines()[-1])
        rc, out, err = node.cli(*args)
        check(rc == EXIT_PENDING and tx_hash in out and "already pending" in err and
              "duplicate_tx" not in err,
              "the same transaction again: expected already pending (exit 4)\n"
              + h.describe_cli(args, rc, out, err))
        log("again: %s" % err.strip())
        check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())


def run():
    tmp = tempfile.mkdtemp(prefix="petro-it-names-")
    try:
        with h.Node(name="names") as node:
            node.start()
            away, wallets = check_names(node, tmp)
            check_settings(node, tmp, away, wallets)
            check_exits_and_json(node, away)
            check(node.stop() == 0, "petrod exit on SIGTERM\n" + node.describe())
        check_interrupted_wait()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    h.main(run)
