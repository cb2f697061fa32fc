"""Shared harness for the Petro integration tests (standard library only).

Why this exists: every integration test starts real `petrod devnet` processes on 127.0.0.1 and
drives them through the HTTP API and the `petro` CLI. The harness owns the tedious and risky
parts so that each test reads like the scenario it checks:

- free ports (bind to port 0), fresh temporary data directories, and a node that is started
  with its stdout drained by a thread (so it can never block on a full pipe) and waited on
  until it prints "ready";
- clean-up on every path: nodes are killed and temp dirs removed in `finally` blocks and at
  exit, and every child gets PR_SET_PDEATHSIG so that even if the test itself is SIGKILLed
  (ctest timeout) no petrod keeps running;
- HTTP helpers returning (status, json), a CLI runner returning (rc, stdout, stderr),
  exact decimal <-> base-unit conversion (no floats), bech32m addresses, and a recording
  proxy that sits between the CLI and the node (to capture signed transactions, or to record
  exactly what the node answered).

Environment: PETRO_BIN (directory holding petrod and petro), PETRO_SANITIZE (ON when the
binaries are built with ASan/UBSan: timeouts are stretched and sanitizer reports in the node's
stderr fail the test).
"""

import ctypes
import http.client
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

# ------------------------------------------------------------------ configuration

_HERE = os.path.dirname(os.path.abspath(__file__))
_REPO = os.path.dirname(os.path.dirname(_HERE))


def _default_bin():
    for cand in ("build", "build-it"):
        path = os.path.join(_REPO, cand, "bin")
        if os.path.exists(os.path.join(path, "petrod")):
            return path
    return os.path.join(_REPO, "build", "bin")


PETRO_BIN = os.environ.get("PETRO_BIN") or _default_bin()
SANITIZE = os.environ.get("PETRO_SANITIZE", "OFF").upper() in ("ON", "1", "TRUE", "YES")
# Everything is ~3x slower under ASan; scale every timeout by this.
SLOW = 3.0 if SANITIZE else 1.0
PETROD = os.path.join(PETRO_BIN, "petrod")
PETRO = os.path.join(PETRO_BIN, "petro")

DEMO_WALLETS = ("alice", "bob", "bank", "treasury", "treasury-officer-1", "treasury-officer-2",
                "treasury-officer-3", "auditors", "auditor-1", "auditor-2",
                "auditor-3", "oracle-1", "oracle-2", "oracle-3", "zone-authority", "importer",
                "exporter", "inspector-1", "inspector-2", "trade-bank")

BASE = 10 ** 8  # base units per unit of any asset


class TestFailure(Exception):
    """A check failed; the message says what was expected and what was seen."""


def fail(msg):
    raise TestFailure(msg)


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def log(msg):
    print("[%7.2fs] %s" % (time.monotonic() - _T0, msg), flush=True)


_T0 = time.monotonic()

# ------------------------------------------------------------------ child process hygiene

_libc = None
try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - non-glibc systems
    _libc = None


def _child_setup():
    """Runs in the child between fork and exec: die with the parent (PR_SET_PDEATHSIG)."""
    if _libc is not None:
        _libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1


_live_nodes = set()
_live_lock = threading.Lock()


def _kill_all_nodes():
    with _live_lock:
        nodes = list(_live_nodes)
    for n in nodes:
        try:
            n.close()
        except Exception:  # best effort at exit
            pass


def _on_signal(signum, frame):
    _kill_all_nodes()
    sys.stderr.write("test interrupted by signal %d\n" % signum)
    os._exit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)
import atexit  # noqa: E402  (registered after the helpers exist)

atexit.register(_kill_all_nodes)


def _remove_stale_dirs():
    """Temp dirs of earlier test processes that were SIGKILLed (ctest timeout) cannot be
    removed by them; their names carry the owner's pid, so remove those whose owner is gone."""
    base = tempfile.gettempdir()
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        m = re.fullmatch(r"petro-it-[a-z0-9-]+?-(\d+)-[A-Za-z0-9_]+", name)
        if not m or int(m.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)
        except OSError:
            pass


