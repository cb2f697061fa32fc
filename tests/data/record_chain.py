"""Record a real devnet chain for tests/unit/test_replay_chain.c (Python 3, standard library).

Why: the protocol bytes (transaction and block encodings, results, state hashes) must survive
refactors of libpetro unchanged. This script starts a real `petrod devnet` with the binaries
in PETRO_BIN and drives it through the `petro` CLI and through envelopes built in Python
(tests/integration/petro_tx.py), so that the chain holds every operation type of today's
protocol (accounts 1..3, payments 4, assets 5..9, reserves 10..14, trade 30..38, zones
40..44, data 90), transactions whose operations fail inside a block (result op_failed), multi-op,
multi-family and multisig transactions, a memo and time bounds, and blocks with several
transactions. It then exports genesis.bin and every stored block (GET /v1/blocks?from=H: the
bytes a follower replays) into one text file, checks the export against the node's own block
hashes, stops the node, copies its data directory (so that later code can run
`petrod verify` on it) and runs `petrod verify` on the copy.

Usage (re-runnable; every run makes a new devnet, so keys, timestamps and hashes differ from
run to run while the shape of the chain stays the same; takes about a minute):

    PETRO_BIN=build/bin python3 tests/data/record_chain.py tests/data/chain-v2.txt \
        [--data-copy DIR]

(tests/data/chain-v1.txt was recorded by the protocol-v1 version of this script, before the
operation-family registry; protocol v2 refuses its bytes by design and the file stays as a
record of that.)

Output format (the file repeats it in its leading '#' lines):

    # comment
    genesis <hex of genesis.bin>
    block <height> <hex of the encoded block> <block hash hex> <state hash hex>
    ops <type>=<count> ...        (informational: operations per type in the chain)

Blocks come in height order from 0. Block 0 is the 277-byte header petro_ledger_genesis
produces (protocol v2: version 2, zero proposer, zero signature; rebuilt here from
GET /v1/blocks/0 and checked against its hash); blocks 1..tip are the stored blocks, each
header signed by the devnet's validator (DIR/validator.json, not an account). Block hash =
BLAKE2b-256 of the header's first 213 bytes (everything but the signature); state hash = the
header's state_hash field (both checked here against GET /v1/blocks/H, and the signature
field against the JSON's).
"""

import argparse
import hashlib
import http.client
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(_HERE), "integration"))
import petro_harness as h  # noqa: E402
import petro_tx as ptx  # noqa: E402
from petro_harness import check, log  # noqa: E402

# Operation names of the API (petrod/api) -> protocol numbers (include/petro/tx.h).
OP_TYPES = {
    "create_account": 1, "set_signer": 2, "set_thresholds": 3, "payment": 4,
    "create_asset": 5, "change_trust": 6, "authorize_trust": 7, "issue": 8, "redeem": 9,
    "attest_reserve": 10, "oracle_price": 11, "issue_reserve": 12, "redeem_reserve": 13,
    "fulfill_redemption": 14,
    "trade_create": 30, "trade_fund": 31, "trade_present": 32, "trade_approve": 33,
    "trade_release": 34, "trade_refund": 35, "trade_dispute": 36, "trade_resolve": 37,
    "trade_amend": 38,
    "zone_create": 40, "zone_policy": 41, "zone_assign": 42, "set_kyc_tier": 43,
    "trade_target": 44,
    "data_set": 90,
}
HASHED_SIZE = 1 + 8 + 32 + 8 + 32 + 32 + 32 + 32 + 32 + 4  # what the block hash covers
HEADER_SIZE = HASHED_SIZE + 64                              # then the proposer's signature
STATE_HASH_OFFSET = 1 + 8 + 32 + 8 + 32 + 32 + 32
TX_COUNT_OFFSET = HASHED_SIZE - 4
TX_PREFIX_SIZE = 1 + 32 + 32 + 8 + 8 + 8 + 8  # version .. valid_until; the memo follows
SIG_SIZE = 32 + 64
BASE = h.BASE
DAY_MS = 86400000
TRADE_TERMS = ("--hs", "870830", "--goods", "Truck brake assemblies", "--quantity", "400",
               "--unit", "pcs", "--incoterm", "CIF", "--origin", "BR", "--destination", "VE",
               "--doc", "bill_of_lading", "--doc", "inspection_certificate")
DOCS = ("bill_of_lading", "inspection_certificate")


def now_ms():
    return int(time.time() * 1000)


