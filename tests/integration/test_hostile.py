"""Hostile input over HTTP: a table of well over 200 bad requests against a running node.

Why: issue #5 and DESIGN.md: bad input never crashes a node and never changes state; each bad
request gets the documented 4xx status and error code (docs/api.md "Errors"). Envelopes are
built and signed in Python (petro_tx.py: Ed25519 from RFC 8032, keys from the devnet wallets),
so the table can hold what the CLI never sends: wrong network ids, bad, missing, duplicated and
unsorted signatures, too little multisig weight, replays, stale and future sequences, expired
time bounds, zero or too many operations, non-canonical bytes, truncations at every field.

Each row: name, method, path, body, headers, expected status, allowed error codes. After the
table the height and state hash are those from before it, the accounts are unchanged, and the
node serves normally (/healthz, reads, and a valid payment commits).
"""

import json
import os
import re
import socket
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
import petro_tx as ptx  # noqa: E402
from petro_harness import check, log  # noqa: E402

T = "/v1/transactions"
JSON = {"Content-Type": "application/json"}
BIN = {"Content-Type": "application/octet-stream"}
SUPPLY_MAX = 92233720368 * 10 ** 8


def raw_request(url, data):
    """Send raw bytes; return (status, parsed JSON body or text, headers text). The server may
    answer and close before reading everything (an oversized body), so send errors are fine."""
    u = urllib.parse.urlsplit(url)
    s = socket.create_connection((u.hostname, u.port), timeout=30 * h.SLOW)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        resp = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                resp += chunk
                head, sep, body = resp.partition(b"\r\n\r\n")
                m = re.search(rb"content-length:\s*(\d+)", head, re.I)
                if sep and m and len(body) >= int(m.group(1)):
                    break
        except ConnectionResetError:
            pass
    finally:
        s.close()
    head, _, body = resp.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    text = body.decode("utf-8", "replace")
    try:
        obj = json.loads(text)
    except ValueError:
        obj = text
    rh = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        k, _, v = line.partition(":")
        rh[k.strip().lower()] = v.strip()
    return status, obj, rh