_remove_stale_dirs()

# ------------------------------------------------------------------ small utilities


def free_port():
    """A TCP port that was free a moment ago (bind to port 0 and let the kernel choose)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def closed_port():
    """A port with nothing listening (best effort: freshly released by us)."""
    return free_port()


def to_base(s):
    """Exact decimal string -> integer base units (no floats). Raises ValueError."""
    if not isinstance(s, str):
        raise ValueError("amount is not a string: %r" % (s,))
    m = re.fullmatch(r"(-?)(\d+)(?:\.(\d{1,8}))?", s)
    if not m:
        raise ValueError("not a decimal amount with <= 8 decimals: %r" % s)
    frac = (m.group(3) or "").ljust(8, "0")
    v = int(m.group(2)) * BASE + int(frac)
    return -v if m.group(1) else v


def fmt_base(v):
    """Integer base units -> shortest exact decimal string."""
    sign = "-" if v < 0 else ""
    v = abs(v)
    whole, frac = divmod(v, BASE)
    if frac == 0:
        return "%s%d" % (sign, whole)
    return "%s%d.%s" % (sign, whole, ("%08d" % frac).rstrip("0"))


# ------------------------------------------------------------------ bech32m (BIP-350)

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32M_CONST = 0x2BC830A3


def _polymod(values):
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        b = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def _hrp_expand(hrp):
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def address_from_pubkey(pub, hrp="tptr"):
    """bech32m address of 32 raw public key bytes (docs/protocol.md, Addresses)."""
    data, acc, bits = [], 0, 0
    for b in pub:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    pm = _polymod(_hrp_expand(hrp) + data + [0] * 6) ^ _BECH32M_CONST
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in data + chk)


def random_address(hrp="tptr", rng=None):
    rng = rng or random
    return address_from_pubkey(bytes(rng.getrandbits(8) for _ in range(32)), hrp)


def flip_address_char(addr, pos=None):
    """The address with one data character replaced by another valid bech32 character, so
    that the only thing wrong with it is the checksum."""
    sep = addr.rfind("1")
    if pos is None:
        pos = sep + 1 + (len(addr) - sep - 1) // 2
    c = addr[pos]
    repl = _CHARSET[(_CHARSET.index(c) + 1) % 32]
    return addr[:pos] + repl + addr[pos + 1:]


ADDRESS_RE = re.compile(r"\b(tptr1[%s]{58})\b" % _CHARSET)
HASH_RE = re.compile(r"\b([0-9a-f]{64})\b")

# ------------------------------------------------------------------ HTTP


def http_request(base_url, method, path, body=None, headers=None, timeout=None):
    """One HTTP request. Returns (status, parsed JSON or text, headers dict)."""
    u = urllib.parse.urlsplit(base_url)
    timeout = timeout if timeout is not None else 30 * SLOW
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        rh = {k.lower(): v for k, v in resp.getheaders()}
        text = raw.decode("utf-8", "replace")
        try:
            obj = json.loads(text)
        except ValueError:
            obj = text
        return resp.status, obj, rh
    finally:
        conn.close()


def http_get(base_url, path, timeout=None):
    st, obj, _ = http_request(base_url, "GET", path, timeout=timeout)
    return st, obj


def http_post(base_url, path, body, timeout=None, headers=None):
    st, obj, _ = http_request(base_url, "POST", path, body=body, timeout=timeout,
                              headers=headers)
    return st, obj


def get_ok(base_url, path):
    """GET that must answer 200 with a JSON object."""
    st, obj = http_get(base_url, path)
    check(st == 200 and isinstance(obj, dict),
          "GET %s: expected 200 with a JSON object, got %d %r" % (path, st, obj))
    return obj


# ------------------------------------------------------------------ the node


class Node:
    """One `petrod devnet` process on a fresh (or given) data directory.

    start() blocks until the node printed "ready" and answers /healthz. The data directory
    survives stop()/kill9() so that restart() reuses it; close() removes everything. env: extra
    environment variables of petrod (name -> value; None removes one), like extra_args read at
    every start."""

    def __init__(self, block_interval_ms=None, check_invariants=True, extra_args=(),
                 data_dir=None, name="node", env=None):
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix="petro-it-%s-%d-" % (name, os.getpid()))
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.block_interval_ms = block_interval_ms
        self.check_invariants = check_invariants
        self.extra_args = list(extra_args)
        self.env = dict(env or {})
        self.proc = None
        self.port = None
        self.url = None
        self.stdout_lines = []
        self.starts = 0
        self._ready = threading.Event()
        self._reader = None
        self.stderr_path = None
        with _live_lock:
            _live_nodes.add(self)

    # -------------------------------------------------------------- lifecycle

    def wallet(self, name):
        return os.path.join(self.data_dir, "wallets", name + ".json")

    def _cmd(self, port):
        cmd = [PETROD, "devnet", "--data", self.data_dir, "--http", "127.0.0.1:%d" % port]
        if self.block_interval_ms is not None:
            cmd += ["--block-interval-ms", str(self.block_interval_ms)]
        if self.check_invariants:
            cmd.append("--check-invariants")
        return cmd + self.extra_args

    def start(self, timeout=None):
        check(self.proc is None or self.proc.poll() is not None,
              "%s: start() while the node is still running" % self.name)
        check(os.access(PETROD, os.X_OK), "petrod binary not found at %s (PETRO_BIN=%s)"
              % (PETROD, PETRO_BIN))
        timeout = timeout if timeout is not None else 60 * SLOW
        last_err = None
        for attempt in range(3):  # a picked port can be taken by someone else; retry
            port = free_port()
            self.starts += 1
            self.stderr_path = os.path.join(self.tmp, "petrod-%d.stderr" % self.starts)
            errf = open(self.stderr_path, "wb")
            self.stdout_lines = []
            self._ready = threading.Event()
            env = dict(os.environ)
            for k, v in self.env.items():
                if v is None:
                    env.pop(k, None)
                else:
                    env[k] = v
            if SANITIZE:
                env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
                env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
            cmd = self._cmd(port)
            log("%s: starting %s" % (self.name, " ".join(cmd)))
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf,
                                         stdin=subprocess.DEVNULL, env=env,
                                         preexec_fn=_child_setup)
            errf.close()
            self._reader = threading.Thread(target=self._drain, args=(self.proc,), daemon=True)
            self._reader.start()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self._ready.wait(0.05):
                    break
                if self.proc.poll() is not None:
                    break
            if self._ready.is_set():
                self.port = port
                self.url = "http://127.0.0.1:%d" % port
                self._wait_healthy(deadline)
                log("%s: ready at %s (pid %d)" % (self.name, self.url, self.proc.pid))
                return self
            rc = self.proc.poll()
            if rc is None:
                self._hard_kill()
                fail("%s: petrod did not print 'ready' within %.0fs.\n%s"
                     % (self.name, timeout, self.describe()))
            last_err = "%s: petrod exited with %d before 'ready'.\n%s" % (
                self.name, rc, self.describe())
            if "in use" not in self.stderr_text().lower():
                break
        fail(last_err)

    def _drain(self, proc):
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.stdout_lines.append(line)
            if line.strip() == "ready":
                self._ready.set()
        proc.stdout.close()

    def _wait_healthy(self, deadline):
        last = None
        while time.monotonic() < deadline:
            try:
                st, body = http_get(self.url, "/healthz", timeout=5 * SLOW)
                if st == 200:
                    return
                last = "%d %r" % (st, body)
            except OSError as e:
                last = repr(e)
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        fail("%s: printed 'ready' but /healthz never answered 200 (last: %s).\n%s"
             % (self.name, last, self.describe()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=None):
        """SIGTERM and wait for a clean exit. Returns the exit code."""
        check(self.running(), "%s: stop() but the node is not running" % self.name)
        timeout = timeout if timeout is not None else 30 * SLOW
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._hard_kill()
            fail("%s: petrod did not exit within %.0fs of SIGTERM.\n%s"
                 % (self.name, timeout, self.describe()))
        self._join_reader()
        log("%s: stopped with SIGTERM, exit code %d" % (self.name, rc))
        return rc

    def kill9(self):
        """SIGKILL: no chance to flush or close anything."""
        check(self.running(), "%s: kill9() but the node is not running" % self.name)
        self._hard_kill()
        log("%s: killed with SIGKILL" % self.name)

    def _hard_kill(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
        self._join_reader()

    def _join_reader(self):
        if self._reader is not None:
            self._reader.join(5)
            self._reader = None

    def restart(self, timeout=None):
        if self.running():
            self.stop()
        return self.start(timeout)

    def close(self):
        """Kill the process if it still runs and remove the temp dir. Idempotent."""
        self._hard_kill()
        with _live_lock:
            _live_nodes.discard(self)
        if self.tmp and os.path.isdir(self.tmp):
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -------------------------------------------------------------- diagnostics

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def describe(self, lines=40):
        out = "\n".join(self.stdout_lines[-lines:])
        err = "\n".join(self.stderr_text().splitlines()[-lines:])
        return ("--- %s stdout (last %d lines) ---\n%s\n--- %s stderr (last %d lines) ---\n%s"
                % (self.name, lines, out, self.name, lines, err))

    def sanitizer_report(self):
        """The sanitizer report in the current stderr file, if any."""
        text = self.stderr_text()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                       "ERROR: ThreadSanitizer", "INVARIANT VIOLATED"):
            i = text.find(marker)
            if i >= 0:
                return text[max(0, i - 200):i + 4000]
        return None

    def check_no_sanitizer_report(self):
        rep = self.sanitizer_report()
        check(rep is None, "%s: sanitizer report in petrod stderr:\n%s" % (self.name, rep))

    # -------------------------------------------------------------- API shortcuts

    def get(self, path):
        return http_get(self.url, path)

    def post(self, path, body):
        return http_post(self.url, path, body)

    def status(self):
        return get_ok(self.url, "/v1/status")

    def account(self, address):
        return get_ok(self.url, "/v1/accounts/" + address)

    def balance(self, address, asset="PTR"):
        """Balance in base units; None when the account has no such balance line."""
        acct = self.account(address)
        for b in acct.get("balances", []):
            if b.get("asset") == asset:
                return to_base(b["balance"])
        return None

    def tx(self, hash_hex):
        return get_ok(self.url, "/v1/transactions/" + hash_hex)

    def history(self, address):
        """Hashes of the account's history (GET /v1/accounts/{address}/transactions), every
        page, newest first."""
        hashes, cursor = [], None
        while True:
            path = "/v1/accounts/%s/transactions?limit=200" % address
            if cursor is not None:
                path += "&cursor=%s" % cursor
            body = get_ok(self.url, path)
            hashes += [t["hash"] for t in body["transactions"]]
            cursor = body["next_cursor"]
            if cursor is None:
                return hashes

    def check_in_history(self, address, tx_hash, who):
        """The account's history lists tx_hash exactly once."""
        hashes = self.history(address)
        check(hashes.count(tx_hash) == 1, "%s's history should list %s exactly once: %r"
              % (who, tx_hash, hashes))

    def assets(self):
        obj = get_ok(self.url, "/v1/assets")
        check(isinstance(obj.get("assets"), list), "/v1/assets: no 'assets' list: %r" % obj)
        return obj["assets"]

    def check_chain(self):
        """Every block links to the previous one and the tip matches /v1/status: what a torn
        or half-recovered write would break. Returns the status."""
        st = self.status()
        prev = None
        for height in range(0, st["height"] + 1):
            blk = get_ok(self.url, "/v1/blocks/%d" % height)
            check(blk.get("height") == height, "/v1/blocks/%d answered height %r"
                  % (height, blk.get("height")))
            if prev is not None:
                check(blk.get("prev_hash") == prev["hash"],
                      "block %d prev_hash %s != hash of block %d %s"
                      % (height, blk.get("prev_hash"), height - 1, prev["hash"]))
                check(blk.get("timestamp_ms", 0) >= prev.get("timestamp_ms", 0),
                      "block %d timestamp goes backwards" % height)
            prev = blk
        check(prev["hash"] == st["latest_block_hash"] and prev["state_hash"] == st["state_hash"],
              "tip block %r does not match /v1/status %r" % (prev, st))
        return st

    def wait_mempool_empty(self, timeout=None):
        timeout = timeout if timeout is not None else 30 * SLOW
        deadline = time.monotonic() + timeout
        st = self.status()
        while st.get("mempool_size", 0) and time.monotonic() < deadline:
            time.sleep(0.05)
            st = self.status()
        check(not st.get("mempool_size", 0),
              "%s: mempool still holds %r txs after %.0fs" % (self.name, st.get("mempool_size"),
                                                             timeout))
        return st

    # -------------------------------------------------------------- CLI shortcuts

    def cli(self, *args, **kw):
        kw.setdefault("node_url", self.url)
        return run_cli(*args, **kw)

    def address(self, wallet_name_or_path, passphrase=None):
        path = wallet_name_or_path
        if os.sep not in path:
            path = self.wallet(path)
        return wallet_address(path, passphrase=passphrase, node_url=self.url)


