"""The CLI's help, version and generic `petro op` command (issue #14, "API and CLI per family").

Why: help is generated from the command table and the operation registry, so a family that is
registered must show up in `petro help` and `petro op` without CLI code, and every operation
must be usable through `petro op NAME --field value` with the same checks as the hand-written
commands. This test checks the help paths (bare `petro`, `petro help`, `petro help GROUP`,
`petro GROUP`, `petro GROUP --help`, `petro COMMAND --help`, `--version`), that unknown
commands exit 2 with one line on stderr, and then on a real devnet that `petro op payment`
commits a payment of exactly the amount asked, that a missing required flag or an address of
the other network kind exits 2 before anything is signed, that an optional field may be left
out and a flag word given by names (create_asset), and that a list field takes repeated flags
(trade_create with two approvers and two documents).
"""

import os
import shlex
import subprocess
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, describe_cli, log  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Every command of the table, as `petro help` must list them.
COMMANDS = ("status", "balance", "account", "tx", "block", "assets", "address", "keygen", "pay",
            "create-account", "trust", "untrust", "create-asset", "authorize", "issue", "redeem",
            "reserves", "attest", "oracle-price", "issue-reserve", "fulfill", "proof",
            "verify-proof", "redeem-reserve", "set-signer", "set-thresholds", "trade create", "trade fund",
            "trade present", "trade approve", "trade release", "trade refund", "trade dispute",
            "trade resolve", "trade amend-sign", "trade amend", "trade target", "trade show",
            "trade list", "trade targets", "zone create", "zone policy", "zone assign",
            "zone kyc", "zone show", "zone list", "stats trade", "op", "data set")


def ok(*args, node_url=None):
    rc, out, err = h.run_cli(*args, node_url=node_url)
    check(rc == 0 and out.strip(),
          "expected exit 0 and output\n" + describe_cli(args, rc, out, err))
    return out


def usage_error(args, words, node_url=None):
    """A command that must exit 2 with exactly one stderr line naming one of words."""
    rc, out, err = h.run_cli(*args, node_url=node_url)
    desc = describe_cli(args, rc, out, err)
    check(rc == 2, "expected exit 2\n" + desc)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if not h.SANITIZE:
        check(len(lines) == 1, "expected one line on stderr, got %d\n%s" % (len(lines), desc))
    check(all(w in err for w in words), "stderr should name %r\n%s" % (list(words), desc))
    return err


def project_version():
    with open(os.path.join(REPO, "CMakeLists.txt")) as f:
        m = re.search(r"project\(petro VERSION (\d+\.\d+\.\d+)", f.read())
    check(m is not None, "no project version in CMakeLists.txt")
    return m.group(1)


def check_help():
    overview = ok()
    check(overview == ok("help") == ok("--help"),
          "bare petro, petro help and petro --help should print the same overview")
    for name in COMMANDS:
        check(re.search(r"^  %s +\S" % re.escape(name), overview, re.M),
              "the overview does not list %r:\n%s" % (name, overview))
    for group in ("query", "wallet", "accounts", "payments", "assets", "reserves", "trade",
                  "zone", "data", "stats", "operations"):
        check(re.search(r"^%s: \S" % group, overview, re.M),
              "the overview has no group %r:\n%s" % (group, overview))

    trade = ok("help", "trade")
    check(trade == ok("trade") == ok("trade", "--help"),
          "petro help trade, petro trade and petro trade --help should agree")
    for word in ("petro trade create --exporter ADDRESS", "petro trade fund --id ID",
                 "petro trade list", "trade_create", "trade_release", "--wallet FILE"):
        check(word in trade, "petro help trade does not mention %r:\n%s" % (word, trade))
    check("zone create" in ok("zone") and "zone create" in ok("help", "zones"),
          "petro zone / petro help zones should list zone create")
    check("stats trade" in ok("stats"), "petro stats should list stats trade")
    check("pay --to ADDRESS" in ok("help", "payments"), "petro help payments should list pay")
    # Commands keep their own usage; a group sharing a command's name runs the command.
    pay = ok("pay", "--help")
    check(pay == ok("help", "pay") and "usage: petro pay --to ADDRESS" in pay,
          "petro pay --help / petro help pay:\n" + pay)
    check("usage: petro trade create" in ok("trade", "create", "--help"), "trade create --help")
    check("usage: petro trade fund" in ok("help", "trade", "fund"), "help trade fund")

    version = ok("--version").strip()
    check(version == "petro " + project_version(), "petro --version printed %r" % version)

    usage_error(("frobnicate",), ("frobnicate",))
    usage_error(("help", "frobnicate"), ("frobnicate",))
    usage_error(("trade", "frobnicate"), ("trade frobnicate",))
    usage_error(("--frobnicate",), ("--frobnicate",))


