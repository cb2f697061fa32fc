"""Bad requests get a clear error and never change state; /metrics and /v1/events work.

Why: DESIGN.md: "Bad input never crashes a node and never changes state: it gets a clear
error." Each row below is one malformed or wrong request with the status and the "error"
code(s) the API contract (docs/api.md, include/petro/result.h) allows. After all of them the
node must still be healthy with the same height and state hash. Then the valid paths: a signed
transaction (built and signed by the CLI, captured by a proxy) commits once and is refused as
a duplicate; /metrics exposes petro_height; /v1/events streams a block event after a payment.
"""

import json
import os
import re
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, log  # noqa: E402

JSON = {"Content-Type": "application/json"}


def raw_request(url, data, timeout=None):
    """Send raw bytes, return (status, body text). Tolerates the server closing early."""
    u = urllib.parse.urlsplit(url)
    s = socket.create_connection((u.hostname, u.port), timeout=timeout or 30 * h.SLOW)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything
        resp = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                resp += chunk
                if b"\r\n\r\n" in resp:
                    head, _, body = resp.partition(b"\r\n\r\n")
                    m = re.search(rb"content-length:\s*(\d+)", head, re.I)
                    if m and len(body) >= int(m.group(1)):
                        break
        except ConnectionResetError:
            pass
        check(resp, "no HTTP answer at all to a raw request of %d bytes" % len(data))
        head, _, body = resp.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        return status, body.decode("utf-8", "replace")
    finally:
        s.close()


def expect(node, name, method, path, body, status, codes, headers=None):
    st, obj, _ = h.http_request(node.url, method, path, body=body, headers=headers)
    code = obj.get("error") if isinstance(obj, dict) else None
    ok = st == status and (codes is None or code in codes)
    if codes is not None and isinstance(obj, dict):
        ok = ok and isinstance(obj.get("message"), str) and obj["message"] != ""
    check(ok, "%s: %s %s -> expected %d with error in %r and a message, got %d %r"
          % (name, method, path, status, codes, st, obj))
    log("ok  %-34s %d %s" % (name, st, code))


