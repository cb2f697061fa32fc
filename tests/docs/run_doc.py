#!/usr/bin/env python3
"""Docs are tests (issue #18): run the walk-throughs of a markdown file against a real devnet
and compare what the commands print with the output the doc shows.

Usage: python3 tests/docs/run_doc.py [--keep] [-v] DOC.md...

The convention (tests/docs/README.md has it with examples):

- A fenced block with lines starting with `$ ` is a session: each `$ ` line is a command (a line
  ending in `\\` continues on the next), the lines after it up to the next `$ ` are its
  expected output: stdout, then stderr. A command shown without output is run and must succeed,
  its output is not compared. `(exit N)` as the last output line: the command must exit with N;
  otherwise it must exit 0. `...` alone on a line matches any number of lines, `...` inside a
  line any text. Hashes (hex), addresses and times are matched by kind, never by value.
- `<!-- doc-test: run -->` before a block without `$ ` lines runs it as a script, line by line
  (continuations joined): every command must exit 0, except those whose comment starts with
  `# fails`, which must exit non-zero (and print CODE when the comment ends in `(CODE)`).
- `<!-- doc-test: skip REASON -->` before a block: not run (REASON is required).
- `<!-- doc-test: vary NAME... -->` before a block: more values that may differ, by name
  (height, block, month, year, number, sequence, age, ms) or as `/REGEX/`. One line of JSON
  shown indented in the doc is compared indented (4 spaces, as `python3 -m json.tool`).
- `<!-- doc-test: fill WORD=TEXT -->` or `<!-- doc-test: fill WORD /REGEX/ -->`: from there on,
  the placeholder WORD in a command is replaced by TEXT, or by the first group of REGEX in the
  newest output that has a match (the doc tells the reader to fill WORD the same way).
- `<!-- doc-test: env NAME=VALUE -->`: from there on, set in the shell (e.g. the passphrase the
  doc says to type or export).

The commands run in one bash per doc (so variables carry over), in a temporary directory that
looks like a clone after `make run`: the repository's top-level files and directories are
symlinked there, `build` is the build directory, `devnet/` is the data directory of a petrod
devnet started on a free port, PETRO_NODE points at it and build/bin is first in PATH.
"""

import argparse
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
import petro_harness as h  # noqa: E402

DIRECTIVE = re.compile(r"<!--\s*doc-test:\s*(.*?)\s*-->", re.S)
FENCE = re.compile(r"^(\s*)(```+|~~~+)(.*)$")
DOC_NODE = "http://127.0.0.1:8420"  # the node of `make run` in the docs
CMD_TIMEOUT = 90 * h.SLOW  # a --wait waits up to 30 s; a command never needs more

# Values that differ on every run, always matched by kind. Order matters: the first that
# matches at a position wins.
BUILTIN = [
    ("time", r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: UTC|Z)?"),
    ("address", r"t?ptr1(?:\.\.\.[a-z]*|[02-9ac-hj-np-z]{8,})"),
    ("hash", r"(?<![0-9A-Za-z])(?:[0-9a-f]{2,}\.\.\.|[0-9a-f]{64}|(?=[0-9a-f]*[a-f])[0-9a-f]{8,})"
             r"(?![0-9A-Za-z])"),
    ("duration", r"\d+(?:\.\d+)? ?(?:ms|us|s)(?![A-Za-z])"),
]
# What a varying expected token matches in the output.
MATCH = {
    "time": r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: UTC|Z)?",
    "address": r"t?ptr1[02-9ac-hj-np-z]+",
    "hash": r"[0-9a-f]+(?:\.\.\.)?",
    "duration": r"\d+(?:\.\d+)? ?(?:ms|us|s)",
}
NAMED = {
    "height": r"height\s+\d+",
    "block": r"block\s+\d+",
    "month": r"\d{4}-\d{2}(?!-)",
    "year": r"(?<![\d-])\d{4}(?![\d-])",
    "number": r"\d[\d,]*(?:\.\d+)?",
    "sequence": r"sequence\s+\d+",
    # How far a checkpoint is behind the tip: "7 blocks old (tip 107)", the checkpoint's own
    # height ("height 100") still compared.
    "age": r"\d+ blocks? old|(?<=\(tip )\d+",
    # Unix milliseconds in JSON: the value of a key ending in _ms ("timestamp_ms": 1795441006101).
    "ms": r"(?<=_ms\": )\d+",
}