def check_op_help():
    ops = ok("op")
    check(ops == ok("op", "--help") == ok("help", "op"), "petro op, op --help, help op differ")
    for word in ("payments:", "trade:", "zones:", "payment ", "trade_create ", "create_account "):
        check(word in ops, "petro op does not list %r:\n%s" % (word, ops))
    pay = ok("op", "payment", "--help")
    check(pay == ok("help", "op", "payment"), "op payment --help != help op payment")
    for word in ("--destination ADDRESS", "--asset PTR|CODE:ISSUER", "--amount DECIMAL",
                 "the receiving account", "required", "--wallet FILE"):
        check(word in pay, "petro op payment --help does not mention %r:\n%s" % (word, pay))
    tc = ok("op", "trade_create", "--help")
    for word in ("--approvers ADDRESS", "a list of 1..4: repeat the flag", "one of: EXW",
                 "[--allow-partial true|false]", "optional"):
        check(word in tc, "petro op trade_create --help does not mention %r:\n%s" % (word, tc))
    usage_error(("op", "frobnicate"), ("frobnicate",))
    usage_error(("op", "frobnicate", "--help"), ("frobnicate",))


def registered_families():
    """The family names of libpetro/families.def, in registry order."""
    with open(os.path.join(REPO, "libpetro", "families.def")) as f:
        names = re.findall(r"^PETRO_FAMILY\((\w+)\)", f.read(), re.M)
    check(len(names) >= 7, "families.def lists %r" % names)
    return names


def ops_by_family():
    """{family: [operation names]} from `petro op`."""
    result, family = {}, None
    for line in ok("op").splitlines():
        m = re.match(r"^(\w+): \S", line)
        if m:
            family = m.group(1)
            result[family] = []
            continue
        m = re.match(r"^  (\w+) +\S", line)
        if m and family is not None:
            result[family].append(m.group(1))
    return result


def check_family_groups():
    ops = ops_by_family()
    for family in registered_families():
        check(ops.get(family), "petro op lists no operation of family %r: %r" % (family, ops))
        text = ok("help", family)
        for op in ops[family]:
            check(re.search(r"^  %s +\S" % op, text, re.M)
                  and ("petro op %s " % op) in text,
                  "petro help %s should list %s with its petro op usage:\n%s"
                  % (family, op, text))
    data = ok("data", "--help")
    check(data == ok("data") == ok("help", "data"),
          "petro data, petro data --help and petro help data should agree")
    for word in ("petro data set --name TEXT [--value HEX] --wallet FILE", "data_set",
                 "petro op data_set --name TEXT"):
        check(word in data, "petro help data does not mention %r:\n%s" % (word, data))
    check("usage: petro data set --name TEXT" in ok("data", "set", "--help"),
          "petro data set --help")
    check("usage: petro data set" in ok("help", "data", "set"), "petro help data set")
    pay = ok("pay", "--help")
    check("Builds the operation payment" in pay and re.search(r"--to +-> destination", pay),
          "petro pay --help should name the operation it builds and map --to:\n" + pay)
    # Every alias maps its options to fields the operation has (a typo is a CLI bug).
    for name in COMMANDS:
        text = ok("help", *name.split())
        check("NOT A FIELD" not in text and "NOT AN OPERATION" not in text,
              "petro help %s: the alias names no such field or operation:\n%s" % (name, text))
    usage_error(("data", "frobnicate"), ("data frobnicate",))


def dry_run(node, *args):
    """A --dry-run: (hash, signed transaction hex)."""
    obj = h.cli_json(node, *(args + ("--dry-run",)))
    check(obj.get("status") == "not_submitted" and obj.get("hash") and obj.get("tx"),
          "petro %s --dry-run: %r" % (" ".join(args[:2]), obj))
    return obj["hash"], obj["tx"]