# ------------------------------------------------------------------ the CLI


# The fixed ports of docs/operations.md's cluster walk-through (scripts/cluster's defaults: APIs
# 8431..8433, etcd clients 23791..23793, peers 23891..23893), which docs.operations runs as
# written: a test that picks ports for its own cluster never takes these.
DOC_CLUSTER_PORTS = frozenset(list(range(8431, 8434)) + list(range(23791, 23794))
                              + list(range(23891, 23894)))


def ports_free(ports):
    """Whether every TCP port in ports can be bound on 127.0.0.1 now (and none is one of the
    doc's fixed cluster ports, DOC_CLUSTER_PORTS)."""
    if DOC_CLUSTER_PORTS.intersection(ports):
        return False
    for p in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            return False
        finally:
            s.close()
    return True


def run_petrod(*args):
    """Run petrod to completion, as for a start-up that must refuse (it exits at once), with
    the sanitizer options of the build; returns (rc, stdout, stderr)."""
    env = dict(os.environ)
    if SANITIZE:
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    cmd = [PETROD] + list(args)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60 * SLOW, env=env,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        fail("%s did not exit (it should refuse at start-up): %s" % (" ".join(cmd), e))
    return p.returncode, p.stdout, p.stderr


def run_cli(*args, node_url=None, env=None, timeout=None, input_text=None):
    """Run `petro ARGS...` with PETRO_NODE set. Returns (rc, stdout, stderr)."""
    check(os.access(PETRO, os.X_OK), "petro CLI binary not found at %s (PETRO_BIN=%s)"
          % (PETRO, PETRO_BIN))
    e = dict(os.environ)
    e.pop("PETRO_PASSPHRASE", None)
    if node_url is not None:
        e["PETRO_NODE"] = node_url
    if SANITIZE:
        e.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    e.update(env or {})
    timeout = timeout if timeout is not None else 60 * SLOW
    cmd = [PETRO] + [str(a) for a in args]
    try:
        p = subprocess.run(cmd, capture_output=True, env=e, timeout=timeout,
                           input=(input_text or "").encode())
    except subprocess.TimeoutExpired:
        fail("CLI timed out after %.0fs: %s" % (timeout, fmt_cmd(cmd)))
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if SANITIZE:
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            check(marker not in err, "sanitizer report from the CLI for %s:\n%s"
                  % (fmt_cmd(cmd), err))
    return p.returncode, out, err