class DocFailure(Exception):
    pass


# ------------------------------------------------------------------ parsing


class Block:
    def __init__(self, doc, line, lines, directives):
        self.doc = doc
        self.line = line          # line number of the first content line
        self.lines = lines        # content, the fence's indentation removed
        self.skip = None
        self.run = False
        self.vary = []
        self.state = []           # fill/env directives seen before this block, in order
        for d in directives:
            word, _, rest = d.partition(" ")
            rest = rest.strip()
            if word == "skip":
                if not rest:
                    raise DocFailure("%s:%d: doc-test: skip needs a reason" % (doc, line))
                self.skip = rest
            elif word == "run":
                self.run = True
            elif word == "vary":
                self.vary += parse_vary(rest, doc, line)
            elif word in ("fill", "env"):
                self.state.append((word, rest))
            else:
                raise DocFailure("%s:%d: unknown doc-test directive %r" % (doc, line, d))

    def is_session(self):
        return any(ln.startswith("$ ") for ln in self.lines)


def parse_vary(rest, doc, line):
    out = []
    for m in re.finditer(r"/((?:[^/\\]|\\.)+)/|([\w-]+)", rest.replace(",", " ")):
        if m.group(1):
            out.append(("re", m.group(1)))
        elif m.group(2) in NAMED:
            out.append((m.group(2), NAMED[m.group(2)]))
        elif m.group(2) in MATCH:
            continue  # always varying anyway
        else:
            raise DocFailure("%s:%d: doc-test: vary: unknown name %r (known: %s, or /REGEX/)"
                             % (doc, line, m.group(2), ", ".join(sorted(NAMED))))
    return out


