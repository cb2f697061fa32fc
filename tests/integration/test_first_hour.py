"""The first hour: a busy port or a member that dies at start-up is one clear message, at once,
with nothing left behind; the cluster walk-through kills the node that leads (issue #18).

Why: a newcomer's second `make run` (the first still running), or a port some other program
holds, used to create ./devnet first and then fail with "storage I/O error"; `scripts/cluster
up` with a busy etcd port waited about 87 s, left three petrods running and hid the cause in
etcd<i>.log; docs/operations.md's "kill the leader" step killed node3 whichever node led.

1. petrod devnet and petrod run with --http on a port held by a Python listener (IPv4, and
   IPv6 where ::1 exists), and on the port of a running petrod devnet: exit status 1, exactly
   one stderr line "petrod: cannot listen on HOST:PORT: address already in use (another
   petrod? stop it or choose --http HOST:PORT)", no "storage I/O error"; a fresh --data path
   is not created (nor a DIR.tmp-XXXXXX next to it), an existing devnet is left as it is
   (same files, sizes, modes and mtimes).
2. scripts/cluster up with one etcd client port, one etcd peer port or one petrod API port in
   use: exits 1 within 20 s, names the member that exited with its status, shows the end of
   its log (the bind error), and no etcd or petrod of the cluster's directory is left running
   (pgrep -f DIR, pid files). With the ports free again, up on the same directory works.
3. The walk-through of docs/operations.md ("A local 3-validator cluster"), run as written on
   other ports: the node it kills is the one /v1/status named leader just before, and the
   payment after the kill commits through another node.

Needs the etcd binary (Debian etcd-server, installed by scripts/install-deps).
"""

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, log  # noqa: E402

ETCD = shutil.which("etcd") or "/usr/bin/etcd"
CLUSTER = os.path.join(h._REPO, "scripts", "cluster")
OPERATIONS_MD = os.path.join(h._REPO, "docs", "operations.md")
BUSY_HINT = "address already in use (another petrod? stop it or choose --http HOST:PORT)"
CLUSTER_FAIL_S = 20


def busy_line(addr):
    return "petrod: cannot listen on %s: %s" % (addr, BUSY_HINT)


def listener(family=socket.AF_INET, host="127.0.0.1", port=0):
    """A socket listening on host:port (0: any free port); the caller closes it."""
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((host, port))
    s.listen(1)
    return s


def petrod(*args):
    """Run petrod to completion (a refusal exits at once); returns (rc, stdout, stderr)."""
    cmd = [h.PETROD] + list(args)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30 * h.SLOW,
                           stdin=subprocess.DEVNULL, preexec_fn=h._child_setup)
    except subprocess.TimeoutExpired as e:
        h.fail("%s did not exit (a busy port must end start-up at once): %s"
               % (" ".join(cmd), e))
    return p.returncode, p.stdout, p.stderr