def run():
    with h.Node(name="http-errors") as node:
        node.start()
        alice = node.address("alice")
        bob = node.address("bob")

        # A valid signed payment (alice -> bob 1), captured before it reaches the node.
        tx = h.capture_tx(node, "pay", "--wallet", node.wallet("alice"), "--to", bob,
                          "--amount", "1")
        check(re.fullmatch(r"[0-9a-f]+", tx or "") and len(tx) % 2 == 0,
              "captured tx is not lower-case hex: %r" % tx)
        raw = bytes.fromhex(tx)

        def flip(pos):
            b = bytearray(raw)
            b[pos] ^= 0x01
            return b.hex()

        st0 = node.status()
        a0 = node.account(alice)
        T = "/v1/transactions"
        ENC = ("malformed", "bad_request")
        HEX = ("bad_hex", "malformed", "bad_request")
        cases = [
            ("malformed JSON", "POST", T, '{"tx": "ab', 400, ("bad_request", "malformed")),
            ("JSON array", "POST", T, '["00"]', 400, ("bad_request",)),
            ("JSON string", "POST", T, '"tx"', 400, ("bad_request",)),
            ("empty body", "POST", T, "", 400, ("bad_request", "malformed")),
            ("missing tx", "POST", T, {"txx": tx}, 400, ("bad_request",)),
            ("tx is a number", "POST", T, {"tx": 12}, 400, ("bad_request",)),
            ("tx is null", "POST", T, {"tx": None}, 400, ("bad_request",)),
            ("tx is an object", "POST", T, {"tx": {"hex": tx}}, 400, ("bad_request",)),
            ("odd-length hex", "POST", T, {"tx": tx[:-1]}, 400, HEX),
            ("non-hex", "POST", T, {"tx": "zz" + tx[2:]}, 400, HEX),
            ("empty tx", "POST", T, {"tx": ""}, 400, ENC + ("bad_hex",)),
            ("truncated tx", "POST", T, {"tx": tx[:-2]}, 400, ENC),
            ("truncated to half", "POST", T, {"tx": tx[:len(tx) // 2 // 2 * 2]}, 400, ENC),
            ("trailing byte", "POST", T, {"tx": tx + "00"}, 400, ENC),
            ("bad version", "POST", T, {"tx": flip(0)}, 400, ("bad_version", "malformed")),
            ("other network", "POST", T, {"tx": flip(1)}, 400, ("wrong_network",)),
            ("bad signature", "POST", T, {"tx": flip(len(raw) - 1)}, 400, ("bad_signature",)),
            ("bad signature, wait", "POST", T + "?wait=commit", {"tx": flip(len(raw) - 1)},
             400, ("bad_signature",)),
            ("unknown route", "GET", "/v1/nope", None, 404, ("not_found",)),
            ("unknown root route", "GET", "/nope", None, 404, ("not_found",)),
            ("wrong method on tx", "GET", T, None, 405, None),
            ("wrong method on status", "POST", "/v1/status", {}, 405, None),
            ("wrong method DELETE", "DELETE", "/v1/accounts/" + alice, None, 405, None),
            ("bad address", "GET", "/v1/accounts/x", None, 400, ("bad_address",)),
            ("address checksum", "GET", "/v1/accounts/" + h.flip_address_char(alice), None,
             400, ("bad_address_checksum",)),
            ("main-net address", "GET", "/v1/accounts/" + h.random_address("ptr"), None, 400,
             ("wrong_address_prefix",)),
            ("unknown account", "GET", "/v1/accounts/" + h.random_address(), None, 404,
             ("not_found",)),
            ("bad address in tx list", "GET", "/v1/accounts/x/transactions", None, 400,
             ("bad_address",)),
            ("bad limit", "GET", "/v1/accounts/%s/transactions?limit=0" % alice, None, 400,
             ("bad_request",)),
            ("limit too large", "GET", "/v1/accounts/%s/transactions?limit=201" % alice, None,
             400, ("bad_request",)),
            ("bad hash zz", "GET", T + "/zz", None, 400, ("bad_hex", "bad_request")),
            ("short hash", "GET", T + "/" + "ab" * 31, None, 400, ("bad_hex", "bad_request")),
            ("unknown hash", "GET", T + "/" + "00" * 32, None, 404, ("not_found",)),
            ("block past the tip", "GET", "/v1/blocks/999999", None, 404, ("not_found",)),
            ("block abc", "GET", "/v1/blocks/abc", None, 400, ("bad_request",)),
            ("block -1", "GET", "/v1/blocks/-1", None, 400, ("bad_request",)),
            ("block huge", "GET", "/v1/blocks/99999999999999999999999", None, 400,
             ("bad_request",)),
            ("batch broken framing", "POST", T + "/batch", b"\xff\xff\xff\x7f\x00", 400,
             ("malformed", "bad_request")),
        ]
        for name, method, path, body, status, codes in cases:
            hdrs = dict(JSON) if body is not None and not isinstance(body, bytes) else \
                {"Content-Type": "application/octet-stream"} if isinstance(body, bytes) else None
            expect(node, name, method, path, body, status, codes, headers=hdrs)

        # More than 1 MiB: 413 bad_request (the server may stop reading early).
        big = b'{"tx": "' + b"00" * (1024 * 1024) + b'"}'
        st, body = raw_request(node.url, b"POST /v1/transactions HTTP/1.1\r\nHost: x\r\n"
                               b"Content-Type: application/json\r\nContent-Length: %d\r\n"
                               b"Connection: close\r\n\r\n" % len(big) + big)
        check(st == 413 and '"bad_request"' in body.replace(" ", ""),
              "oversized body (%d bytes): expected 413 bad_request, got %d %r"
              % (len(big), st, body[:300]))
        log("ok  %-34s %d" % ("oversized body", st))
        # A request line that is not HTTP at all: an answer (4xx) or a close, never a crash.
        try:
            raw_request(node.url, b"\x00\x01garbage\r\n\r\n", timeout=2 * h.SLOW)
        except (AssertionError, h.TestFailure, OSError, ValueError, IndexError):
            pass

        # Nothing above changed anything.
        st1 = node.status()
        check(node.running(), "petrod died during the bad requests\n" + node.describe())
        check(st1["height"] == st0["height"] and st1["state_hash"] == st0["state_hash"],
              "bad requests changed the ledger: %r -> %r" % (st0, st1))
        check(node.account(alice) == a0, "bad requests changed alice's account")
        st, body = h.http_get(node.url, "/healthz")
        check(st == 200, "/healthz after bad requests: %d %r" % (st, body))

        # The valid tx: commits once; the same envelope again is refused.
        st, body = node.post(T + "?wait=commit", {"tx": tx})
        check(st == 200 and body.get("status") == "committed" and
              body.get("result", {}).get("code") == "ok",
              "valid captured tx: expected 200 committed ok, got %d %r" % (st, body))
        txh = body["hash"]
        st, body = node.post(T, {"tx": tx})
        check((st, body.get("error")) in ((409, "duplicate_tx"), (400, "bad_sequence")),
              "same tx again: expected 409 duplicate_tx or 400 bad_sequence, got %d %r"
              % (st, body))
        log("ok  %-34s %d %s" % ("duplicate tx", st, body.get("error")))
        got = node.tx(txh)
        check(got.get("status") == "committed" and got.get("source") == alice,
              "GET of the committed tx: %r" % got)
        st2 = node.status()
        check(st2["height"] >= st0["height"] + 1, "height did not advance for a committed tx")
        time.sleep(0.3 * h.SLOW)
        st3 = node.status()
        check(st3["state_hash"] == st2["state_hash"] and st3["height"] == st2["height"],
              "the duplicate submission changed the ledger: %r -> %r" % (st2, st3))

        # The batch endpoint: one valid envelope and one broken one in valid framing.
        tx2 = h.capture_tx(node, "pay", "--wallet", node.wallet("alice"), "--to", bob,
                           "--amount", "0.5")
        raw2 = bytes.fromhex(tx2)
        seq_before = node.account(alice)["sequence"]
        # The second envelope: version 2, then cut off inside the network id.
        body = len(raw2).to_bytes(4, "little") + raw2 + (3).to_bytes(4, "little") + b"\x02\x00\x00"
        st, res = h.http_post(node.url, T + "/batch", body,
                              headers={"Content-Type": "application/octet-stream"})
        check(st == 200 and isinstance(res, dict) and res.get("accepted") == 1
              and res.get("rejected") == [{"index": 1, "error": "malformed"}],
              "batch [valid, truncated]: expected 200 accepted 1, rejected [{index 1, malformed}], "
              "got %d %r" % (st, res))
        st, res = h.http_post(node.url, T + "/batch", body[:4 + len(raw2)],
                              headers={"Content-Type": "application/octet-stream"})
        check(st == 200 and isinstance(res, dict) and res.get("accepted") == 0
              and len(res.get("rejected") or []) == 1
              and res["rejected"][0].get("error") in ("duplicate_tx", "bad_sequence"),
              "batch with the same envelope again: expected it rejected as duplicate_tx or "
              "bad_sequence, got %d %r" % (st, res))
        log("ok  %-34s %r" % ("batch", res))
        node.wait_mempool_empty()
        st, page = node.get("/v1/accounts/%s/transactions?limit=1" % alice)
        newest = (page.get("transactions") or [{}])[0] if isinstance(page, dict) else {}
        check(node.account(alice)["sequence"] == seq_before + 1
              and newest.get("status") == "committed"
              and (newest.get("operations") or [{}])[0].get("amount") == "0.5",
              "the envelope accepted by the batch endpoint did not commit: alice's newest tx "
              "is %r" % newest)
        st3 = node.status()

        # /metrics
        st, text = h.http_get(node.url, "/metrics")
        check(st == 200 and isinstance(text, str), "/metrics: %d %r" % (st, text))
        m = re.search(r"^petro_height(?:\{[^}]*\})? (\d+)\s*$", text, re.M)
        check(m is not None, "/metrics has no 'petro_height N' line:\n%s" % text[:1000])
        check(int(m.group(1)) == st3["height"], "/metrics petro_height %s != status height %d"
              % (m.group(1), st3["height"]))

        # /v1/events: a block event after a payment.
        sse = h.SseReader(node.url)
        try:
            try:
                sse.read_head(timeout=2 * h.SLOW)
            except socket.timeout:
                pass  # headers may come with the first event
            if sse.status_line is None:
                time.sleep(0.2 * h.SLOW)  # let the node register the subscriber
            out = h.cli_ok(node, "pay", "--wallet", node.wallet("alice"), "--to", bob,
                           "--amount", "2", "--wait")
            pay = node.tx(h.find_hash(out) or "0" * 64)
            sse.read_head()
            check(sse.status_line.split(" ")[1] == "200", "/v1/events: %s" % sse.status_line)
            check("text/event-stream" in sse.headers.get("content-type", ""),
                  "/v1/events content-type: %r" % sse.headers.get("content-type"))
            seen = []
            deadline = time.monotonic() + 20 * h.SLOW
            while time.monotonic() < deadline:
                try:
                    name, data = sse.next_event()
                except (socket.timeout, EOFError) as e:
                    h.fail("/v1/events: no block event for height %d (seen %r): %r"
                           % (pay["height"], seen, e))
                try:
                    ev = json.loads(data)
                except ValueError:
                    h.fail("/v1/events: data is not JSON: event %r data %r" % (name, data))
                seen.append((name, ev.get("height")))
                if name == "block" and ev.get("height") == pay["height"]:
                    blk = h.get_ok(node.url, "/v1/blocks/%d" % pay["height"])
                    check(ev.get("hash") == blk.get("hash"),
                          "event block hash %r != /v1/blocks hash %r"
                          % (ev.get("hash"), blk.get("hash")))
                    log("ok  %-34s height %d" % ("SSE block event", ev["height"]))
                    break
            else:
                h.fail("/v1/events: no block event for height %d within the deadline (seen %r)"
                       % (pay["height"], seen))
        finally:
            sse.close()

        check(node.running(), "petrod died\n" + node.describe())
        node.check_no_sanitizer_report()
        # SIGTERM with an event stream still open: the node must close it and exit cleanly,
        # not hang on the long-lived connection.
        sse = h.SseReader(node.url)
        try:
            sse.read_head()
            rc = node.stop(timeout=15 * h.SLOW)
        finally:
            sse.close()
        check(rc == 0, "petrod exited with %d on SIGTERM\n%s" % (rc, node.describe()))
        node.check_no_sanitizer_report()


if __name__ == "__main__":
    h.main(run)