def check_alias_same_tx(node, W, addr):
    """An alias command and its `petro op` build the same bytes; then it commits."""
    seq = str(node.account(addr["alice"])["sequence"] + 1)
    pairs = (
        (("pay", "--to", addr["bob"], "--amount", "2.25"),
         ("op", "payment", "--destination", addr["bob"], "--asset", "PTR", "--amount", "2.25")),
        (("create-asset", "--code", "ALS", "--auth-required"),
         ("op", "create_asset", "--code", "ALS", "--flags", "auth_required")),
        (("data", "set", "--name", "greeting", "--value", "6869"),
         ("op", "data_set", "--name", "greeting", "--value", "6869")),
    )
    built = []
    for alias, generic in pairs:
        common = ("--wallet", W("alice"), "--sequence", seq)
        a = dry_run(node, *(alias + common))
        b = dry_run(node, *(generic + common))
        check(a == b, "petro %s and petro %s should build the same transaction:\n%r\n%r"
              % (" ".join(alias[:2]), " ".join(generic[:2]), a, b))
        built.append(a)
    check(node.account(addr["alice"])["sequence"] + 1 == int(seq),
          "--dry-run must not submit anything")
    bob_before = node.balance(addr["bob"])
    args = ("pay", "--wallet", W("alice"), "--to", addr["bob"], "--amount", "2.25", "--wait")
    out = ok(*args, node_url=node.url)
    committed(node, out, args)
    check(h.find_hash(out) == built[0][0],
          "the committed payment should be the transaction --dry-run showed: %s vs %s"
          % (h.find_hash(out), built[0][0]))
    check(node.balance(addr["bob"]) == bob_before + 225000000, "bob should have 2.25 PTR more")


def check_wrong_prefix(node, W, addr):
    """The other network kind: exit 2 for a query and for transaction commands alike."""
    other = h.random_address("ptr")
    usage_error(("balance", other), ("wrong_address_prefix",), node_url=node.url)
    usage_error(("pay", "--wallet", W("alice"), "--to", other, "--amount", "1"),
                ("--to", "wrong_address_prefix"), node_url=node.url)
    usage_error(("trade", "create", "--wallet", W("importer"), "--exporter", addr["exporter"],
                 "--amount", "1", "--hs", "870830", "--goods", "x", "--quantity", "1",
                 "--origin", "BR", "--destination", "VE", "--doc", "bill_of_lading",
                 "--approver", other), ("--approver", "wrong_address_prefix"),
                node_url=node.url)


def committed(node, out, args):
    tx_hash = h.find_hash(out)
    check(tx_hash is not None, "no hash printed\n" + describe_cli(args, 0, out, ""))
    tx = node.tx(tx_hash)
    check(tx.get("status") == "committed" and (tx.get("result") or {}).get("code") == "ok",
          "petro %s: tx %s not committed ok: %r" % (" ".join(args[:2]), tx_hash, tx))
    return tx


def check_op_payment(node, W, addr):
    bob_before = node.balance(addr["bob"])
    alice_before = node.balance(addr["alice"])
    args = ("op", "payment", "--wallet", W("alice"), "--destination", addr["bob"], "--asset",
            "PTR", "--amount", "1.5", "--wait")
    tx = committed(node, ok(*args, node_url=node.url), args)
    fee = h.to_base(tx["result"]["fee_charged"])
    check(node.balance(addr["bob"]) == bob_before + 150000000,
          "bob should have received exactly 1.5 PTR: %r -> %r"
          % (bob_before, node.balance(addr["bob"])))
    check(node.balance(addr["alice"]) == alice_before - 150000000 - fee,
          "alice should have paid 1.5 PTR plus the fee %d" % fee)
    check(h.fmt_base(node.balance(addr["bob"])) in ok("balance", addr["bob"], node_url=node.url),
          "petro balance does not show bob's new balance")

    # Refused before anything is signed or sent: exit 2, the flag named.
    sequence = node.account(addr["alice"])["sequence"]
    usage_error(("op", "payment", "--wallet", W("alice"), "--destination", addr["bob"],
                 "--asset", "PTR"), ("--amount", "--destination ADDRESS"), node_url=node.url)
    usage_error(("op", "payment", "--wallet", W("alice"), "--destination", addr["bob"],
                 "--asset", "PTR", "--amount", "1.5", "--amout", "2"), ("--amout",),
                node_url=node.url)
    usage_error(("op", "payment", "--wallet", W("alice"), "--destination", addr["bob"],
                 "--asset", "PTR", "--amount", "1.123456789"), ("--amount",), node_url=node.url)
    usage_error(("op", "payment", "--wallet", W("alice"), "--destination",
                 h.random_address("ptr"), "--asset", "PTR", "--amount", "1"),
                ("--destination", "wrong_address_prefix"), node_url=node.url)
    usage_error(("op", "payment", "--wallet", W("alice"), "--destination", addr["bob"],
                 "--asset", "USD:" + h.random_address("ptr"), "--amount", "1"),
                ("--asset", "wrong_address_prefix"), node_url=node.url)
    node.wait_mempool_empty()
    check(node.account(addr["alice"])["sequence"] == sequence,
          "a refused petro op must not submit a transaction")


