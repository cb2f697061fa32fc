"""Security properties of a running node and of wallet files (docs/security.md).

Why: issue #5. Checks, against real processes:
  - the admin token: DATA/admin.token created at first start, mode 0600, 64 hex characters,
    the same after a restart; admin routes answer 401 without it and 200 with it; a token
    file that group/others may read, or that is damaged, stops the node from starting with a
    clear message;
  - the node listens on loopback unless told otherwise (default address 127.0.0.1);
  - files in the data directory holding secrets (wallets, admin.token) are mode 0600;
  - encrypted wallets (keygen): mode 0600, Argon2id + XChaCha20-Poly1305, no seed in clear;
    a wrong passphrase fails with a clear error and nothing signed; the right one works;
  - amounts with more than 8 decimals or negative are refused by the CLI.
"""

import json
import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, log  # noqa: E402

A = "/v1/admin/invariants"


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def read_token(node):
    with open(os.path.join(node.data_dir, "admin.token")) as f:
        return f.read().strip()


def start_fails(node, needle):
    """petrod run on node's data dir must exit 1 with needle in its stderr."""
    p = subprocess.run([h.PETROD, "run", "--data", node.data_dir, "--http", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=60 * h.SLOW)
    check(p.returncode == 1 and needle in p.stderr,
          "petrod run should refuse to start (exit 1, %r in stderr), got exit %d:\n%s"
          % (needle, p.returncode, p.stderr[-2000:]))
    log("ok  refused to start: %s" % needle)


def run():
    with h.Node(name="security") as node:
        node.start()
        tpath = os.path.join(node.data_dir, "admin.token")
        check(os.path.isfile(tpath), "no admin.token in the data directory")
        check(mode_of(tpath) == 0o600, "admin.token has mode %o, not 600" % mode_of(tpath))
        token = read_token(node)
        check(len(token) == 64 and all(c in "0123456789abcdef" for c in token),
              "admin.token does not hold 64 hex characters")
        for name in os.listdir(os.path.join(node.data_dir, "wallets")):
            p = os.path.join(node.data_dir, "wallets", name)
            check(mode_of(p) == 0o600, "wallet %s has mode %o" % (name, mode_of(p)))

        # 401 without the token, 200 with it; the answer is the node's current state.
        st, res = h.http_post(node.url, A, "")
        check(st == 401 and res.get("error") == "unauthorized" and "admin.token" in
              res.get("message", ""), "admin route without a token: %d %r" % (st, res))
        st, res = h.http_post(node.url, A, "", headers={"Authorization": "Bearer " + "1" * 64})
        check(st == 401, "admin route with a wrong token: %d %r" % (st, res))
        st, res = h.http_post(node.url, A, "", headers={"Authorization": "Bearer " + token})
        status = node.status()
        check(st == 200 and res.get("invariants") == "ok" and
              res.get("height") == status["height"] and
              res.get("state_hash") == status["state_hash"],
              "admin route with the token: %d %r (status %r)" % (st, res, status))
        log("ok  admin route: 401 without the token, 200 with it")
        # The token never appears in the node's output.
        check(token not in node.stderr_text() and token not in "".join(node.stdout_lines),
              "the admin token appears in the node's output")

        # Loopback: the node's socket is bound to 127.0.0.1.
        listening = open("/proc/net/tcp").read().lower()
        check(("0100007f:%04x" % node.port) in listening,
              "petrod is not listening on 127.0.0.1:%d" % node.port)

        # The token survives a restart unchanged.
        rc = node.stop()
        check(rc == 0, "petrod exited with %d" % rc)
        node.start()
        check(read_token(node) == token, "admin.token changed across a restart")
        rc = node.stop()
        check(rc == 0, "petrod exited with %d" % rc)

        # A token file others may read, a damaged one, a missing one (re-created).
        os.chmod(tpath, 0o644)
        start_fails(node, "admin.token must be a regular file with mode 0600")
        os.chmod(tpath, 0o600)
        with open(tpath, "w") as f:
            f.write("not a token\n")
        start_fails(node, "admin.token does not hold a token")
        os.unlink(tpath)
        node.start()
        new_token = read_token(node)
        check(new_token != token and mode_of(tpath) == 0o600,
              "a removed admin.token was not re-created fresh with mode 0600")
        st, _ = h.http_post(node.url, A, "", headers={"Authorization": "Bearer " + token})
        check(st == 401, "the old token still works after re-creation: %d" % st)

        # Default listen address (the usage text states it; if port 8420 is free, check it).
        p = subprocess.run([h.PETROD, "--help"], capture_output=True, text=True)
        check("default 127.0.0.1:8420" in p.stdout, "petrod --help does not state the "
              "loopback default:\n%s" % p.stdout)

        # Encrypted wallets.
        wpath = os.path.join(node.tmp, "carol.json")
        env = dict(os.environ, PETRO_PASSPHRASE="correct horse battery staple")
        rc, out, err = h.run_cli("keygen", "--out", wpath, env=env)
        check(rc == 0, "keygen failed: %s" % err)
        check(mode_of(wpath) == 0o600, "keygen wrote mode %o" % mode_of(wpath))
        with open(wpath) as f:
            w = json.load(f)
        check(w.get("kdf", {}).get("alg") == "argon2id13" and
              w.get("cipher", {}).get("alg") == "xchacha20poly1305-ietf" and "seed" not in w,
              "keygen wallet is not Argon2id + XChaCha20-Poly1305 without a clear seed: %r"
              % sorted(w))
        carol = node.address(wpath, passphrase="correct horse battery staple")
        alice = node.address("alice")
        bad = dict(os.environ, PETRO_PASSPHRASE="wrong")
        rc, out, err = h.run_cli("pay", "--wallet", wpath, "--to", alice, "--amount", "1",
                                 node_url=node.url, env=bad)
        check(rc != 0 and "wrong passphrase" in err,
              "pay with a wrong passphrase: expected a clear error, got %d %r %r"
              % (rc, out, err))
        log("ok  wrong passphrase: %s" % err.strip())
        # Amounts: more than 8 decimals, negative, beyond the supply: refused before signing.
        for amount in ("0.000000001", "-1", "92233720369", "1e3", "1,5"):
            rc, out, err = h.run_cli("pay", "--wallet", node.wallet("alice"), "--to", carol,
                                     "--amount", amount, node_url=node.url)
            check(rc != 0 and err.strip() != "", "pay --amount %s: expected a refusal, got %d "
                  "%r" % (amount, rc, out))
        log("ok  bad amounts refused by the CLI")
        rc = node.stop()
        check(rc == 0, "petrod exited with %d" % rc)
        node.check_no_sanitizer_report()


if __name__ == "__main__":
    h.main(run)