def fmt_cmd(cmd):
    return " ".join(str(c) for c in cmd)


def describe_cli(args, rc, out, err):
    return "command: petro %s\nexit code: %d\nstdout:\n%s\nstderr:\n%s" % (
        fmt_cmd(args), rc, out.rstrip(), err.rstrip())


def cli_ok(node, *args, **kw):
    """Run the CLI and require exit 0. Returns stdout."""
    rc, out, err = node.cli(*args, **kw)
    check(rc == 0, "CLI failed (expected exit 0)\n" + describe_cli(args, rc, out, err))
    return out


def cli_json(node, *args, **kw):
    """Run the CLI with --json, require exit 0 and a JSON document on stdout."""
    args = tuple(args) + ("--json",)
    out = cli_ok(node, *args, **kw)
    try:
        return json.loads(out)
    except ValueError as e:
        fail("--json output is not JSON (%s)\n%s" % (e, describe_cli(args, 0, out, "")))


def wallet_address(path, passphrase=None, node_url=None):
    """The address of a wallet file, via `petro address --wallet PATH`."""
    env = {"PETRO_PASSPHRASE": passphrase} if passphrase is not None else None
    args = ("address", "--wallet", path)
    rc, out, err = run_cli(*args, node_url=node_url, env=env)
    check(rc == 0, "could not read wallet address\n" + describe_cli(args, rc, out, err))
    m = ADDRESS_RE.search(out)
    check(m is not None, "no tptr1 address in the output of petro address\n"
          + describe_cli(args, rc, out, err))
    return m.group(1)