def check_op_optional_and_flags(node, W, addr):
    args = ("op", "create_asset", "--wallet", W("bank"), "--code", "OPX", "--wait")
    committed(node, ok(*args, node_url=node.url), args)
    args = ("op", "create_asset", "--wallet", W("bank"), "--code", "OPY", "--flags",
            "auth_required,revocable", "--wait")
    committed(node, ok(*args, node_url=node.url), args)
    assets = {(a.get("code"), a.get("issuer")): a for a in node.assets()}
    for code in ("OPX", "OPY"):
        check((code, addr["bank"]) in assets, "asset %s:bank not listed: %r" % (code, assets))
    usage_error(("op", "create_asset", "--wallet", W("bank"), "--code", "OPZ", "--flags",
                 "auth_required,frozen"), ("frozen",), node_url=node.url)


def check_op_lists(node, W, addr):
    now_ms = int(time.time() * 1000)
    args = ("op", "trade_create", "--wallet", W("importer"), "--exporter", addr["exporter"],
            "--asset", "PTR", "--amount", "10", "--hs-code", "870830", "--description",
            "brake assemblies", "--quantity", "40", "--unit", "pcs", "--incoterm", "CIF",
            "--origin", "BR", "--destination", "VE", "--documents", "bill_of_lading",
            "--documents", "inspection_certificate", "--approvers", addr["inspector-1"],
            "--approvers", addr["inspector-2"], "--threshold", "2", "--shipment-deadline-ms",
            str(now_ms + 86400000), "--expiry-ms", str(now_ms + 2 * 86400000), "--wait")
    committed(node, ok(*args, node_url=node.url), args)
    listed = h.cli_json(node, "trade", "list", "--party", addr["importer"])
    text = str(listed)
    for who in ("inspector-1", "inspector-2", "exporter"):
        check(addr[who] in text, "the contract made by petro op should name %s: %r"
              % (who, listed))
    check("bill_of_lading" in text and "inspection_certificate" in text,
          "the contract should require both documents: %r" % listed)


def check_completion():
    """petro completion bash|zsh: a script generated from the command tables, which real bash
    runs: it completes command words, the second word of a group, and a command's options
    (its own, the transaction options, the common ones)."""
    script = ok("completion", "bash")
    check("complete -o default -F _petro petro" in script, "no complete line:\n" + script)
    check("bashcompinit" in ok("completion", "zsh"), "the zsh script loads bashcompinit")
    usage_error(("completion", "fish"), ("fish",))
    cases = [("petro tra", "trade"), ("petro da", "data"), ("petro trade cr", "create"),
             ("petro pay --am", "--amount"), ("petro pay --no-pre", "--no-preflight"),
             ("petro zone ", "assign"), ("petro block 1 --val", "--validator")]
    driver = "source /dev/stdin\n" + "".join(
        'read -ra COMP_WORDS <<< %s; %sCOMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); '
        '_petro; echo "${COMPREPLY[*]}"\n'
        % (shlex.quote(line), 'COMP_WORDS+=(""); ' if line.endswith(" ") else "")
        for line, _ in cases)
    p = subprocess.run(["bash", "-c", driver], input=script, capture_output=True, text=True,
                       timeout=30)
    got = p.stdout.splitlines()
    check(p.returncode == 0 and len(got) == len(cases), "bash: %s%s" % (p.stdout, p.stderr))
    for (line, want), reply in zip(cases, got):
        check(want in reply.split(), "completing %r gave %r, not %r" % (line, reply, want))


def run():
    check_help()
    check_completion()
    check_op_help()
    check_family_groups()
    with h.Node(name="clihelp") as node:
        node.start()
        names = ("alice", "bob", "bank", "importer", "exporter", "inspector-1", "inspector-2")
        addr = {n: node.address(n) for n in names}

        def W(name):
            return node.wallet(name)

        check_op_payment(node, W, addr)
        log("petro op payment: committed; refusals exit 2")
        check_op_optional_and_flags(node, W, addr)
        log("petro op create_asset: optional field and flag names")
        check_op_lists(node, W, addr)
        log("petro op trade_create: repeated list flags")
        check_alias_same_tx(node, W, addr)
        log("alias commands build the same transactions as petro op")
        check_wrong_prefix(node, W, addr)
        log("wrong address prefix: exit 2 for balance, pay and trade create")
        node.check_no_sanitizer_report()


if __name__ == "__main__":
    h.main(run)