def snapshot(root):
    """Every path under root with its type, size, mode and mtime (nanoseconds)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            out[os.path.relpath(path, root)] = (st.st_mode, st.st_size, st.st_mtime_ns)
    st = os.lstat(root)
    out["."] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def check_refused(what, rc, out, err, addr):
    lines = err.splitlines()
    check(rc == 1, "%s: exit status %d, expected 1\nstderr: %s" % (what, rc, err))
    check(lines == [busy_line(addr)],
          "%s: stderr is not exactly the one line %r:\n%s" % (what, busy_line(addr), err))
    check("storage I/O error" not in out + err, "%s: a spurious storage I/O error" % what)


def check_fresh_path_refused(mode, work, addr, name):
    data = os.path.join(work, name)
    rc, out, err = petrod(mode, "--data", data, "--http", addr)
    check_refused("petrod %s --data %s --http %s" % (mode, name, addr), rc, out, err, addr)
    check(not os.path.lexists(data), "petrod %s created %s although it cannot listen"
          % (mode, data))
    left = [n for n in os.listdir(work) if n.startswith(name)]
    check(left == [], "petrod %s left %s next to the data path" % (mode, left))


def check_existing_untouched(node, addr):
    before = snapshot(node.data_dir)
    for mode in ("devnet", "run"):
        rc, out, err = petrod(mode, "--data", node.data_dir, "--http", addr)
        check_refused("petrod %s on an existing devnet, --http %s" % (mode, addr), rc, out,
                      err, addr)
        after = snapshot(node.data_dir)
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        check(not changed, "petrod %s with a busy port changed the devnet: %s" % (mode, changed))


def petrod_cases(work):
    s = listener()
    try:
        addr = "127.0.0.1:%d" % s.getsockname()[1]
        check_fresh_path_refused("devnet", work, addr, "devnet")
        check_fresh_path_refused("run", work, addr, "none")
        log("a busy %s: one line, exit 1, no data directory" % addr)
    finally:
        s.close()
    try:
        s6 = listener(socket.AF_INET6, "::1")
    except OSError as e:
        log("no IPv6 loopback here (%s): the [::1] case is skipped" % e)
    else:
        try:
            addr6 = "[::1]:%d" % s6.getsockname()[1]
            check_fresh_path_refused("devnet", work, addr6, "devnet6")
            log("a busy %s: one line, exit 1, no data directory" % addr6)
        finally:
            s6.close()

    node = h.Node(name="first-hour")
    try:
        node.start()
        # The second `make run` while the first runs: the port of a live petrod.
        addr = "127.0.0.1:%d" % node.port
        check_fresh_path_refused("devnet", work, addr, "second")
        check(node.stop() == 0, "the devnet did not stop cleanly\n%s" % node.describe())
        s = listener()
        try:
            check_existing_untouched(node, "127.0.0.1:%d" % s.getsockname()[1])
        finally:
            s.close()
        node.start()  # and it still runs
        check(node.stop() == 0, "the devnet did not stop cleanly after the refusals")
        node.check_no_sanitizer_report()
        log("an existing devnet is left as it is when the port is busy")
    finally:
        node.close()


# ------------------------------------------------------------------ scripts/cluster


def pick_ports():
    rng = random.Random()
    for _ in range(100):
        api_base = rng.randint(20000, 29000)
        etcd_base = rng.randint(30000, 39000)
        ports = [api_base + i for i in range(3)]
        ports += [etcd_base + 1 + i for i in range(3)] + [etcd_base + 101 + i for i in range(3)]
        if h.ports_free(ports):
            return api_base, etcd_base
    h.fail("no free ports for a cluster")


def cluster_procs(cdir):
    """Pids of processes whose command line names cdir (its etcds and petrods)."""
    p = subprocess.run(["pgrep", "-f", cdir], capture_output=True, text=True)
    return [int(x) for x in p.stdout.split() if int(x) != os.getpid()]


def cluster_env(api_base, etcd_base):
    env = dict(os.environ)
    env.update(PETROD=h.PETROD, CLUSTER_BASE_PORT=str(api_base),
               CLUSTER_ETCD_BASE_PORT=str(etcd_base))
    return env


def cluster_cmd(env, cwd, *args, timeout=120):
    t = time.monotonic()
    p = subprocess.run(["sh", CLUSTER] + list(args), capture_output=True, text=True, env=env,
                       cwd=cwd, timeout=timeout * h.SLOW, stdin=subprocess.DEVNULL,
                       preexec_fn=h._child_setup)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t


def cluster_busy_case(env, cwd, cdir, port, member, log_says):
    s = listener(port=port)
    try:
        rc, out, err, took = cluster_cmd(env, cwd, "up", cdir)
    finally:
        s.close()
    what = "scripts/cluster up with 127.0.0.1:%d in use" % port
    check(rc == 1, "%s: exit status %d, expected 1\nstdout: %s\nstderr: %s"
          % (what, rc, out, err))
    check(took < CLUSTER_FAIL_S * h.SLOW, "%s: took %.1f s (limit %d s)"
          % (what, took, CLUSTER_FAIL_S))
    named = re.search(r"cluster: %s \(pid \d+\) exited with status \d+ during start-up; "
                      r"last lines of \S+/%s\.log:" % (member, member), err)
    check(named is not None, "%s: stderr does not name %s as the member that exited:\n%s"
          % (what, member, err))
    check(log_says in err, "%s: stderr does not show %s's log ending in %r:\n%s"
          % (what, member, log_says, err))
    check("stopped the members this run started" in err,
          "%s: stderr does not say it stopped what it started:\n%s" % (what, err))
    left = cluster_procs(cdir)
    check(left == [], "%s: processes of the cluster still run: %s" % (what, left))
    pids = [n for n in os.listdir(cdir) if n.endswith(".pid")]
    check(pids == [], "%s: pid files left: %s" % (what, pids))
    log("%s: exit 1 after %.1f s naming %s, nothing left running" % (what, took, member))


def doc_walkthrough(api_base):
    """docs/operations.md's local-cluster block as a script on these ports: `make` dropped,
    the binaries of this build, a status line saved just before the kill."""
    text = open(OPERATIONS_MD, encoding="utf-8").read()
    m = re.search(r"### A local 3-validator cluster\n\n```\n(.*?)```", text, re.S)
    check(m is not None, "docs/operations.md has no local-cluster block")
    lines = []
    for line in m.group(1).splitlines():
        if line.startswith("make"):
            continue
        if "kill -9" in line:
            lines.append("curl -s http://127.0.0.1:%d/v1/status >before-kill.json"
                         % (api_base + 2))
        lines.append(line)
    script = "set -eu\n" + "\n".join(lines) + "\n"
    for i in range(3):
        script = script.replace("127.0.0.1:%d" % (8431 + i), "127.0.0.1:%d" % (api_base + i))
    script = script.replace("$((8431 + L % 3))", "$((%d + L %% 3))" % api_base)
    script = script.replace("P=build/bin/petro", "P=%s" % h.PETRO)
    script = script.replace("scripts/cluster ", "sh %s " % CLUSTER)
    check("8431" not in script, "the walk-through uses a port this test does not map:\n%s"
          % script)
    return script


def walkthrough_case(env, cwd, api_base):
    script = doc_walkthrough(api_base)
    p = subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=env, cwd=cwd,
                       timeout=180 * h.SLOW, stdin=subprocess.DEVNULL, preexec_fn=h._child_setup)
    check(p.returncode == 0, "the walk-through failed (exit %d)\nscript:\n%s\nstdout:\n%s\n"
          "stderr:\n%s" % (p.returncode, script, p.stdout, p.stderr))
    m = re.search(r"^the leader is node(\d)$", p.stdout, re.M)
    check(m is not None, "the walk-through did not name the leader:\n%s" % p.stdout)
    with open(os.path.join(cwd, "before-kill.json")) as f:
        leader = json.load(f)["cluster"]["leader"]
    check(leader == "v" + m.group(1), "the walk-through killed node%s but the leader was %s"
          % (m.group(1), leader))
    commits = re.findall(r"^status +committed in block \d+$", p.stdout, re.M)
    check(len(commits) == 2, "expected 2 committed payments (before and after the kill):\n%s"
          % p.stdout)
    log("the walk-through killed the leader node%s; the next payment committed" % m.group(1))


def cluster_cases(work):
    if not os.path.exists(ETCD):
        h.fail("etcd is not installed (scripts/install-deps installs etcd-server)")
    cwd = os.path.join(work, "c")
    os.mkdir(cwd)
    cdir = os.path.join(cwd, "cluster")
    api_base, etcd_base = pick_ports()
    env = cluster_env(api_base, etcd_base)
    try:
        cluster_busy_case(env, cwd, cdir, etcd_base + 2, "etcd2",
                          "listen tcp 127.0.0.1:%d: bind: address already in use"
                          % (etcd_base + 2))
        cluster_busy_case(env, cwd, cdir, etcd_base + 103, "etcd3",
                          "listen tcp 127.0.0.1:%d: bind: address already in use"
                          % (etcd_base + 103))
        cluster_busy_case(env, cwd, cdir, api_base, "petrod1", busy_line("127.0.0.1:%d"
                                                                         % api_base))
        rc, out, err, took = cluster_cmd(env, cwd, "up", cdir)
        check(rc == 0, "scripts/cluster up with the ports free again failed:\n%s\n%s"
              % (out, err))
        log("the same directory comes up once the ports are free (%.1f s)" % took)
        rc, out, err, _ = cluster_cmd(env, cwd, "down", cdir)
        check(rc == 0 and cluster_procs(cdir) == [], "scripts/cluster down left %s"
              % cluster_procs(cdir))
        walkthrough_case(env, cwd, api_base)
        check(cluster_procs(cdir) == [], "the walk-through's down left %s" % cluster_procs(cdir))
    finally:
        subprocess.run(["sh", CLUSTER, "down", cdir], capture_output=True, env=env, cwd=cwd,
                       timeout=120)
        for pid in cluster_procs(cdir):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def run():
    work = tempfile.mkdtemp(prefix="petro-it-first-hour-%d-" % os.getpid())
    try:
        petrod_cases(work)
        cluster_cases(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    h.main(run)