def parse_markdown(path):
    """The fenced blocks of a markdown file, each with the directives written before it."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    blocks, pending, i = [], [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            # Directives, possibly over several lines.
            if "<!--" in lines[i] and "doc-test" in lines[i]:
                j = i
                chunk = lines[i]
                while "-->" not in chunk and j + 1 < len(lines):
                    j += 1
                    chunk += "\n" + lines[j]
                pending += [d.group(1) for d in DIRECTIVE.finditer(chunk)]
                i = j
            i += 1
            continue
        indent, fence = len(m.group(1)), m.group(2)
        body, j = [], i + 1
        while j < len(lines) and not (lines[j].strip().startswith(fence)
                                      and lines[j].strip().strip(fence[0]) == ""):
            ln = lines[j]
            body.append(ln[indent:] if ln[:indent].strip() == "" else ln.lstrip())
            j += 1
        blocks.append(Block(os.path.relpath(path, REPO), i + 2, body, pending))
        pending = []
        i = j + 1
    if pending:
        raise DocFailure("%s: doc-test directives after the last block: %r" % (path, pending))
    return blocks


def split_session(block):
    """[(line number, command text, expected output lines)] of a `$ ` block."""
    steps, k, lines = [], 0, block.lines
    while k < len(lines) and not lines[k].startswith("$ "):
        if lines[k].strip():
            raise DocFailure("%s:%d: text before the first `$ ` line of a session block"
                             % (block.doc, block.line + k))
        k += 1
    while k < len(lines):
        start, cmd = k, lines[k][2:]
        while cmd.endswith("\\") and k + 1 < len(lines):
            k += 1
            cmd += "\n" + lines[k]
        k += 1
        out = []
        while k < len(lines) and not lines[k].startswith("$ "):
            out.append(lines[k])
            k += 1
        while out and not out[-1].strip():
            out.pop()
        steps.append((block.line + start, cmd, out))
    return steps


def split_script(block):
    """[(line number, command text)] of a plain block run as a script."""
    steps, k, lines = [], 0, block.lines
    while k < len(lines):
        if not lines[k].strip() or lines[k].lstrip().startswith("#"):
            k += 1
            continue
        start, cmd = k, lines[k]
        while cmd.rstrip().endswith("\\") and k + 1 < len(lines):
            k += 1
            cmd += "\n" + lines[k]
        k += 1
        # A comment-only line right after, indented like a trailing comment, continues it.
        while k < len(lines) and lines[k].strip().startswith("#") and lines[k].startswith(" "):
            cmd += "\n" + lines[k]
            k += 1
        steps.append((block.line + start, cmd))
    return steps


# ------------------------------------------------------------------ comparison


def compile_line(text, vary):
    """A regex for one expected output line: literal text, except `...`, spaces and values that
    vary (built-in kinds and the block's vary list)."""
    pats = [("ellipsis", r"\.\.\.")] + [(n, p) for n, p in vary] + BUILTIN + [("space", r"\s+")]
    combined = re.compile("|".join("(?P<g%d>%s)" % (i, p) for i, (n, p) in enumerate(pats)))
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = combined.search(text, pos)
        if not m:
            out.append(re.escape(text[pos:]))
            break
        if m.start() > pos:
            out.append(re.escape(text[pos:m.start()]))
        name, pat = pats[int(m.lastgroup[1:])]
        if m.end() == m.start():  # an empty match: take one character literally
            out.append(re.escape(text[pos]))
            pos += 1
            continue
        if name == "ellipsis":
            out.append(".*?")
        elif name == "space":
            out.append(r"\s+")
        elif name in MATCH:
            out.append("(?:%s)" % MATCH[name])
        else:
            out.append("(?:%s)" % pat)
        pos = m.end()
    return re.compile("".join(out))


def match_lines(expected, got, vary):
    """None if got matches expected, else the index of the first expected line that could not
    be matched (the furthest any alignment got)."""
    pats = [None if e.strip() == "..." else compile_line(e, vary) for e in expected]
    got = [g.rstrip() for g in got]
    memo, best = {}, [0]

    def go(i, j):
        key = (i, j)
        if key in memo:
            return memo[key]
        best[0] = max(best[0], i)
        if i == len(pats):
            r = j == len(got)
        elif pats[i] is None:
            r = any(go(i + 1, k) for k in range(j, len(got) + 1))
        else:
            r = j < len(got) and pats[i].fullmatch(got[j]) is not None and go(i + 1, j + 1)
        memo[key] = r
        return r

    return None if go(0, 0) else best[0]


# ------------------------------------------------------------------ running


class Shell:
    """One bash for a doc: commands run one at a time, variables and cd carry over."""

    def __init__(self, cwd, env):
        self.cwd = cwd
        self.proc = subprocess.Popen(["bash", "--norc", "--noprofile"], cwd=cwd, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.n = 0

    def run(self, cmd):
        self.n += 1
        out = os.path.join(self.cwd, ".doctest-%d.out" % self.n)
        err = os.path.join(self.cwd, ".doctest-%d.err" % self.n)
        marker = "__doctest_done_%d__" % self.n
        script = "{ %s\n} >%s 2>%s </dev/null; echo \"%s $?\"\n" % (cmd, out, err, marker)
        self.proc.stdin.write(script.encode())
        self.proc.stdin.flush()
        buf, deadline = b"", time.monotonic() + CMD_TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                raise DocFailure("the command did not finish within %.0f s" % CMD_TIMEOUT)
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if not r:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise DocFailure("the shell exited (did the doc run `exit`?)")
            buf += chunk
            m = re.search((r"%s (\d+)\n" % marker).encode(), buf)
            if m:
                break
        with open(out, encoding="utf-8", errors="replace") as f:
            o = f.read()
        with open(err, encoding="utf-8", errors="replace") as f:
            e = f.read()
        os.unlink(out)
        os.unlink(err)
        return int(m.group(1)), o, e

    def close(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 9)
            except OSError:
                pass
        self.proc.wait()


class DocRun:
    def __init__(self, path, keep=False, verbose=False, keep_going=False):
        self.path = path
        self.keep_going = keep_going
        self.failures = []
        self.doc = os.path.relpath(path, REPO)
        self.keep = keep
        self.verbose = verbose
        self.node = None
        self.shell = None
        self.fills = {}
        self.pending_env = []
        self.outputs = []
        self.ran = self.skipped = 0

    def setup(self):
        self.work = tempfile.mkdtemp(prefix="petro-it-doc-%d-" % os.getpid())
        for name in os.listdir(REPO):
            if name in ("build", "devnet", "cluster") or name.startswith("."):
                continue
            os.symlink(os.path.join(REPO, name), os.path.join(self.work, name))
        os.symlink(os.path.dirname(os.path.abspath(h.PETRO_BIN)), os.path.join(self.work, "build"))
        self.node = h.Node(data_dir=os.path.join(self.work, "devnet"), name="doc")
        self.node.start()
        env = dict(os.environ)
        # XDG_CONFIG_HOME too: `petro config set` (docs/cli.md) writes under HOME, never in the
        # settings of the user running the tests.
        for k in ("PETRO_PASSPHRASE", "PETRO_WALLETS", "XDG_CONFIG_HOME", "CDPATH", "BASH_ENV",
                  "ENV"):
            env.pop(k, None)
        env.update({"PETRO_NODE": self.node.url, "HOME": self.work, "LC_ALL": "C.UTF-8",
                    "PATH": os.path.abspath(h.PETRO_BIN) + os.pathsep + env.get("PATH", "")})
        self.shell = Shell(self.work, env)

    def close(self):
        if self.shell:
            self.shell.close()
        if self.node:
            self.node.close()
        if getattr(self, "work", None):
            if self.keep:
                h.log("kept %s" % self.work)
            else:
                shutil.rmtree(self.work, ignore_errors=True)

    def apply_state(self, block):
        for word, rest in block.state:
            if word == "env":
                name, eq, value = rest.partition("=")
                if not eq or not re.fullmatch(r"[A-Za-z_]\w*", name):
                    raise DocFailure("%s:%d: doc-test: env NAME=VALUE" % (self.doc, block.line))
                self.pending_env.append("export %s=%s" % (name, shquote(value)))
            else:
                m = re.fullmatch(r"(\w+)\s*(?:=(.*)|/(.*)/)", rest, re.S)
                if not m:
                    raise DocFailure("%s:%d: doc-test: fill WORD=TEXT or fill WORD /REGEX/"
                                     % (self.doc, block.line))
                self.fills[m.group(1)] = ("text", m.group(2)) if m.group(2) is not None \
                    else ("re", m.group(3))

    def flush_env(self):
        while self.pending_env:
            cmd = self.pending_env.pop(0)
            rc, o, e = self.shell.run(cmd)
            if rc != 0:
                raise DocFailure("%s: `%s` failed: %s%s" % (self.doc, cmd, o, e))

    def fill(self, cmd, line):
        for word, (kind, val) in self.fills.items():
            pat = re.compile(r"(?<![\w$-])%s(?![\w])" % re.escape(word))
            if not pat.search(cmd):
                continue
            if kind == "re":
                for text in reversed(self.outputs):
                    m = re.search(val, text, re.M)
                    if m:
                        val = m.group(1)
                        break
                else:
                    raise DocFailure("%s:%d: no output so far matches /%s/ to fill %s"
                                     % (self.doc, line, val, word))
            # Only the command, not its trailing comment ("# HASH: the hash pay printed").
            cut = re.search(r"\s#", cmd)
            cut = cut.start() if cut else len(cmd)
            cmd = pat.sub(lambda _m: val, cmd[:cut]) + cmd[cut:]
        return cmd

    def step(self, line, cmd, expected, block, script=False):
        if self.shell is None:
            self.setup()
        self.flush_env()
        run_cmd = self.fill(cmd, line).replace(DOC_NODE, self.node.url)
        t0 = time.monotonic()
        try:
            rc, o, e = self.shell.run(run_cmd)
        except DocFailure as ex:
            raise DocFailure("%s:%d: $ %s\n%s" % (self.doc, line, run_cmd, ex))
        self.outputs.append(o + e)
        self.ran += 1
        if self.verbose:
            h.log("%s:%d (%.2fs, exit %d) $ %s" % (self.doc, line, time.monotonic() - t0, rc,
                                                   run_cmd.split("\n")[0]))
        got = (o + e).rstrip("\n").split("\n") if (o + e).strip() else []
        if script:
            return self.check_script(line, cmd, run_cmd, rc, got)
        want_rc = 0
        if expected and re.fullmatch(r"\(exit (\d+)\)", expected[-1].strip()):
            want_rc = int(re.fullmatch(r"\(exit (\d+)\)", expected[-1].strip()).group(1))
            expected = expected[:-1]
        problem = None
        if rc != want_rc:
            problem = "exit status %d, the doc says %d" % (rc, want_rc)
        elif expected:
            # The docs show the node of `make run`; this run's node is elsewhere.
            expected = [x.replace(DOC_NODE, self.node.url) for x in expected]
            got = indent_json(expected, got)
            bad = match_lines(expected, got, block.vary)
            if bad is not None:
                problem = "output differs (from expected line %d: %r)" % (
                    bad + 1, expected[bad] if bad < len(expected) else "<end>")
        if problem:
            raise DocFailure(self.describe(line, run_cmd, problem, expected, got, want_rc))

    def check_script(self, line, cmd, run_cmd, rc, got):
        comment = re.search(r"#\s*(fails\b.*)$", cmd, re.S)
        if comment:
            code = re.search(r"\((\w+)\)\s*$", comment.group(1))
            if rc == 0:
                raise DocFailure(self.describe(line, run_cmd, "exit status 0, the doc says it "
                                               "fails", None, got, None))
            if code and not any(code.group(1) in g for g in got):
                raise DocFailure(self.describe(line, run_cmd, "the output does not name %s"
                                               % code.group(1), None, got, None))
        elif rc != 0:
            raise DocFailure(self.describe(line, run_cmd, "exit status %d" % rc, None, got, 0))

    def describe(self, line, cmd, problem, expected, got, want_rc):
        parts = ["%s:%d: $ %s" % (self.doc, line, cmd), "  " + problem]
        if expected is not None:
            parts.append("  expected (the doc):")
            parts += ["    | " + x for x in expected] or ["    (no output shown)"]
            if want_rc:
                parts.append("    | (exit %d)" % want_rc)
        parts.append("  got:")
        parts += ["    | " + x for x in got] or ["    (no output)"]
        return "\n".join(parts)

    def run(self):
        t0 = time.monotonic()
        blocks = parse_markdown(self.path)
        try:
            for b in blocks:
                self.apply_state(b)
                if b.skip:
                    if b.is_session() or b.run:
                        self.skipped += 1
                        if self.verbose:
                            h.log("%s:%d skipped: %s" % (self.doc, b.line, b.skip))
                    continue
                if b.run:
                    steps = [(line, cmd, None, True) for line, cmd in split_script(b)]
                elif b.is_session():
                    steps = [(line, cmd, out, False) for line, cmd, out in split_session(b)]
                else:
                    continue
                for line, cmd, out, script in steps:
                    try:
                        self.step(line, cmd, out, b, script=script)
                    except DocFailure as e:
                        if not self.keep_going:
                            raise
                        self.failures.append(str(e))
                        print("FAIL %s" % e, file=sys.stderr, flush=True)
        finally:
            self.close()
        if self.failures:
            raise DocFailure("%d commands did not run as the doc says (above)"
                             % len(self.failures))
        h.log("%s: %d commands ran as written and matched, %d blocks skipped (%.1f s)"
              % (self.doc, self.ran, self.skipped, time.monotonic() - t0))


def self_test():
    """The matcher must reject what differs, or every doc-test would pass vacuously."""
    cases = [
        (["PTR    20949.999997"], ["PTR    20949.999997"], [], True),
        (["PTR    20949.999997"], ["PTR    20949.999995"], [], False),
        (["hash 9c1f0e..."], ["hash " + "ab" * 32], [], True),
        (["to tptr1...bob"], ["to tptr1sehju28q7mhqv9925sjdrzdqqw0gh83t8wrwsnn8ekrg5c2qql6s05qztv"],
         [], True),
        (["committed in block 3"], ["committed in block 4"], [], False),
        (["committed in block 3"], ["committed in block 4"], [("block", NAMED["block"])], True),
        (["height         42"], ["height 3"], [("height", NAMED["height"])], True),
        (["a", "...", "z"], ["a", "b", "c", "z"], [], True),
        (["a", "...", "z"], ["a", "b", "c"], [], False),
        (["a"], ["a", "b"], [], False),
        (["time 2026-11-23 14:23:58.843 UTC"], ["time 2027-01-02 03:04:05.006 UTC"], [], True),
        (["all  2026-11  PTR  1"], ["all  2026-12  PTR  1"], [], False),
        (["all  2026-11  PTR  1"], ["all  2026-12  PTR  1"], [("month", NAMED["month"])], True),
        (["approvals 2 of 2 (x)"], ["approvals 1 of 2 (x)"], [], False),
        (["at height 1, 8 blocks old (tip 9); x"], ["at height 1, 1 block old (tip 2); x"],
         [("age", NAMED["age"])], True),
        (["at height 1, 8 blocks old (tip 9); x"], ["at height 2, 7 blocks old (tip 9); x"],
         [("age", NAMED["age"])], False),
        (['    "timestamp_ms": 1795441006101,'], ['    "timestamp_ms": 1,'], [], False),
        (['    "timestamp_ms": 1795441006101,'], ['    "timestamp_ms": 1,'],
         [("ms", NAMED["ms"])], True),
        (["height 1, 8 blocks old when fetched (tip 9)"], ["height 1, 8 blocks old (tip 9)"],
         [("age", NAMED["age"])], False),
        (['    "timestamp_ms": 1795441006101,'], ['    "timestamp_ms": 1,'], [], False),
        (['    "timestamp_ms": 1795441006101,'], ['    "timestamp_ms": 1,'],
         [("ms", NAMED["ms"])], True),
    ]
    for exp, got, vary, ok in cases:
        if (match_lines(exp, got, vary) is None) != ok:
            raise DocFailure("self-test: %r against %r (vary %r) should %smatch"
                             % (exp, got, vary, "" if ok else "not "))


def indent_json(expected, got):
    """The API answers one line of JSON; a doc shows it indented, as `python3 -m json.tool`
    prints it (4 spaces, the node's key order). Only then: other output is compared as is."""
    if len(got) != 1 or len(expected) < 2 or expected[0].strip() not in ("{", "["):
        return got
    try:
        return json.dumps(json.loads(got[0]), indent=4, ensure_ascii=False).split("\n")
    except ValueError:
        return got


def shquote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("docs", nargs="+", metavar="DOC.md")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-k", "--keep-going", action="store_true",
                    help="after a mismatch, run the rest of the doc and report every one")
    ap.add_argument("-v", "--verbose", action="store_true", help="log every command")
    args = ap.parse_args()
    self_test()
    ok = True
    for doc in args.docs:
        try:
            DocRun(os.path.abspath(doc), keep=args.keep, verbose=args.verbose,
                   keep_going=args.keep_going).run()
        except (DocFailure, h.TestFailure) as e:
            ok = False
            print("FAIL %s\n%s" % (doc, e), file=sys.stderr, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