def run():
    rows = []

    def row(name, method, path, body, status, codes, headers=None):
        rows.append((name, method, path, body, headers, status, codes))

    with h.Node(name="hostile") as node:
        node.start()
        st0 = node.status()
        net = bytes.fromhex(st0["network_id"])
        alice_k = ptx.Key.from_wallet(node.wallet("alice"))
        bob_k = ptx.Key.from_wallet(node.wallet("bob"))
        treas_k = ptx.Key.from_wallet(node.wallet("treasury"))
        off1 = ptx.Key.from_wallet(node.wallet("treasury-officer-1"))
        off2 = ptx.Key.from_wallet(node.wallet("treasury-officer-2"))
        stranger = ptx.Key(bytes(range(32)))
        alice, bob = node.address("alice"), node.address("bob")
        treasury = node.address("treasury")

        def seq_of(addr):
            return node.account(addr)["sequence"]

        # One valid payment first, so replays of a committed transaction can be tried.
        s = seq_of(alice)
        done_body = ptx.body(net, alice_k.pub, s + 1, [ptx.op_payment(bob_k.pub, 10 ** 8)])
        done = ptx.envelope(done_body, [alice_k]).hex()
        st, res = node.post(T + "?wait=commit", {"tx": done})
        check(st == 200 and res.get("status") == "committed",
              "the valid Python-signed payment did not commit: %d %r" % (st, res))
        # A multisig payment of the treasury (officers 1 and 2) commits too.
        ts = seq_of(treasury)
        ms_body = ptx.body(net, treas_k.pub, ts + 1, [ptx.op_payment(bob_k.pub, 10 ** 8)])
        st, res = node.post(T + "?wait=commit", {"tx": ptx.envelope(ms_body, [off1, off2]).hex()})
        check(st == 200 and res.get("status") == "committed",
              "the 2-of-3 multisig payment did not commit: %d %r" % (st, res))
        node.wait_mempool_empty()

        before = node.status()
        a_before, b_before, t_before = node.account(alice), node.account(bob), node.account(treasury)
        seq = a_before["sequence"]
        tseq = t_before["sequence"]
        pay = ptx.op_payment(bob_k.pub, 10 ** 8)

        def env(b, keys=(alice_k,), **kw):
            return {"tx": ptx.envelope(b, list(keys), **kw).hex()}

        def alice_body(ops=(pay,), **kw):
            return ptx.body(net, alice_k.pub, kw.pop("sequence", seq + 1), list(ops), **kw)

        good = ptx.envelope(alice_body(), [alice_k])

        # ---------------------------------------------------------- replays
        row("replay committed tx", "POST", T, {"tx": done}, 409, ("duplicate_tx",))
        row("replay committed tx, wait", "POST", T + "?wait=commit", {"tx": done}, 409,
            ("duplicate_tx",))
        row("replay committed multisig", "POST", T,
            {"tx": ptx.envelope(ms_body, [off1, off2]).hex()}, 409, ("duplicate_tx",))
        row("replay upper-case hex", "POST", T, {"tx": done.upper()}, 409, ("duplicate_tx",))
        row("replay, re-signed (new sig bytes, same id)", "POST", T,
            {"tx": ptx.envelope(done_body, [alice_k], tamper=lambda i, s: s).hex()}, 409,
            ("duplicate_tx",))
        row("replay with a stale sequence, new body", "POST", T,
            env(alice_body(ops=(ptx.op_payment(bob_k.pub, 7),), sequence=seq)), 400,
            ("bad_sequence",))

        # ---------------------------------------------------------- sequences and time bounds
        for name, sq in (("sequence 0", 0), ("sequence -1 step",
                         max(seq - 1, 0)), ("future sequence +2", seq + 2),
                         ("future sequence +1000", seq + 1000), ("sequence u64 max", 2 ** 64 - 1)):
            row(name, "POST", T, env(alice_body(sequence=sq)), 400, ("bad_sequence",))
        row("expired valid_until 1", "POST", T, env(alice_body(valid_until=1)), 400, ("too_late",))
        row("expired valid_until genesis", "POST", T,
            env(alice_body(valid_until=st0["timestamp_ms"] - 1)), 400, ("too_late",))
        row("valid_after far future", "POST", T, env(alice_body(valid_after=2 ** 63)), 400,
            ("too_early",))
        row("valid_after u64 max", "POST", T, env(alice_body(valid_after=2 ** 64 - 1)), 400,
            ("too_early",))
        row("after > until", "POST", T, env(alice_body(valid_after=2 ** 62, valid_until=5)), 400,
            ("too_early", "too_late"))

        # ---------------------------------------------------------- signatures and authority
        # No signature at all: no_signatures, the stateless check of protocol.md step 1, ahead
        # of every check that reads state (unknown source, wrong network, bad sequence).
        row("no signatures", "POST", T, env(alice_body(), keys=()), 400, ("no_signatures",))
        row("no signatures, unknown source", "POST", T,
            env(ptx.body(net, stranger.pub, 1, [pay]), keys=()), 400, ("no_signatures",))
        row("no signatures, wrong network", "POST", T,
            env(ptx.body(bytes(32), alice_k.pub, seq + 1, [pay]), keys=()), 400,
            ("no_signatures",))
        row("no signatures, stale sequence", "POST", T, env(alice_body(sequence=seq), keys=()),
            400, ("no_signatures",))
        row("signature flipped", "POST", T,
            env(alice_body(), tamper=lambda i, s: bytes([s[0] ^ 1]) + s[1:]), 400,
            ("bad_signature",))
        row("signature S flipped", "POST", T,
            env(alice_body(), tamper=lambda i, s: s[:63] + bytes([s[63] ^ 0x80])), 400,
            ("bad_signature",))
        row("signature all zero", "POST", T, env(alice_body(), tamper=lambda i, s: bytes(64)),
            400, ("bad_signature",))
        row("signature all ff", "POST", T, env(alice_body(), tamper=lambda i, s: b"\xff" * 64),
            400, ("bad_signature",))
        row("signed by bob only", "POST", T, env(alice_body(), keys=(bob_k,)), 400,
            ("extra_signature", "bad_auth"))
        row("alice + extra bob", "POST", T, env(alice_body(), keys=(alice_k, bob_k)), 400,
            ("extra_signature",))
        row("alice + stranger", "POST", T, env(alice_body(), keys=(alice_k, stranger)), 400,
            ("extra_signature",))
        row("duplicated signature", "POST", T, env(alice_body(), keys=(alice_k, alice_k)), 400,
            ("duplicate_signature",))
        row("unsorted signatures", "POST", T,
            {"tx": ptx.envelope(alice_body(), sorted([alice_k, bob_k], key=lambda k: k.pub,
                                                      reverse=True), sort=False).hex()},
            400, ("duplicate_signature",))
        tb = ptx.body(net, treas_k.pub, tseq + 1, [pay])
        row("multisig 1 of 2 needed", "POST", T, env(tb, keys=(off1,)), 400, ("bad_auth",))
        row("multisig other officer only", "POST", T, env(tb, keys=(off2,)), 400, ("bad_auth",))
        row("multisig officer twice", "POST", T, env(tb, keys=(off1, off1)), 400,
            ("duplicate_signature",))
        row("multisig no signatures", "POST", T, env(tb, keys=()), 400, ("no_signatures",))
        row("multisig + stranger", "POST", T, env(tb, keys=(off1, off2, stranger)), 400,
            ("extra_signature",))
        row("multisig officer + bad sig", "POST", T,
            env(tb, keys=(off1, off2), tamper=lambda i, s: bytes(64) if i == 0 else s), 400,
            ("bad_signature",))
        row("unknown source account", "POST", T,
            env(ptx.body(net, stranger.pub, 1, [pay]), keys=(stranger,)), 400,
            ("no_source_account",))

        # ---------------------------------------------------------- network, version, fee
        row("wrong network id", "POST", T,
            env(ptx.body(bytes(32), alice_k.pub, seq + 1, [pay])), 400, ("wrong_network",))
        row("other network id", "POST", T,
            env(ptx.body(ptx.blake2b256(b"mainnet"), alice_k.pub, seq + 1, [pay])), 400,
            ("wrong_network",))
        for v in (0, 1, 3, 255):  # 1: before domain-separated signatures
            row("version %d" % v, "POST", T, env(alice_body(version=v)), 400, ("bad_version",))
        row("fee 0", "POST", T, env(alice_body(fee=0)), 400, ("fee_too_low",))
        row("fee 99", "POST", T, env(alice_body(fee=99)), 400, ("fee_too_low",))
        row("fee 199 for 2 ops", "POST", T, env(alice_body(ops=(pay, pay), fee=199)), 400,
            ("fee_too_low",))
        row("fee negative", "POST", T, env(alice_body(fee=-100)), 400,
            ("amount_negative", "malformed"))
        row("fee int64 min", "POST", T, env(alice_body(fee=-2 ** 63)), 400,
            ("amount_negative", "malformed"))
        row("fee supply max", "POST", T, env(alice_body(fee=SUPPLY_MAX)), 400,
            ("fee_balance_low",))
        row("fee over supply max", "POST", T, env(alice_body(fee=SUPPLY_MAX + 1)), 400,
            ("amount_too_large", "malformed"))
        row("fee int64 max", "POST", T, env(alice_body(fee=2 ** 63 - 1)), 400,
            ("amount_too_large", "malformed"))

        # ---------------------------------------------------------- operations
        row("zero operations", "POST", T, env(alice_body(ops=())), 400, ("no_ops",))
        row("17 operations", "POST", T, env(alice_body(ops=(pay,) * 17)), 400, ("too_many_ops",))
        row("255 operations", "POST", T, env(alice_body(ops=(pay,) * 17, op_count=255)), 400,
            ("too_many_ops",))
        row("op count 2, one op", "POST", T, env(alice_body(ops=(pay,), op_count=2)), 400,
            ("malformed", "unknown_op", "too_many_signatures"))
        row("op count 1, two ops", "POST", T, env(alice_body(ops=(pay, pay), op_count=1)), 400,
            ("malformed", "unknown_op", "bad_signature"))
        for t in (0, 15, 16, 99, 255):
            row("op type %d" % t, "POST", T,
                env(alice_body(ops=(bytes([t]) + pay[1:],))), 400, ("unknown_op",))
        row("memo 33 bytes", "POST", T, env(alice_body(memo=b"m" * 33)), 400, ("memo_too_long",))
        row("memo 255 bytes", "POST", T, env(alice_body(memo=b"m" * 255)), 400,
            ("memo_too_long",))
        for name, amt, codes in (("amount 0", 0, ("amount_zero",)),
                                 ("amount -1", -1, ("amount_negative",)),
                                 ("amount int64 min", -2 ** 63, ("amount_negative",)),
                                 ("amount over supply", SUPPLY_MAX + 1, ("amount_too_large",)),
                                 ("amount int64 max", 2 ** 63 - 1, ("amount_too_large",))):
            row("payment " + name, "POST", T, env(alice_body(ops=(ptx.op_payment(bob_k.pub,
                                                                                amt),))),
                400, codes + ("malformed",))
            row("create_account " + name, "POST", T,
                env(alice_body(ops=(ptx.op_create_account(stranger.pub, amt),))), 400,
                codes + ("malformed",))
        row("trust limit negative", "POST", T,
            env(alice_body(ops=(ptx.op_change_trust(ptx.issued("USD", bob_k.pub), -1),))), 400,
            ("amount_negative", "malformed"))
        row("asset code PTR", "POST", T,
            env(alice_body(ops=(ptx.op_payment(bob_k.pub, 5, ptx.issued("PTR", bob_k.pub)),))),
            400, ("malformed", "bad_asset_code"))
        for name, c in (("asset code empty", ""), ("asset code 13 chars", "ABCDEFGHIJKLM"),
                        ("asset code lower", "usd"), ("asset code space", "U D"),
                        ("asset code nul", "U\x00D"), ("asset code dash", "U-D")):
            row(name, "POST", T,
                env(alice_body(ops=(ptx.op_payment(bob_k.pub, 5, ptx.issued(c, bob_k.pub)),))),
                400, ("malformed", "bad_asset_code"))
        for kind in (2, 3, 255):
            row("asset kind %d" % kind, "POST", T,
                env(alice_body(ops=(ptx.op_payment(bob_k.pub, 5, bytes([kind])),))), 400,
                ("malformed",))
        row("authorize flag 2", "POST", T,
            env(alice_body(ops=(ptx.op_authorize_trust(bob_k.pub, "USD", 2),))), 400,
            ("malformed",))
        row("create_asset flags 4", "POST", T,
            env(alice_body(ops=(ptx.op_create_asset("NEW", 4),))), 400, ("bad_flags",))
        row("create_asset flags all", "POST", T,
            env(alice_body(ops=(ptx.op_create_asset("NEW", 0xffffffff),))), 400, ("bad_flags",))

        # ---------------------------------------------------------- non-canonical bytes
        gb = bytes(good)
        row("trailing zero byte", "POST", T, {"tx": (gb + b"\x00").hex()}, 400, ("malformed",))
        row("trailing 64 bytes", "POST", T, {"tx": (gb + bytes(64)).hex()}, 400, ("malformed",))
        row("sig_count 21", "POST", T, {"tx": (alice_body() + b"\x15").hex()}, 400,
            ("too_many_signatures",))
        row("sig_count 255", "POST", T, {"tx": (alice_body() + b"\xff").hex()}, 400,
            ("too_many_signatures",))
        row("sig_count 2, one sig", "POST", T, env(alice_body(), sig_count=2), 400,
            ("malformed",))
        cuts = sorted(set([1, 2, 17, 33, 34, 65, 66, 73, 74, 81, 89, 97, 98, 99, 100, 131, 132,
                           140, len(gb) - 97, len(gb) - 96, len(gb) - 65, len(gb) - 64,
                           len(gb) - 33, len(gb) - 2, len(gb) - 1]))
        for c in cuts:
            row("truncated to %d of %d bytes" % (c, len(gb)), "POST", T, {"tx": gb[:c].hex()},
                400, ("malformed",))
        row("empty envelope", "POST", T, {"tx": ""}, 400, ("malformed", "bad_hex"))
        row("envelope 4097 bytes", "POST", T, {"tx": "00" * 4097}, 400, ("tx_too_large",))
        row("envelope 1 MiB of hex", "POST", T, {"tx": "00" * 500000}, 400, ("tx_too_large",))
        row("memo size lies", "POST", T,
            {"tx": (alice_body()[:97] + b"\x20" + alice_body()[98:]).hex()}, 400,
            ("malformed", "unknown_op", "no_ops", "too_many_ops"))

        # ---------------------------------------------------------- JSON bodies
        tx_hex = gb.hex()
        for name, body in (
                ("empty body", ""), ("whitespace body", "   \n"), ("null", "null"),
                ("true", "true"), ("number", "12"), ("string", '"%s"' % tx_hex),
                ("array of tx", '["%s"]' % tx_hex), ("empty object", "{}"),
                ("truncated object", '{"tx": "%s' % tx_hex[:40]), ("missing brace", '{"tx": "00"'),
                ("missing colon", '{"tx" "00"}'), ("single quotes", "{'tx': '00'}"),
                ("trailing comma", '{"tx": "00",}'), ("trailing garbage", '{"tx": "00"} x'),
                ("two objects", '{"tx": "00"}{"tx": "00"}'), ("NaN", '{"tx": NaN}'),
                ("comment", '{"tx": "00" /* c */}'), ("unquoted key", '{tx: "00"}'),
                ("duplicate tx keys", '{"tx": "%s", "tx": "%s"}' % (tx_hex, tx_hex)),
                ("extra field", '{"tx": "%s", "fee": 1}' % tx_hex),
                ("other field only", '{"txs": "%s"}' % tx_hex), ("tx key case", '{"TX": "00"}'),
                ("tx null", '{"tx": null}'), ("tx true", '{"tx": true}'),
                ("tx int", '{"tx": 12}'), ("tx float", '{"tx": 1.5}'),
                ("tx beyond int64", '{"tx": 99999999999999999999999999}'),
                ("tx huge exponent", '{"tx": 1e400}'), ("tx negative", '{"tx": -1}'),
                ("tx array", '{"tx": ["%s"]}' % tx_hex), ("tx object", '{"tx": {"hex": "00"}}'),
                ("nested 5 deep", '{"a": {"b": {"c": {"d": {"e": 1}}}}}'),
                ("arrays 5 deep", "[[[[[1]]]]]"), ("arrays 1000 deep", "[" * 1000 + "]" * 1000),
                ("objects 10000 deep", '{"a":' * 10000 + "1" + "}" * 10000),
                ("unclosed 100000 deep", "[" * 100000), ("bad utf-8", b'{"tx": "\xff\xfe"}'),
                ("nul in JSON", b'{"tx": "00\x00"}'), ("escaped nul", '{"tx": "\\u0000"}'),
                ("lone surrogate", '{"tx": "\\ud800"}'),
                ("BOM", b'\xef\xbb\xbf{"tx": "00"}'), ("binary garbage", bytes(range(256)))):
            row("json: " + name, "POST", T, body, 400, ("bad_request",), headers=JSON)
        for name, hx in (("odd hex", tx_hex[:-1]), ("hex with space", tx_hex[:10] + " " +
                                                    tx_hex[11:]),
                         ("hex 0x prefix", "0x" + tx_hex), ("hex g", "g" + tx_hex[1:]),
                         ("hex unicode escape", "\u00e9" + tx_hex[1:]),
                         ("hex newline", tx_hex[:-2] + "\n0"), ("hex minus", "-" + tx_hex[1:]),
                         ("hex percent", "%" + tx_hex[1:])):
            row("hex: " + name, "POST", T, {"tx": hx}, 400, ("bad_hex",), headers=JSON)

        # ---------------------------------------------------------- wait parameter, batch
        for w in ("yes", "", "COMMIT", "commit,commit", "1"):
            row("wait=%r" % w, "POST", T + "?wait=" + w, {"tx": tx_hex}, 400, ("bad_request",))
        for name, b in (("batch size past end", b"\xff\xff\xff\x7f\x00"),
                        ("batch 3 bytes", b"\x01\x00\x00"),
                        ("batch truncated envelope", len(gb).to_bytes(4, "little") + gb[:-1]),
                        ("batch trailing bytes", len(gb).to_bytes(4, "little") + gb + b"\x01")):
            row(name, "POST", T + "/batch", b, 400, ("malformed", "bad_request"), headers=BIN)

        # ---------------------------------------------------------- paths and queries
        for p in ("/", "/v2/status", "/v1", "/v1/", "/v1/status/", "/v1/STATUS", "/V1/status",
                  "/v1/accounts", "/v1/accounts/", "/v1/blocks/",
                  "/v1/assets/PTR", "/healthz/", "/metrics/x", "/v1/admin",
                  "/v1/events/x", "/v1/transactions/x/y",
                  "/v1/accounts/%s/transactions/x" % alice, "/v1/accounts/%s/x" % alice,
                  "/v1/blocks/1/x", "/../etc/passwd", "/v1/%2e%2e/status", "/v1//status",
                  "/favicon.ico", "/v1/status%00", "/v1/status%00x", "/healthz%00",
                  "/v1/transactions/batch/x"):
            row("route " + p, "GET", p, None, 404, ("not_found",))
        # Under /v1/admin/ every path needs the token first (docs/api.md), existing or not.
        for p in ("/v1/admin/unknown", "/v1/admin/invariants%00", "/v1/admin/x/y"):
            for method in ("GET", "POST"):
                row("admin route %s %s" % (method, p), method, p, "" if method == "POST" else None,
                    401, ("unauthorized",))
        for name, p in (("address x", "x"), ("address empty-ish", "tptr1"),
                        ("address too long", "tptr1" + "q" * 200),
                        ("address mixed case", alice[:6] + alice[6:].upper()),
                        ("address bech32 (not m)", "tptr1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
                                                   "qqqqqqqqqqqqqqq3l5dm4"),
                        ("address bad char b", alice[:-3] + "b" + alice[-2:]),
                        ("address with space", alice[:10] + "%20" + alice[11:])):
            row(name, "GET", "/v1/accounts/" + p, None, 400,
                ("bad_address", "bad_address_checksum"))
        for i in (6, 20, 40, len(alice) - 1):
            row("address checksum pos %d" % i, "GET",
                "/v1/accounts/" + h.flip_address_char(alice, i), None, 400,
                ("bad_address_checksum", "bad_address"))
        row("main-net address", "GET", "/v1/accounts/" + h.random_address("ptr"), None, 400,
            ("wrong_address_prefix",))
        row("other hrp", "GET", "/v1/accounts/" + h.random_address("abc"), None, 400,
            ("wrong_address_prefix", "bad_address"))
        for q in ("limit=0", "limit=-1", "limit=201", "limit=abc", "limit=1.5", "limit=1e2",
                  "limit=99999999999999999999999", "limit=", "cursor=abc", "cursor=-1",
                  "cursor=1.5", "cursor=99999999999999999999999", "cursor=0x10"):
            row("history ?" + q, "GET", "/v1/accounts/%s/transactions?%s" % (alice, q), None,
                400, ("bad_request",))
        for b in ("abc", "-1", "1.5", "1e3", "0x10", "+1", "%20", "18446744073709551616",
                  "99999999999999999999999", "LATEST", "1%20"):
            row("block " + b, "GET", "/v1/blocks/" + b, None, 400, ("bad_request",))
        for name, p in (("hash zz", "zz"), ("hash 63 chars", "a" * 63), ("hash 65 chars", "a" * 65),
                        ("hash 62 chars", "ab" * 31), ("hash g", "g" * 64),
                        ("hash 66 chars", "ab" * 33)):
            row("tx " + name, "GET", T + "/" + p, None, 400, ("bad_hex", "bad_request"))
        row("unknown tx", "GET", T + "/" + "00" * 32, None, 404, ("not_found",))
        row("block past the tip", "GET", "/v1/blocks/%d" % (2 ** 63), None, 404, ("not_found",))

        # ---------------------------------------------------------- methods
        for m in ("PUT", "DELETE", "PATCH"):
            for p in (T, "/v1/status", "/v1/accounts/" + alice, "/v1/blocks/latest",
                      "/v1/assets", "/v1/admin/invariants"):
                row("%s %s" % (m, p), m, p, None, 405, ("bad_request",))
        for p in ("/v1/status", "/v1/accounts/" + alice, "/v1/assets", "/v1/blocks/latest",
                  "/v1/transactions/" + "00" * 32):
            row("POST " + p, "POST", p, "{}", 405, ("bad_request",), headers=JSON)
        row("GET on submit", "GET", T, None, 405, ("bad_request",))
        row("GET on batch", "GET", T + "/batch", None, 405, ("bad_request",))
        row("GET on admin", "GET", "/v1/admin/invariants", None, 405, ("bad_request",))

        # ---------------------------------------------------------- oversized bodies (raw)
        def raw(path, length, body, ctype="application/json"):
            return (b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                    % (path.encode(), ctype.encode(), length) + body)
        big = b'{"tx": "' + b"00" * (1024 * 1024) + b'"}'
        row("body 1 MiB + 1 sent", "RAW", T, raw(T, 1024 * 1024 + 1, b"{" + b" " * (1024 * 1024)),
            413, ("bad_request",))
        row("body 2 MiB sent", "RAW", T, raw(T, len(big), big), 413, ("bad_request",))
        row("Content-Length 1 GiB declared", "RAW", T, raw(T, 1 << 30, b""), 413,
            ("bad_request",))
        row("batch 17 MiB declared", "RAW", T + "/batch",
            raw(T + "/batch", 17 << 20, b"", "application/octet-stream"), 413, ("bad_request",))
        row("admin body 2 MiB", "RAW", "/v1/admin/invariants",
            raw("/v1/admin/invariants", len(big), big), 413, ("bad_request",))

        # ---------------------------------------------------------- admin without the token
        A = "/v1/admin/invariants"
        token_path = os.path.join(node.data_dir, "admin.token")
        with open(token_path) as f:
            token = f.read().strip()
        for name, hdr in (("no Authorization", None), ("empty", ""), ("Basic", "Basic " + token),
                          ("bearer lower-case", "bearer " + token), ("Bearer only", "Bearer "),
                          ("token cut", "Bearer " + token[:-1]),
                          ("token + 1 char", "Bearer " + token + "0"),
                          ("token upper-case", "Bearer " + token.upper()),
                          ("token trailing space", "Bearer " + token + " "),
                          ("other token", "Bearer " + "0" * 64),
                          ("token as query", None)):
            hdrs = {} if hdr is None else {"Authorization": hdr}
            path = A + ("?token=" + token if name == "token as query" else "")
            row("admin: " + name, "POST", path, "", 401, ("unauthorized",), headers=hdrs)
        # With the token, an unknown admin path is an ordinary 404.
        row("admin: unknown with the token", "POST", "/v1/admin/unknown", "", 404,
            ("not_found",), headers={"Authorization": "Bearer " + token})

        # ---------------------------------------------------------- run the table
        log("%d hostile requests" % len(rows))
        check(len(rows) >= 200, "the hostile table has only %d rows" % len(rows))
        failures = []
        for name, method, path, body, headers, status, codes in rows:
            try:
                if method == "RAW":
                    st, obj, rh = raw_request(node.url, body)
                else:
                    st, obj, rh = h.http_request(node.url, method, path, body=body,
                                                 headers=headers)
            except OSError as e:
                failures.append("%s: %s %s: connection error %r" % (name, method, path[:80], e))
                continue
            code = obj.get("error") if isinstance(obj, dict) else None
            msg_ok = isinstance(obj, dict) and isinstance(obj.get("message"), str) and obj["message"]
            if st != status or code not in codes or not msg_ok:
                failures.append("%s: %s %s -> expected %d %s, got %d %r"
                                % (name, method, path[:80], status, "/".join(codes), st,
                                   obj if not isinstance(obj, str) else obj[:200]))
            elif status == 405 and "allow" not in rh:
                failures.append("%s: 405 without an Allow header" % name)
            if not node.running():
                failures.append("petrod died at row %r\n%s" % (name, node.describe()))
                break
        check(not failures, "%d of %d hostile requests got the wrong answer:\n  %s"
              % (len(failures), len(rows), "\n  ".join(failures)))
        log("all %d hostile requests got their documented status and code" % len(rows))
        # The batch route decodes the same way: an unsigned envelope is rejected on its own.
        unsigned = ptx.envelope(alice_body(), [])
        st, obj, _ = h.http_request(node.url, "POST", T + "/batch",
                                    body=len(unsigned).to_bytes(4, "little") + unsigned,
                                    headers=BIN)
        check(st == 200 and isinstance(obj, dict) and obj.get("accepted") == 0 and
              obj.get("rejected") == [{"index": 0, "error": "no_signatures"}],
              "batch with an unsigned envelope: expected one no_signatures rejection, got %d %r"
              % (st, obj))

        # ---------------------------------------------------------- nothing changed
        after = node.status()
        check(after["height"] == before["height"] and
              after["state_hash"] == before["state_hash"] and after["mempool_size"] == 0,
              "the hostile requests changed the node: %r -> %r" % (before, after))
        check(node.account(alice) == a_before and node.account(bob) == b_before and
              node.account(treasury) == t_before, "the hostile requests changed an account")
        st, _ = h.http_get(node.url, "/healthz")
        check(st == 200, "/healthz after the table: %d" % st)
        st, res = node.post(T + "?wait=commit", {"tx": tx_hex})
        check(st == 200 and res.get("status") == "committed",
              "a valid payment after the table did not commit: %d %r" % (st, res))
        node.check_chain()
        node.check_no_sanitizer_report()
        rc = node.stop()
        check(rc == 0, "petrod exited with %d\n%s" % (rc, node.describe()))
        node.check_no_sanitizer_report()


if __name__ == "__main__":
    h.main(run)
