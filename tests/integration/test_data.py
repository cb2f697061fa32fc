"""The data family end to end (docs/api.md "Data"): data_set transactions built from the bytes
docs/protocol.md gives (type 90, name as text, value as a byte list), submitted to a real
devnet, read back through GET /v1/data/{address}?name=, rendered in GET /v1/transactions, and
removed; bad names and over-long values are refused before they reach a block."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
import petro_tx as ptx  # noqa: E402
from petro_harness import check, log  # noqa: E402


def op_data_set(name, value):
    return ptx.u8(90) + ptx.u8(len(name)) + name + ptx.u8(len(value)) + value


def run():
    with h.Node(name="data") as node:
        node.start()
        net = bytes.fromhex(node.status()["network_id"])
        alice_k = ptx.Key.from_wallet(node.wallet("alice"))
        alice = node.address("alice")

        def submit(op, want_status=200):
            seq = node.account(alice)["sequence"]
            env = ptx.envelope(ptx.body(net, alice_k.pub, seq + 1, [op]), [alice_k]).hex()
            st, res = node.post("/v1/transactions?wait=commit", {"tx": env})
            check(st == want_status, "submit: %s %s" % (st, res))
            return res

        value = bytes(range(64))
        res = submit(op_data_set(b"kyc-attestation", value))
        st, got = node.get("/v1/data/%s?name=kyc-attestation" % alice)
        check(st == 200 and got["value"] == value.hex() and got["account"] == alice,
              "read back: %s %s" % (st, got))
        st, tx = node.get("/v1/transactions/" + res["hash"])
        op = tx["operations"][0]
        check(op == {"type": "data_set", "name": "kyc-attestation", "value": value.hex()},
              "rendered op: %s" % op)
        log("set, read back and rendered")

        submit(op_data_set(b"kyc-attestation", b"\x01"))
        st, got = node.get("/v1/data/%s?name=kyc-attestation" % alice)
        check(st == 200 and got["value"] == "01", "replaced: %s" % got)
        submit(op_data_set(b"kyc-attestation", b""))
        st, got = node.get("/v1/data/%s?name=kyc-attestation" % alice)
        check(st == 404 and got["error"] == "not_found", "removed: %s %s" % (st, got))
        log("replaced and removed")

        # Refused at admission: an empty name (bad_text), a value of 65 bytes (malformed).
        res = submit(op_data_set(b"", b"\x01"), want_status=400)
        check(res["error"] == "bad_text", "empty name: %s" % res)
        res = submit(op_data_set(b"x", bytes(65)), want_status=400)
        check(res["error"] == "malformed", "65 bytes: %s" % res)
        st, got = node.get("/v1/data/%s?name=" % alice)
        check(st == 400 and got["error"] == "bad_text", "empty name read: %s %s" % (st, got))
        st, got = node.get("/v1/data/%s" % alice)
        check(st == 400 and got["error"] == "bad_request", "no name: %s %s" % (st, got))
        log("bad names and values refused")

        # The CLI builds it from the schema alone: petro op data_set --name --value HEX.
        out = h.cli_ok(node, "op", "data_set", "--wallet", node.wallet("alice"), "--name",
                       "invoice-42", "--value", "00ff10", "--wait")
        st, got = node.get("/v1/data/%s?name=invoice-42" % alice)
        check(st == 200 and got["value"] == "00ff10", "CLI set: %s %s (%s)" % (st, got, out))
        rc, out, err = node.cli("op", "data_set", "--wallet", node.wallet("alice"), "--name",
                                "x", "--value", "0g")
        check(rc == 2 and "--value" in err, "bad hex: %s %r" % (rc, err))
        log("petro op data_set")
        node.check_chain()


if __name__ == "__main__":
    h.main(run)
