"""Cross-border trade settlement on a real devnet node, through the CLI.

Why: this is the walk of docs/trade.md: an importer in Venezuela pays an exporter in Brazil
for truck parts against a bill of lading and an inspection certificate approved by an
inspector and a bank (2 of 3); the money leaves escrow only when both documents are
presented and the threshold is met, the receiving zone's fee is taken, and the turnover shows
in `petro stats trade`. Every failure path of the issue is driven through the CLI and must be
rejected with its own result code: missing document, wrong document type, insufficient
approvals, release before approval, refund before expiry, double release, release after
refund, amendment with one signature, zone limit exceeded, asset not allowed in zone. Partial
shipments must sum exactly to the amount. The node runs with --check-invariants (escrow
counted in every block), and the statistics must equal a recomputation from the blocks.
Every account a trade or zone operation pays, refunds or changes sees that transaction in its
history (GET /v1/accounts/{address}/transactions) exactly once, even when another account
sent it: the exporter its releases, the importer its refund, both parties a resolution, an
account its zone assignment and KYC tier.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, describe_cli, log  # noqa: E402

FEE = 100  # base units per one-op transaction (the CLI default)


def expect_fail(node, args, word):
    rc, out, err = node.cli(*args)
    desc = describe_cli(args, rc, out, err)
    check(rc == 1, "expected exit 1\n" + desc)
    check(word in out + err, "output should name %s\n%s" % (word, desc))


def sent_hash(out):
    tx_hash = h.find_hash(out)
    check(tx_hash is not None, "no transaction hash printed:\n" + out)
    return tx_hash


def contract(node, cid):
    return h.cli_json(node, "trade", "show", str(cid))


def create(node, W, addr, amount, extra=()):
    out = h.cli_ok(node, "trade", "create", "--wallet", W("importer"), "--exporter",
                   addr["exporter"], "--amount", amount, "--hs", "870830", "--goods",
                   "Truck brake assemblies and clutch kits", "--quantity", "400", "--unit",
                   "pcs", "--incoterm", "CIF", "--origin", "BR", "--destination", "VE",
                   "--doc", "bill_of_lading", "--doc", "inspection_certificate",
                   "--approver", addr["inspector-1"], "--approver", addr["inspector-2"],
                   "--approver", addr["trade-bank"], "--threshold", "2", *extra, "--wait")
    m = re.search(r"contract id: (\d+)", out)
    check(m is not None, "no contract id printed:\n" + out)
    return int(m.group(1))


def present_all(node, W, cid, work, tag):
    for doc in ("bill_of_lading", "inspection_certificate"):
        path = os.path.join(work, "%s-%s.pdf" % (doc, tag))
        with open(path, "wb") as f:
            f.write(("%s for shipment %s" % (doc, tag)).encode())
        h.cli_ok(node, "trade", "present", "--wallet", W("exporter"), "--id", str(cid),
                 "--doc", doc, "--file", path, "--ref", "%s-%s" % (doc[:3].upper(), tag),
                 "--wait")


def approve(node, W, cid, who):
    h.cli_ok(node, "trade", "approve", "--wallet", W(who), "--id", str(cid), "--wait")


def recompute_stats(node, addr):
    """Replay every committed block: contract ids in order of successful trade_create, escrow
    from fund/amend, every successful trade_release (amount 0 = the whole escrow), and the
    exporter's share of a dispute once the threshold of approvers voted the same amount."""
    tip = node.status()["height"]
    contracts, next_id, totals = {}, 1, {}
    for height in range(1, tip + 1):
        block = node.get("/v1/blocks/%d" % height)[1]
        month = time.strftime("%Y-%m", time.gmtime(block["timestamp_ms"] // 1000))
        for txid in block["transactions"]:
            tx = node.tx(txid)
            if tx["result"]["code"] != "ok":
                continue
            for op in tx["operations"]:
                t = op["type"]
                if t == "trade_create":
                    contracts[next_id] = {"amount": h.to_base(op["amount"]), "locked": 0,
                                          "pair": (op["origin"], op["destination"]),
                                          "chapter": op["hs_code"] // 10000,
                                          "threshold": op["threshold"], "votes": set(),
                                          "vote_amount": None}
                    next_id += 1
                elif t == "trade_fund":
                    c = contracts[op["contract_id"]]
                    c["locked"] = c["amount"]
                elif t in ("trade_release", "trade_resolve"):
                    c = contracts[op["contract_id"]]
                    if t == "trade_release":
                        amount = h.to_base(op["amount"]) or c["locked"]
                    else:
                        amount = h.to_base(op["exporter_amount"])
                        if c["vote_amount"] != amount:
                            c["votes"], c["vote_amount"] = set(), amount
                        c["votes"].add(tx["source"])
                        if len(c["votes"]) < c["threshold"]:
                            continue
                        c["locked"] = amount  # the rest went back to the importer
                    c["locked"] -= amount
                    if amount == 0:
                        continue
                    for key in (("total",), ("pair",) + c["pair"], ("hs", c["chapter"])):
                        cnt, val = totals.get((key, month), (0, 0))
                        totals[(key, month)] = (cnt + 1, val + amount)
                elif t == "trade_dispute":
                    c = contracts[op["contract_id"]]
                    c["votes"], c["vote_amount"] = set(), None
                elif t == "trade_amend":
                    c = contracts[op["contract_id"]]
                    if c["locked"] > 0:
                        c["locked"] += h.to_base(op["amount"]) - c["amount"]
                    c["amount"] = h.to_base(op["amount"])
    return totals


def check_stats(node, addr):
    want = recompute_stats(node, addr)
    got = {}
    for group, keyf in (("total", lambda r: ("total",)),
                        ("country_pair", lambda r: ("pair", r["origin"], r["destination"])),
                        ("hs_chapter", lambda r: ("hs", r["hs_chapter"]))):
        body = h.cli_json(node, "stats", "trade", "--group", group, "--period", "month")
        for r in body["rows"]:
            check(r["asset"] == "PTR", "only PTR contracts here: %r" % r)
            got[(keyf(r), r["month"])] = (r["count"], h.to_base(r["value"]))
    check(got == want, "statistics differ from the recomputation from the blocks:\n"
          "node:   %r\nblocks: %r" % (sorted(got.items()), sorted(want.items())))
    zone = h.cli_json(node, "stats", "trade", "--group", "zone")["rows"]
    total = sum(v for (k, _), (_, v) in want.items() if k == ("total",))
    check(sum(h.to_base(r["value"]) for r in zone) == total and all(r["zone"] == 2 for r in zone),
          "zone turnover (the exporter is in zone 2): %r" % zone)
    return want


def run():
    work = tempfile.mkdtemp(prefix="petro-it-trade-")
    try:
        walk(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def walk(work):
    with h.Node(name="trade") as node:
        node.start()
        W = node.wallet
        names = ("importer", "exporter", "inspector-1", "inspector-2", "trade-bank",
                 "zone-authority", "alice", "treasury")
        addr = {n: node.address(n) for n in names}

        zones = h.cli_json(node, "zone", "list")["zones"]
        check([z["country"] for z in zones] == ["VE", "BR", "CO", "PA"], "zones: %r" % zones)
        check(zones[1]["fee_bps"] == 25 and zones[1]["tx_limit"] == "100000", "%r" % zones[1])

        # ---------------------------------------------------------- the happy path
        log("happy path: create, fund, present both documents, approve 2 of 3, release")
        exp0 = node.balance(addr["exporter"])
        imp0 = node.balance(addr["importer"])
        cid = create(node, W, addr, "20000")
        c = contract(node, cid)
        check(c["state"] == "created" and c["documents"] == ["bill_of_lading",
                                                              "inspection_certificate"],
              "%r" % c)
        expect_fail(node, ("trade", "present", "--wallet", W("exporter"), "--id", cid, "--doc",
                           "bill_of_lading", "--hash", "00" * 32, "--wait"), "trade_not_funded")
        h.cli_ok(node, "trade", "fund", "--wallet", W("importer"), "--id", cid, "--wait")
        check(contract(node, cid)["locked"] == "20000", "escrow not locked")
        # Release before approval (and before any document).
        expect_fail(node, ("trade", "release", "--wallet", W("exporter"), "--id", cid,
                           "--wait"), "trade_docs_missing")
        # Wrong document type.
        expect_fail(node, ("trade", "present", "--wallet", W("exporter"), "--id", cid, "--doc",
                           "certificate_of_origin", "--hash", "11" * 32, "--wait"),
                    "trade_doc_not_required")
        bl = os.path.join(work, "bl.pdf")
        with open(bl, "wb") as f:
            f.write(b"Bill of lading MSC-SSZ-4471, Santos -> La Guaira, 400 pcs")
        h.cli_ok(node, "trade", "present", "--wallet", W("exporter"), "--id", cid, "--doc",
                 "bill_of_lading", "--file", bl, "--ref", "MSC-SSZ-4471", "--wait")
        # Missing document: the inspection certificate is not there yet.
        expect_fail(node, ("trade", "approve", "--wallet", W("inspector-1"), "--id", cid,
                           "--wait"), "trade_docs_missing")
        present_path = os.path.join(work, "insp.pdf")
        with open(present_path, "wb") as f:
            f.write(b"SGS inspection certificate 2026/118, conforming")
        h.cli_ok(node, "trade", "present", "--wallet", W("exporter"), "--id", cid, "--doc",
                 "inspection_certificate", "--file", present_path, "--ref", "SGS-2026-118",
                 "--wait")
        expect_fail(node, ("trade", "release", "--wallet", W("exporter"), "--id", cid,
                           "--wait"), "trade_approvals_low")
        approve(node, W, cid, "inspector-1")
        # Insufficient approvals: 1 of the 2 needed.
        expect_fail(node, ("trade", "release", "--wallet", W("exporter"), "--id", cid,
                           "--wait"), "trade_approvals_low")
        expect_fail(node, ("trade", "approve", "--wallet", W("alice"), "--id", cid, "--wait"),
                    "trade_not_approver")
        approve(node, W, cid, "trade-bank")
        # Refund before expiry.
        expect_fail(node, ("trade", "refund", "--wallet", W("importer"), "--id", cid,
                           "--wait"), "trade_not_expired")
        out = h.cli_ok(node, "trade", "release", "--wallet", W("exporter"), "--id", cid,
                       "--wait")
        # Sent by the exporter; the importer, whose escrow it pays out, sees it too.
        node.check_in_history(addr["importer"], sent_hash(out), "importer")
        node.check_in_history(addr["exporter"], sent_hash(out), "exporter")
        c = contract(node, cid)
        check(c["state"] == "released" and c["released"] == "20000" and c["locked"] == "0",
              "%r" % c)
        with open(bl, "rb") as f:
            digest = hashlib.blake2b(f.read(), digest_size=32).hexdigest()
        docs = {d["type"]: d for d in c["presented"]}
        check(docs["bill_of_lading"]["hash"] == digest and
              docs["bill_of_lading"]["presented_by"] == addr["exporter"] and
              docs["bill_of_lading"]["reference"] == "MSC-SSZ-4471", "%r" % docs)
        # Double release.
        expect_fail(node, ("trade", "release", "--wallet", W("exporter"), "--id", cid,
                           "--wait"), "trade_closed")
        # Exporter's zone (Manaus) takes 0.25%: 50 destroyed; 19950 received, less its fees
        # (2 presents, 5 releases tried or done, 1 present refused).
        exporter_txs = 9
        check(node.balance(addr["exporter"]) == exp0 + h.to_base("19950") - exporter_txs * FEE,
              "exporter balance %d, expected %d" % (node.balance(addr["exporter"]),
                                                    exp0 + h.to_base("19950") -
                                                    exporter_txs * FEE))
        check(node.balance(addr["importer"]) == imp0 - h.to_base("20000") - 3 * FEE,
              "importer balance")
        out = h.cli_ok(node, "stats", "trade")
        check("20000" in out, "stats should show the turnover:\n" + out)
        out = h.cli_ok(node, "trade", "show", str(cid))
        check("released" in out and "MSC-SSZ-4471" in out, out)

        # ---------------------------------------------------------- amendments
        log("amendment needs both parties")
        cid2 = create(node, W, addr, "3000", ("--partial",))
        h.cli_ok(node, "trade", "fund", "--wallet", W("importer"), "--id", cid2, "--wait")
        expect_fail(node, ("trade", "amend", "--wallet", W("importer"), "--id", cid2,
                           "--amount", "3600", "--counter-wallet", W("importer"), "--wait"),
                    "trade_bad_counter_sig")
        sig = h.cli_ok(node, "trade", "amend-sign", "--wallet", W("exporter"), "--id", cid2,
                       "--amount", "3600", "--ship-days", "40", "--expiry-days", "70").strip()
        expect_fail(node, ("trade", "amend", "--wallet", W("importer"), "--id", cid2,
                           "--amount", "3700", "--ship-days", "40", "--expiry-days", "70",
                           "--counter-sig", sig, "--wait"), "trade_bad_counter_sig")
        # The dates of amend-sign are "days from now" at signing: re-derive them exactly.
        c = contract(node, cid2)
        h.cli_ok(node, "trade", "amend", "--wallet", W("importer"), "--id", cid2, "--amount",
                 "3600", "--counter-wallet", W("exporter"), "--deadline-ms",
                 c["shipment_deadline_ms"] + 86400000, "--expiry-ms",
                 c["expiry_ms"] + 86400000, "--wait")
        c = contract(node, cid2)
        check(c["amount"] == "3600" and c["locked"] == "3600" and c["amend_count"] == 1,
              "%r" % c)
        # As docs/trade.md shows it: amend-sign and amend without dates both sign the
        # contract's current dates, so the signature is accepted and the dates stay.
        before = c
        sig = h.cli_ok(node, "trade", "amend-sign", "--wallet", W("exporter"), "--id", cid2,
                       "--amount", "3600").strip()
        h.cli_ok(node, "trade", "amend", "--wallet", W("importer"), "--id", cid2, "--amount",
                 "3600", "--counter-sig", sig, "--wait")
        c = contract(node, cid2)
        check(c["amend_count"] == 2 and
              c["shipment_deadline_ms"] == before["shipment_deadline_ms"] and
              c["expiry_ms"] == before["expiry_ms"], "dates kept: %r vs %r" % (c, before))
        # No node to learn the network from: amend-sign signs nothing (exit 3).
        p = subprocess.run([h.PETRO, "--node", "http://127.0.0.1:%d" % h.closed_port(),
                            "trade", "amend-sign", "--wallet", W("exporter"), "--id", str(cid2),
                            "--amount", "3600"], capture_output=True, text=True,
                           timeout=60 * h.SLOW)
        check(p.returncode == 3 and p.stdout == "", "amend-sign without a node: %d %r %r" %
              (p.returncode, p.stdout, p.stderr))

        # ---------------------------------------------------------- partial shipments
        log("partial shipments summing exactly to the amount")
        parts = ["1200", "1199.99999999", "1200.00000001"]
        for i, part in enumerate(parts):
            present_all(node, W, cid2, work, "p%d" % i)
            approve(node, W, cid2, "inspector-2")
            approve(node, W, cid2, "trade-bank")
            if i == len(parts) - 1:
                expect_fail(node, ("trade", "release", "--wallet", W("importer"), "--id", cid2,
                                   "--amount", "1200.00000002", "--wait"),
                            "trade_exceeds_escrow")
            out = h.cli_ok(node, "trade", "release", "--wallet", W("importer"), "--id", cid2,
                           "--amount", part, "--wait")
            # Sent by the importer: the exporter it pays must see it in its history.
            node.check_in_history(addr["exporter"], sent_hash(out), "exporter")
        c = contract(node, cid2)
        check(c["state"] == "released" and c["released"] == "3600" and c["release_count"] == 3,
              "%r" % c)
        check(len(c["presented"]) == 6, "each shipment has its own documents: %r"
              % c["presented"])

        # ---------------------------------------------------------- zone policy
        log("zone policy: limit exceeded, asset not allowed")
        cid3 = create(node, W, addr, "2000")
        h.cli_ok(node, "trade", "fund", "--wallet", W("importer"), "--id", cid3, "--wait")
        present_all(node, W, cid3, work, "z")
        approve(node, W, cid3, "inspector-1")
        approve(node, W, cid3, "inspector-2")
        h.cli_ok(node, "zone", "policy", "--wallet", W("zone-authority"), "--id", "2",
                 "--fee-bps", "25", "--limit", "1000", "--min-tier", "1", "--wait")
        expect_fail(node, ("trade", "release", "--wallet", W("exporter"), "--id", cid3,
                           "--wait"), "zone_limit_exceeded")
        expect_fail(node, ("pay", "--wallet", W("alice"), "--to", addr["exporter"], "--amount",
                           "1500", "--wait"), "zone_limit_exceeded")
        xau = "XAU:" + addr["treasury"]
        h.cli_ok(node, "zone", "policy", "--wallet", W("zone-authority"), "--id", "2",
                 "--fee-bps", "25", "--limit", "100000", "--min-tier", "1", "--allow", xau,
                 "--wait")
        expect_fail(node, ("trade", "release", "--wallet", W("exporter"), "--id", cid3,
                           "--wait"), "zone_asset_not_allowed")
        expect_fail(node, ("zone", "policy", "--wallet", W("alice"), "--id", "2", "--wait"),
                    "zone_wrong_authority")
        h.cli_ok(node, "zone", "policy", "--wallet", W("zone-authority"), "--id", "2",
                 "--fee-bps", "25", "--limit", "100000", "--min-tier", "1", "--wait")
        h.cli_ok(node, "trade", "release", "--wallet", W("exporter"), "--id", cid3, "--wait")

        # ---------------------------------------------------------- refund
        log("refund after expiry; release after refund")
        now = int(time.time() * 1000)
        cid4 = create(node, W, addr, "500", ("--deadline-ms", now + 3000, "--expiry-ms",
                                             now + 4000))
        h.cli_ok(node, "trade", "fund", "--wallet", W("importer"), "--id", cid4, "--wait")
        before = node.balance(addr["importer"])
        time.sleep(max(0.0, (now + 4500) / 1000.0 - time.time()))
        out = h.cli_ok(node, "trade", "refund", "--wallet", W("importer"), "--id", cid4,
                       "--wait")
        node.check_in_history(addr["importer"], sent_hash(out), "importer")
        node.check_in_history(addr["exporter"], sent_hash(out), "exporter")
        check(node.balance(addr["importer"]) == before + h.to_base("500") - FEE, "refund")
        expect_fail(node, ("trade", "release", "--wallet", W("exporter"), "--id", cid4,
                           "--wait"), "trade_refunded")
        listed = h.cli_json(node, "trade", "list", "--party", addr["exporter"], "--state",
                            "refunded")["contracts"]
        check([c["id"] for c in listed] == [cid4], "list by party and state: %r" % listed)

        # ---------------------------------------------------------- dispute and zones
        log("dispute settled by the approvers; zone create, assign, kyc")
        cid5 = create(node, W, addr, "1000")
        h.cli_ok(node, "trade", "fund", "--wallet", W("importer"), "--id", cid5, "--wait")
        h.cli_ok(node, "trade", "dispute", "--wallet", W("importer"), "--id", cid5, "--reason",
                 "7", "--wait")
        expect_fail(node, ("trade", "release", "--wallet", W("exporter"), "--id", cid5,
                           "--wait"), "trade_disputed")
        expect_fail(node, ("trade", "resolve", "--wallet", W("importer"), "--id", cid5,
                           "--exporter-amount", "400", "--wait"), "trade_not_approver")
        h.cli_ok(node, "trade", "resolve", "--wallet", W("inspector-1"), "--id", cid5,
                 "--exporter-amount", "400", "--wait")
        check(contract(node, cid5)["state"] == "disputed", "one vote of two must not settle")
        imp = node.balance(addr["importer"])
        out = h.cli_ok(node, "trade", "resolve", "--wallet", W("trade-bank"), "--id", cid5,
                       "--exporter-amount", "400", "--wait")
        # Sent by an approver: it pays the exporter 400 and refunds the importer 600.
        node.check_in_history(addr["exporter"], sent_hash(out), "exporter")
        node.check_in_history(addr["importer"], sent_hash(out), "importer")
        c = contract(node, cid5)
        check(c["state"] == "resolved" and c["released"] == "400" and c["refunded"] == "600" and
              c["disputed_by"] == "importer" and c["dispute_reason"] == 7, "%r" % c)
        check(node.balance(addr["importer"]) == imp + h.to_base("600"), "resolution refund")
        expect_fail(node, ("zone", "create", "--wallet", W("alice"), "--id", "5", "--name",
                           "Zona Franca de Iquique", "--country", "CL", "--wait"),
                    "zone_not_authority")
        h.cli_ok(node, "zone", "create", "--wallet", W("zone-authority"), "--id", "5", "--name",
                 "Zona Franca de Iquique", "--country", "CL", "--wait")
        out = h.cli_ok(node, "zone", "assign", "--wallet", W("zone-authority"), "--account",
                       addr["alice"], "--zone", "5", "--wait")
        node.check_in_history(addr["alice"], sent_hash(out), "alice (zone assignment)")
        out = h.cli_ok(node, "zone", "kyc", "--wallet", W("zone-authority"), "--account",
                       addr["alice"], "--tier", "3", "--wait")
        node.check_in_history(addr["alice"], sent_hash(out), "alice (kyc tier)")
        acct = node.account(addr["alice"])
        check(acct["zone"] == 5 and acct["kyc_tier"] == 3, "alice: %r" % acct)
        out = h.cli_ok(node, "account", addr["alice"])
        check(re.search(r"^zone\s+5$", out, re.M) and re.search(r"^kyc tier\s+3$", out, re.M),
              "petro account shows the zone and KYC tier: %s" % out)
        z = h.cli_json(node, "zone", "show", "5")
        check(z["country"] == "CL" and z["authority"] == addr["zone-authority"], "%r" % z)

        # ---------------------------------------------------------- statistics and targets
        log("statistics equal the recomputation from the blocks")
        want = check_stats(node, addr)
        check(sum(v for (k, _), (_, v) in want.items() if k == ("total",)) ==
              h.to_base("26000"), "turnover 20000 + 3600 + 2000 + 400 (dispute): %r" % want)

        year = int(time.strftime("%Y", time.gmtime()))
        h.cli_ok(node, "trade", "target", "--wallet", W("zone-authority"), "--origin", "BR",
                 "--destination", "VE", "--base-year", year - 1, "--target-year", year,
                 "--growth-pct", "30", "--wait")
        t = h.cli_json(node, "trade", "targets")["targets"]
        check(len(t) == 1 and t[0]["current_turnover"] == "26000" and
              t[0]["base_turnover"] == "0" and t[0]["progress_bps"] is None, "%r" % t)
        node.check_chain()
        check(node.running(), "node stopped (invariant failure?)\n" + node.describe())
        node.check_no_sanitizer_report()
        log("trade walk ok")


if __name__ == "__main__":
    run()