def find_hash(text):
    m = HASH_RE.search(text)
    return m.group(1) if m else None


# ------------------------------------------------------------------ recording proxy


class TxProxy:
    """An HTTP proxy between the CLI and a node.

    Every request is forwarded to the node unchanged and its answer returned, except that in
    capture mode POST /v1/transactions is NOT forwarded: the signed envelope is recorded and
    the client gets 503 `unavailable`. In both modes every POST /v1/transactions body and every
    answer the node gave (POST or GET /v1/transactions/..) is recorded, so a test knows exactly
    which transactions the node answered "committed"."""

    def __init__(self, target_url, capture=False):
        self.target = target_url
        self.capture = capture
        self.lock = threading.Lock()
        self.submitted = []   # tx hex strings, in arrival order
        self.answers = []     # (method, path, status, json) from the node
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _relay(self, method):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                path = self.path
                if method == "POST" and urllib.parse.urlsplit(path).path == "/v1/transactions":
                    try:
                        tx = json.loads(body.decode()).get("tx")
                    except (ValueError, AttributeError):
                        tx = None
                    with proxy.lock:
                        proxy.submitted.append(tx)
                    if proxy.capture:
                        return self._answer(503, {"error": "unavailable",
                                                  "message": "captured by the test proxy"})
                hdrs = {}
                if self.headers.get("Content-Type"):
                    hdrs["Content-Type"] = self.headers["Content-Type"]
                try:
                    st, obj, _ = http_request(proxy.target, method, path, body=body,
                                              headers=hdrs, timeout=60 * SLOW)
                except OSError as e:
                    return self._answer(502, {"error": "unavailable",
                                              "message": "node unreachable: %s" % e})
                if urllib.parse.urlsplit(path).path.startswith("/v1/transactions"):
                    with proxy.lock:
                        proxy.answers.append((method, path, st, obj))
                return self._answer(st, obj)

            def _answer(self, st, obj):
                data = (json.dumps(obj) if not isinstance(obj, str) else obj).encode()
                self.send_response(st)
                self.send_header("Content-Type", "application/json" if not isinstance(obj, str)
                                 else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._relay("GET")

            def do_POST(self):
                self._relay("POST")

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def committed(self):
        """{hash: height} of every transaction the node answered as committed."""
        out = {}
        with self.lock:
            for method, path, st, obj in self.answers:
                if st == 200 and isinstance(obj, dict) and obj.get("status") == "committed" \
                        and isinstance(obj.get("hash"), str):
                    out[obj["hash"]] = obj.get("height")
        return out

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def capture_tx(node, *cli_args, env=None):
    """Let the CLI build and sign a transaction without submitting it. Returns its hex."""
    proxy = TxProxy(node.url, capture=True)
    try:
        rc, out, err = run_cli(*cli_args, node_url=proxy.url, env=env)
        with proxy.lock:
            txs = [t for t in proxy.submitted if t]
        check(len(txs) == 1, "capturing a signed tx: expected the CLI to POST exactly one tx, "
              "got %d\n%s" % (len(txs), describe_cli(cli_args, rc, out, err)))
        return txs[0]
    finally:
        proxy.close()


# ------------------------------------------------------------------ SSE


class SseReader:
    """A raw-socket reader for GET /v1/events (text/event-stream, possibly chunked)."""

    def __init__(self, base_url, timeout=None):
        u = urllib.parse.urlsplit(base_url)
        self.timeout = timeout or 20 * SLOW
        self.sock = socket.create_connection((u.hostname, u.port), timeout=self.timeout)
        self.sock.sendall(("GET /v1/events HTTP/1.1\r\nHost: %s:%d\r\n"
                           "Accept: text/event-stream\r\n\r\n" % (u.hostname, u.port)).encode())
        self.buf = b""
        self.text = ""
        self.status_line = None
        self.headers = {}
        self.chunked = False

    def read_head(self, timeout=None):
        """Read the status line and headers. Some servers send them only with the first
        event: a socket.timeout here leaves the buffer intact, so it can be called again."""
        if self.status_line is not None:
            return True
        self.sock.settimeout(timeout or self.timeout)
        try:
            head = self._read_until(b"\r\n\r\n")
        finally:
            self.sock.settimeout(self.timeout)
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        for ln in lines[1:]:
            if ":" in ln:
                k, v = ln.split(":", 1)
                self.headers[k.strip().lower()] = v.strip()
        self.chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
        return True

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("event stream closed by the node")
        self.buf += data

    def _read_until(self, sep):
        while sep not in self.buf:
            self._recv()
        i = self.buf.index(sep)
        out, self.buf = self.buf[:i], self.buf[i + len(sep):]
        return out

    def _read_exact(self, n):
        while len(self.buf) < n:
            self._recv()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _more_text(self):
        if self.chunked:
            size_line = self._read_until(b"\r\n").split(b";")[0].strip()
            size = int(size_line or b"0", 16)
            if size == 0:
                raise EOFError("event stream ended (last chunk)")
            data = self._read_exact(size)
            self._read_until(b"\r\n")
        else:
            if not self.buf:
                self._recv()
            data, self.buf = self.buf, b""
        self.text += data.decode("utf-8", "replace").replace("\r\n", "\n")

    def next_event(self):
        """Blocks (socket timeout) for the next event. Returns (event name, data string)."""
        self.read_head()
        while True:
            while "\n\n" not in self.text:
                self._more_text()
            block, self.text = self.text.split("\n\n", 1)
            name, data = "message", []
            for ln in block.split("\n"):
                if ln.startswith(":"):
                    continue  # a comment (keep-alive)
                if ln.startswith("event:"):
                    name = ln[6:].strip()
                elif ln.startswith("data:"):
                    data.append(ln[6:] if ln[5:6] == " " else ln[5:])
            if data:  # a block without data (retry:, comments) dispatches nothing
                return name, "\n".join(data)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ------------------------------------------------------------------ test entry point


def main(test_fn):
    """Run test_fn() with uniform reporting: exit 0 on success, 1 with the failure message."""
    log("PETRO_BIN=%s PETRO_SANITIZE=%s" % (PETRO_BIN, "ON" if SANITIZE else "OFF"))
    code = 0
    try:
        test_fn()
        log("PASS")
    except TestFailure as e:
        print("FAIL: %s" % e, flush=True)
        code = 1
    except Exception:  # an unexpected error is a failure with its traceback
        print("FAIL: unexpected error\n%s" % traceback.format_exc(), flush=True)
        code = 1
    finally:
        _kill_all_nodes()
    sys.exit(code)