class Recorder:
    """One devnet node and the scenario's bookkeeping: wallets, keys, pending sequences."""

    def __init__(self, node, work):
        self.node = node
        self.work = work
        self.addr = {n: node.address(n) for n in h.DEMO_WALLETS}
        self.key = {n: ptx.Key.from_wallet(node.wallet(n)) for n in h.DEMO_WALLETS}
        self.net = bytes.fromhex(node.status()["network_id"])
        self.pending = {}  # source name -> envelopes built and not yet committed
        self.failed = 0    # transactions committed with op_failed

    def new_wallet(self, name):
        """A devnet wallet for an account the scenario creates."""
        path = os.path.join(self.work, name + ".json")
        h.cli_ok(self.node, "keygen", "--out", path, "--devnet")
        self.addr[name] = h.wallet_address(path, node_url=self.node.url)
        self.key[name] = ptx.Key.from_wallet(path)

    def W(self, name):
        path = os.path.join(self.work, name + ".json")
        return path if os.path.exists(path) else self.node.wallet(name)

    # -------------------------------------------------------------- through the CLI

    def cli(self, *args, expect="ok"):
        """One transaction through the CLI, waiting for its block. expect: "ok", or the code
        of the operation that must fail in a committed block (result op_failed), sent with
        --no-preflight since the CLI refuses before signing what it sees would fail."""
        args = tuple(str(a) for a in args) + ("--wait", "--json")
        if expect != "ok":
            args += ("--no-preflight",)
        rc, out, err = self.node.cli(*args)
        desc = h.describe_cli(args, rc, out, err)
        try:
            body = json.loads(out)
        except ValueError:
            h.fail("no JSON answer\n" + desc)
        check(isinstance(body, dict) and body.get("status") == "committed",
              "not committed\n" + desc)
        res = body["result"]
        if expect == "ok":
            check(rc == 0 and res["code"] == "ok", "expected ok\n" + desc)
        else:
            check(rc == 1 and res["code"] == "op_failed" and res["op_results"] == [expect],
                  "expected op_failed with %s\n%s" % (expect, desc))
            self.failed += 1
        return body

    def capture_op(self, *args):
        """The encoded operation of the one-op transaction the CLI builds (not submitted)."""
        args = tuple(str(a) for a in args)
        raw = bytes.fromhex(h.capture_tx(self.node, *args))
        nsig = args.count("--wallet")
        end = len(raw) - 1 - SIG_SIZE * nsig
        check(raw[end] == nsig, "signature count %d != %d wallets" % (raw[end], nsig))
        start = TX_PREFIX_SIZE + 1 + raw[TX_PREFIX_SIZE]
        check(raw[start] == 1, "the CLI built %d operations" % raw[start])
        return raw[start + 1:end]

    # -------------------------------------------------------------- built in Python

    def envelope(self, source, signers, ops, **kw):
        """(envelope, tx hash hex) from account `source` signed by the named keys; the
        sequence counts the envelopes of this source built and not yet committed."""
        n = self.pending.get(source, 0)
        seq = self.node.account(self.addr[source])["sequence"] + n + 1
        self.pending[source] = n + 1
        body = ptx.body(self.net, self.key[source].pub, seq, ops, **kw)
        return ptx.envelope(body, [self.key[s] for s in signers]), ptx.tx_id(body).hex()

    def send(self, source, signers, ops, expect="ok", **kw):
        env, _ = self.envelope(source, signers, ops, **kw)
        st, body = self.node.post("/v1/transactions?wait=commit", {"tx": env.hex()})
        self.pending.clear()
        check(st == 200, "tx from %s: %d %r" % (source, st, body))
        self.expect(body, expect)
        return body

    def send_batch(self, items):
        """items: (envelope, hash, expect). One POST /v1/transactions/batch, so that they
        land in one block; waits for each. Returns the heights they landed at."""
        payload = b"".join(struct.pack("<I", len(env)) + env for env, _, _ in items)
        st, body, _ = h.http_request(self.node.url, "POST", "/v1/transactions/batch",
                                     body=payload,
                                     headers={"Content-Type": "application/octet-stream"})
        check(st == 200 and body.get("accepted") == len(items), "batch: %d %r" % (st, body))
        heights = set()
        for _, tx_hash, expect in items:
            tx = self.wait_committed(tx_hash)
            self.expect(tx, expect)
            heights.add(tx["height"])
        self.pending.clear()
        return heights

    def wait_committed(self, tx_hash, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st, body = self.node.get("/v1/transactions/" + tx_hash)
            if st == 200 and body.get("status") == "committed":
                return body
            time.sleep(0.05)
        h.fail("transaction %s not committed within %.0fs" % (tx_hash, timeout))

    def expect(self, body, expect):
        """expect: "ok" or the op_results list of an op_failed transaction."""
        res = body["result"]
        if expect == "ok":
            check(res["code"] == "ok", "expected ok: %r" % body)
        else:
            check(res["code"] == "op_failed" and res["op_results"] == expect,
                  "expected op_failed %r: %r" % (expect, body))
            self.failed += 1

    # -------------------------------------------------------------- reads

    def next_contract_id(self):
        contracts = h.get_ok(self.node.url, "/v1/trade/contracts")["contracts"]
        return max([c["id"] for c in contracts] or [0]) + 1

    def contract(self, cid):
        return h.get_ok(self.node.url, "/v1/trade/contracts/%d" % cid)

    def reserve(self, code):
        for r in h.get_ok(self.node.url, "/v1/reserves")["reserves"]:
            if r["asset"].split(":")[0] == code:
                return r
        h.fail("no reserve %s" % code)


# ------------------------------------------------------------------ the scenario


def accounts(r):
    """1..4: new accounts (one in a two-op transaction with a memo and time bounds), a 2-of-2
    multisig account built with set_signer and set_thresholds, payments that fail."""
    log("accounts and payments")
    for name in ("carol", "dave"):
        r.new_wallet(name)
    k = r.key
    r.cli("create-account", "--wallet", r.W("alice"), "--address", r.addr["carol"], "--amount",
          "300")
    r.send("alice", ["alice"], [ptx.op_create_account(k["dave"].pub, 50 * BASE),
                                ptx.op_payment(k["bob"].pub, 1 * BASE)],
           memo=b"replay: two ops", valid_after=now_ms() - DAY_MS,
           valid_until=now_ms() + DAY_MS)
    r.cli("create-account", "--wallet", r.W("bob"), "--address", r.addr["dave"], "--amount",
          "1", expect="account_exists")
    r.cli("set-signer", "--wallet", r.W("carol"), "--signer", r.addr["dave"], "--weight", "1")
    r.cli("set-thresholds", "--wallet", r.W("carol"), "--master", "1", "--low", "1", "--medium",
          "2", "--high", "2")
    r.cli("pay", "--wallet", r.W("carol"), "--wallet", r.W("dave"), "--source", r.addr["carol"],
          "--to", r.addr["bob"], "--amount", "2")
    r.cli("pay", "--wallet", r.W("alice"), "--to", r.addr["bob"], "--amount", "999999",
          expect="balance_low")
    # carol has KYC tier 0; the exporter's zone (Manaus) needs tier 1 of the payer.
    r.cli("pay", "--wallet", r.W("carol"), "--wallet", r.W("dave"), "--source", r.addr["carol"],
          "--to", r.addr["exporter"], "--amount", "1", expect="zone_kyc_tier_low")
    r.cli("pay", "--wallet", r.W("alice"), "--to", r.addr["bank"], "--amount", "0.00000001")


def assets(r):
    """5..9: an auth-required revocable asset, trust lines, authorisation and revocation,
    issue, payment and redemption of issued assets, and their failures."""
    log("assets")
    bank = r.addr["bank"]
    eur, usd = "EUR:" + bank, "USD:" + bank
    r.cli("create-asset", "--wallet", r.W("bank"), "--code", "EUR", "--auth-required",
          "--revocable")
    r.cli("create-asset", "--wallet", r.W("bank"), "--code", "EUR", expect="asset_exists")
    for who in ("alice", "bob"):
        r.cli("trust", "--wallet", r.W(who), "--asset", eur)
    r.cli("issue", "--wallet", r.W("bank"), "--asset", "EUR", "--to", r.addr["alice"],
          "--amount", "100", expect="not_authorized")
    for who in ("alice", "bob"):
        r.cli("authorize", "--wallet", r.W("bank"), "--trustor", r.addr[who], "--code", "EUR")
    r.cli("issue", "--wallet", r.W("bank"), "--asset", eur, "--to", r.addr["alice"], "--amount",
          "100")
    r.cli("pay", "--wallet", r.W("alice"), "--to", r.addr["bob"], "--asset", eur, "--amount",
          "30")
    r.cli("redeem", "--wallet", r.W("bob"), "--asset", eur, "--amount", "10")
    r.cli("authorize", "--wallet", r.W("bank"), "--trustor", r.addr["bob"], "--code", "EUR",
          "--revoke")
    r.cli("pay", "--wallet", r.W("alice"), "--to", r.addr["bob"], "--asset", eur, "--amount",
          "5", expect="not_authorized")
    r.cli("untrust", "--wallet", r.W("alice"), "--asset", eur, expect="trust_has_balance")
    r.cli("trust", "--wallet", r.W("alice"), "--asset", usd, "--limit", "10")
    r.cli("issue", "--wallet", r.W("bank"), "--asset", "USD", "--to", r.addr["alice"],
          "--amount", "20", expect="line_full")
    r.cli("issue", "--wallet", r.W("bank"), "--asset", "USD", "--to", r.addr["alice"],
          "--amount", "7.5")
    r.cli("trust", "--wallet", r.W("bob"), "--asset", usd)
    r.cli("untrust", "--wallet", r.W("bob"), "--asset", usd)


def reserves(r):
    """10..14: attestations (2 of 3 auditors, one superseding the genesis gold), oracle
    prices, reserve-backed issuance up to the cap, redemption for delivery and fulfilment."""
    log("reserves")
    aud, treasury = r.addr["auditors"], r.addr["treasury"]
    cert = os.path.join(r.work, "certificate.pdf")
    with open(cert, "wb") as f:
        f.write(b"%PDF-1.4 replay certificate: 500 barrels, tank 7\n")
    r.cli("attest", "--wallet", r.W("auditor-1"), "--wallet", r.W("auditor-2"), "--source", aud,
          "--commodity", "oil", "--quantity", "500", "--custodian", "Jose terminal, tank 7",
          "--document", cert, "--valid-days", "30")
    r.cli("attest", "--wallet", r.W("alice"), "--commodity", "oil", "--quantity", "1",
          "--custodian", "nobody", "--document-hash", "ab" * 32, expect="not_auditors")
    gold_id = r.reserve("XAU")["attestations"][0]["id"]
    r.cli("attest", "--wallet", r.W("auditor-2"), "--wallet", r.W("auditor-3"), "--source", aud,
          "--commodity", "gold", "--quantity", "1200", "--custodian", "vault B, Caracas",
          "--document-hash", "cd" * 32, "--valid-days", "60", "--supersedes", gold_id)
    for i, price in ((1, "70"), (2, "80.5"), (3, "95")):
        r.cli("oracle-price", "--wallet", r.W("oracle-%d" % i), "--commodity", "oil", "--price",
              price)
    r.cli("oracle-price", "--wallet", r.W("oracle-2"), "--commodity", "gold", "--price", "2650",
          "--quote", "USD")
    r.cli("oracle-price", "--wallet", r.W("alice"), "--commodity", "oil", "--price", "1",
          expect="not_oracle")
    officers = ("--wallet", r.W("treasury-officer-1"), "--wallet", r.W("treasury-officer-2"),
                "--source", treasury)
    over = h.to_base(r.reserve("PTR")["headroom"]) + BASE
    r.cli("issue-reserve", *officers, "--asset", "PTR", "--to", r.addr["alice"], "--amount",
          h.fmt_base(over), expect="reserve_cap_exceeded")
    r.cli("issue-reserve", *officers, "--asset", "PTR", "--to", r.addr["alice"], "--amount",
          "500")
    r.cli("redeem", "--wallet", r.W("alice"), "--asset", "PTR", "--amount", "10", "--delivery",
          "BOL 2026-117, Jose terminal")
    fulfil = ("fulfill", "--wallet", r.W("treasury-officer-2"), "--wallet",
              r.W("treasury-officer-3"), "--source", treasury, "--request", "1")
    r.cli(*fulfil)
    r.cli(*fulfil, expect="redemption_done")
    xau = "XAU:" + treasury
    r.cli("trust", "--wallet", r.W("alice"), "--asset", xau)
    r.cli("issue-reserve", *officers, "--asset", xau, "--to", r.addr["alice"], "--amount", "5")
    r.cli("redeem", "--wallet", r.W("alice"), "--asset", xau, "--amount", "2", "--delivery",
          "vault pickup, Caracas")


def trade_create(r, amount, *extra):
    cid = r.next_contract_id()
    r.cli("trade", "create", "--wallet", r.W("importer"), "--exporter", r.addr["exporter"],
          "--amount", amount, *TRADE_TERMS, "--approver", r.addr["inspector-1"], "--approver",
          r.addr["inspector-2"], "--approver", r.addr["trade-bank"], "--threshold", "2", *extra)
    check(r.contract(cid)["amount"] == amount, "contract %d: %r" % (cid, r.contract(cid)))
    return cid


def present_all(r, cid, tag):
    for doc in DOCS:
        digest = hashlib.blake2b(("%s %s %d" % (doc, tag, cid)).encode(),
                                 digest_size=32).hexdigest()
        r.cli("trade", "present", "--wallet", r.W("exporter"), "--id", cid, "--doc", doc,
              "--hash", digest, "--ref", "%s-%s" % (doc[:3].upper(), tag))


def approve(r, cid, *who):
    for name in who:
        r.cli("trade", "approve", "--wallet", r.W(name), "--id", cid)


def trade(r):
    """30..38: the happy path, an amended partial contract (countersigned), a rejection, a
    refund after expiry, a dispute settled by two approvers, and the failures on the way."""
    log("trade")
    imp, exp = r.W("importer"), r.W("exporter")
    c1 = trade_create(r, "20000")
    r.cli("trade", "present", "--wallet", exp, "--id", c1, "--doc", "bill_of_lading", "--hash",
          "00" * 32, expect="trade_not_funded")
    r.cli("trade", "fund", "--wallet", imp, "--id", c1)
    r.cli("trade", "release", "--wallet", exp, "--id", c1, expect="trade_docs_missing")
    r.cli("trade", "present", "--wallet", exp, "--id", c1, "--doc", "certificate_of_origin",
          "--hash", "11" * 32, expect="trade_doc_not_required")
    present_all(r, c1, "c1")
    approve(r, c1, "inspector-1")
    r.cli("trade", "release", "--wallet", exp, "--id", c1, expect="trade_approvals_low")
    approve(r, c1, "trade-bank")
    r.cli("trade", "release", "--wallet", exp, "--id", c1)
    r.cli("trade", "release", "--wallet", exp, "--id", c1, expect="trade_closed")

    c2 = trade_create(r, "3000", "--partial")
    r.cli("trade", "fund", "--wallet", imp, "--id", c2)
    c = r.contract(c2)
    when = ("--deadline-ms", c["shipment_deadline_ms"] + DAY_MS, "--expiry-ms",
            c["expiry_ms"] + DAY_MS)
    r.cli("trade", "amend", "--wallet", imp, "--id", c2, "--amount", "3600", *when,
          "--counter-wallet", imp, expect="trade_bad_counter_sig")
    sig = h.cli_ok(r.node, "trade", "amend-sign", "--wallet", exp, "--id", c2, "--amount",
                   "3600", *[str(a) for a in when]).strip()
    r.cli("trade", "amend", "--wallet", imp, "--id", c2, "--amount", "3600", *when,
          "--counter-sig", sig)
    for i, part in enumerate(("1200", "2400")):
        present_all(r, c2, "p%d" % i)
        approve(r, c2, "inspector-2", "trade-bank")
        r.cli("trade", "release", "--wallet", imp, "--id", c2, "--amount", part)

    c3 = trade_create(r, "1000")
    r.cli("trade", "fund", "--wallet", imp, "--id", c3)
    present_all(r, c3, "c3")
    r.cli("trade", "approve", "--wallet", r.W("inspector-1"), "--id", c3, "--reject",
          "--reason", "4")
    r.cli("trade", "approve", "--wallet", r.W("alice"), "--id", c3, expect="trade_not_approver")

    c4 = trade_create(r, "1000")
    r.cli("trade", "fund", "--wallet", imp, "--id", c4)
    r.cli("trade", "dispute", "--wallet", imp, "--id", c4, "--reason", "7")
    r.cli("trade", "release", "--wallet", exp, "--id", c4, expect="trade_disputed")
    for who in ("inspector-1", "trade-bank"):
        r.cli("trade", "resolve", "--wallet", r.W(who), "--id", c4, "--exporter-amount", "400")

    t = now_ms()
    c5 = trade_create(r, "500", "--deadline-ms", t + 3000, "--expiry-ms", t + 4000)
    r.cli("trade", "fund", "--wallet", imp, "--id", c5)
    r.cli("trade", "refund", "--wallet", imp, "--id", c5, expect="trade_not_expired")
    time.sleep(max(0.0, (t + 4500) / 1000.0 - time.time()))
    r.cli("trade", "refund", "--wallet", imp, "--id", c5)
    r.cli("trade", "release", "--wallet", exp, "--id", c5, expect="trade_refunded")


def zones(r):
    """40..44: a new zone with a policy, assignment, KYC tier, removal, a turnover target,
    and the zone rules failing payments."""
    log("zones")
    za = r.W("zone-authority")
    r.cli("zone", "create", "--wallet", r.W("alice"), "--id", "5", "--name", "Iquique",
          "--country", "CL", expect="zone_not_authority")
    r.cli("zone", "create", "--wallet", za, "--id", "5", "--name", "Zona Franca de Iquique",
          "--country", "CL")
    r.cli("zone", "policy", "--wallet", za, "--id", "5", "--fee-bps", "10", "--limit", "5000",
          "--min-tier", "1", "--allow", "PTR", "--allow", "USD:" + r.addr["bank"])
    r.cli("zone", "assign", "--wallet", za, "--account", r.addr["bob"], "--zone", "5")
    r.cli("zone", "kyc", "--wallet", za, "--account", r.addr["bob"], "--tier", "3")
    r.cli("pay", "--wallet", r.W("alice"), "--to", r.addr["bob"], "--amount", "6000",
          expect="zone_limit_exceeded")
    r.cli("pay", "--wallet", r.W("alice"), "--to", r.addr["bob"], "--amount", "100")
    r.cli("zone", "assign", "--wallet", za, "--account", r.addr["alice"], "--zone", "5")
    r.cli("zone", "assign", "--wallet", za, "--account", r.addr["alice"], "--zone", "0")
    r.cli("zone", "policy", "--wallet", r.W("alice"), "--id", "5", expect="zone_wrong_authority")
    year = int(time.strftime("%Y", time.gmtime()))
    r.cli("trade", "target", "--wallet", za, "--origin", "BR", "--destination", "VE",
          "--base-year", year - 1, "--target-year", year, "--growth-pct", "30")


def data(r):
    """90: named values set, replaced, and removed (no --value: an empty value). data_set
    has no failure inside a block: its only checks are static (the node refuses those)."""
    log("data")
    r.cli("data", "set", "--wallet", r.W("exporter"), "--name", "iso-9001", "--value",
          "ab" * 32)
    r.cli("data", "set", "--wallet", r.W("exporter"), "--name", "iso-9001", "--value",
          "cd" * 16)
    r.cli("data", "set", "--wallet", r.W("bank"), "--name", "swift", "--value",
          "BANKVECCXXX".encode().hex())
    r.cli("data", "set", "--wallet", r.W("exporter"), "--name", "iso-9001")


def multi(r):
    """Multi-op transactions across families, built in Python from operations the CLI
    encodes; multisig in Python; one failing op undoing the ops before it; and one block of
    several transactions from several sources, one of which fails."""
    log("multi-op, multisig and a block of several transactions")
    k, za = r.key, r.W("zone-authority")
    ops = [r.capture_op("zone", "create", "--wallet", za, "--id", "6", "--name", "Colonia",
                        "--country", "UY"),
           r.capture_op("zone", "policy", "--wallet", za, "--id", "6", "--fee-bps", "5",
                        "--min-tier", "0"),
           r.capture_op("zone", "assign", "--wallet", za, "--account", r.addr["dave"],
                        "--zone", "6"),
           r.capture_op("zone", "kyc", "--wallet", za, "--account", r.addr["dave"], "--tier",
                        "2")]
    r.send("zone-authority", ["zone-authority"], ops)
    cid = r.next_contract_id()
    ops = [r.capture_op("trade", "create", "--wallet", r.W("importer"), "--exporter",
                        r.addr["exporter"], "--amount", "250", *TRADE_TERMS, "--approver",
                        r.addr["inspector-2"], "--threshold", "1"),
           r.capture_op("trade", "fund", "--wallet", r.W("importer"), "--id", cid),
           ptx.op_payment(k["exporter"].pub, 3 * BASE)]
    r.send("importer", ["importer"], ops)
    check(r.contract(cid)["state"] == "funded", "contract %d: %r" % (cid, r.contract(cid)))
    r.send("treasury", ["treasury-officer-1", "treasury-officer-3"],
           [ptx.op_payment(k["alice"].pub, 5 * BASE), ptx.op_payment(k["bob"].pub, 5 * BASE)])
    attest = r.capture_op("attest", "--wallet", r.W("auditor-1"), "--commodity", "oil",
                          "--quantity", "25", "--custodian", "Puerto Miranda",
                          "--document-hash", "ef" * 32, "--valid-days", "10")
    r.send("auditors", ["auditor-1", "auditor-3"], [attest])
    r.send("bob", ["bob"], [ptx.op_payment(k["alice"].pub, BASE),
                            ptx.op_payment(k["alice"].pub, 10 ** 15)],
           expect=["ok", "balance_low"])
    items = [r.envelope("alice", ["alice"], [ptx.op_payment(k["bob"].pub, BASE)]) + ("ok",),
             r.envelope("bob", ["bob"], [ptx.op_payment(k["alice"].pub, 2 * BASE)]) + ("ok",),
             r.envelope("carol", ["carol", "dave"],
                        [ptx.op_payment(k["alice"].pub, BASE)]) + ("ok",),
             r.envelope("dave", ["dave"], [ptx.op_payment(k["alice"].pub, 10 ** 14)]) +
             (["balance_low"],),
             r.envelope("alice", ["alice"], [ptx.op_payment(k["carol"].pub, BASE)]) + ("ok",)]
    heights = r.send_batch(items)
    log("batch of %d transactions landed in block(s) %s" % (len(items), sorted(heights)))


# ------------------------------------------------------------------ export


def get_bytes(base_url, path):
    u = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        data = resp.read()
        check(resp.status == 200, "GET %s: %d %r" % (path, resp.status, data[:200]))
        return data
    finally:
        conn.close()


def bech32_key(addr):
    """The 32 bytes of a bech32m address (the node wrote it; no checksum check)."""
    acc, bits, out = 0, 0, bytearray()
    for c in addr[addr.rfind("1") + 1:-6]:
        acc = (acc << 5) | h._CHARSET.index(c)
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return bytes(out[:32])


def block0_header(blk):
    """Block 0's encoded header from its JSON (petro_block_header_encode's layout): the 213
    hashed bytes, then the signature. Genesis has neither proposer nor signature."""
    hx = bytes.fromhex
    header = (struct.pack("<BQ", blk["version"], 0) + hx(blk["prev_hash"]) +
              struct.pack("<Q", blk["timestamp_ms"]) + hx(blk["tx_root"]) +
              hx(blk["witness_root"]) + hx(blk["result_root"]) + hx(blk["state_hash"]) +
              bech32_key(blk["proposer"]) + struct.pack("<I", blk["tx_count"]) +
              hx(blk["signature"]))
    check(len(header) == HEADER_SIZE, "block 0: %d header bytes" % len(header))
    check(header[HASHED_SIZE - 36:] == bytes(HEADER_SIZE - HASHED_SIZE + 36),
          "block 0: proposer, tx_count and signature must be zero")
    return header


def check_block(raw, blk, height):
    """The encoded block matches the node's JSON of it: hash, state hash, height, count."""
    header = raw[:HEADER_SIZE]
    check(len(header) == HEADER_SIZE and header[0] == 2, "block %d: not a v2 header" % height)
    digest = ptx.blake2b256(header[:HASHED_SIZE]).hex()
    check(digest == blk["hash"], "block %d: BLAKE2b(first %d bytes) %s != %s" %
          (height, HASHED_SIZE, digest, blk["hash"]))
    check(header[HASHED_SIZE:].hex() == blk["signature"], "block %d: signature" % height)
    check(header[STATE_HASH_OFFSET:STATE_HASH_OFFSET + 32].hex() == blk["state_hash"],
          "block %d: state hash field" % height)
    check(struct.unpack_from("<Q", header, 1)[0] == height, "block %d: height field" % height)
    check(struct.unpack_from("<I", header, TX_COUNT_OFFSET)[0] == len(blk["transactions"]),
          "block %d: tx_count" % height)


def fetch_blocks(node, tip):
    """Encoded blocks 1..tip from GET /v1/blocks?from=H (u32 LE size + block, repeated)."""
    blocks, height = [], 1
    while height <= tip:
        data = get_bytes(node.url, "/v1/blocks?from=%d" % height)
        check(len(data) > 0, "no blocks from %d" % height)
        off = 0
        while off < len(data):
            size = struct.unpack_from("<I", data, off)[0]
            blocks.append(data[off + 4:off + 4 + size])
            off += 4 + size
            height += 1
    return blocks[:tip]


def export(node, out_path):
    """Write the chain file; returns (blocks, txs, op counts, op_failed count, size)."""
    with open(os.path.join(node.data_dir, "genesis.bin"), "rb") as f:
        genesis = f.read()
    tip = node.status()["height"]
    b0 = h.get_ok(node.url, "/v1/blocks/0")
    raws = [block0_header(b0)] + fetch_blocks(node, tip)
    lines, counts, txs, failed = [], {}, 0, 0
    for height, raw in enumerate(raws):
        blk = h.get_ok(node.url, "/v1/blocks/%d" % height)
        check_block(raw, blk, height)
        lines.append("block %d %s %s %s" % (height, raw.hex(), blk["hash"], blk["state_hash"]))
        for tx_hash in blk["transactions"]:
            tx = node.tx(tx_hash)
            txs += 1
            failed += tx["result"]["code"] != "ok"
            for op in tx["operations"]:
                t = OP_TYPES[op["type"]]
                counts[t] = counts.get(t, 0) + 1
    missing = sorted(set(OP_TYPES.values()) - set(counts))
    check(not missing, "operation types missing from the chain: %r" % missing)
    head = [l.rstrip() for l in HEADER_LINES.strip("\n").split("\n")]
    head.append("# recorded %s by petrod %s, network id %s: %d blocks, %d transactions "
                "(%d op_failed)" % (time.strftime("%Y-%m-%d", time.gmtime()),
                                    node.status()["version"], node.status()["network_id"],
                                    len(raws), txs, failed))
    ops = "ops " + " ".join("%d=%d" % (t, counts[t]) for t in sorted(counts))
    text = "\n".join(head + ["genesis " + genesis.hex()] + lines + [ops]) + "\n"
    with open(out_path, "w") as f:
        f.write(text)
    return len(raws), txs, counts, failed, len(text)


HEADER_LINES = """
# Petro chain v2: a devnet chain of protocol v2 (signed blocks with a witness root,
# transactions signed in the petro-tx-v2 domain, genesis format 3).
# Written by tests/data/record_chain.py (see there for how to re-record); replayed by
# tests/unit/test_replay_chain.c, which must reproduce every block hash and state hash.
# Do not edit by hand. Lines:
#   genesis <hex of genesis.bin>
#   block <height> <hex of the encoded block> <block hash hex> <state hash hex>
#     (heights 0..tip in order; block 0 is the 277-byte header of the genesis block;
#     a block hash is BLAKE2b-256 of a header's first 213 bytes)
#   ops <type>=<count> ...   (operations per type in the chain; informational)
"""


# ------------------------------------------------------------------ main


def copy_data(node, dest):
    if os.path.exists(dest):
        shutil.rmtree(dest)
    shutil.copytree(node.data_dir, dest, symlinks=True)
    p = subprocess.run([h.PETROD, "verify", "--data", dest], capture_output=True, text=True)
    check(p.returncode == 0, "petrod verify on %s: %d\n%s%s" % (dest, p.returncode, p.stdout,
                                                               p.stderr))
    log(p.stdout.strip())


def record(out_path, data_copy):
    work = tempfile.mkdtemp(prefix="petro-record-")
    try:
        with h.Node(name="record") as node:
            node.start()
            r = Recorder(node, work)
            for step in (accounts, assets, reserves, trade, zones, data, multi):
                step(r)
            node.wait_mempool_empty()
            node.check_chain()
            n_blocks, n_txs, counts, failed, size = export(node, out_path)
            check(failed == r.failed, "op_failed in blocks %d, expected %d" % (failed, r.failed))
            rc = node.stop()
            check(rc == 0, "petrod exit %d\n%s" % (rc, node.describe()))
            node.check_no_sanitizer_report()
            if data_copy:
                copy_data(node, data_copy)
        log("wrote %s: %d blocks, %d transactions (%d op_failed), %d bytes" %
            (out_path, n_blocks, n_txs, failed, size))
        log("operations per type: %s" % ", ".join("%d:%d" % (t, counts[t])
                                                 for t in sorted(counts)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="the chain file to write (tests/data/chain-v2.txt)")
    ap.add_argument("--data-copy", default="",
                    help="copy the stopped node's data directory here ('' for none)")
    args = ap.parse_args()
    h.main(lambda: record(os.path.abspath(args.out), args.data_copy))


if __name__ == "__main__":
    main()
