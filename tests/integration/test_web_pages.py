"""The explorer's pages served by petrod itself (--web DIR, petrod/api/static.c; issue #19):
the pages, their scripts, the two npm packages they import and uPlot's two files come back with their types and
safety headers, for GET and HEAD; everything else stays the API's JSON 404: paths with "..",
hidden or odd characters, files outside the page directories (package.json, tools/, README),
other npm packages and uPlot's other files, and a symbolic link inside DIR that points outside it. Without --web, / is
a JSON 404; a --web DIR without index.html is refused at start."""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import petro_harness as h  # noqa: E402
from petro_harness import check, log  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def copy_pages(dst):
    """The page files of web/ (no node_modules: a tiny stand-in for @noble), plus traps."""
    src = os.path.join(REPO, "web")
    for name in os.listdir(src):
        if name.endswith(".html"):
            shutil.copy(os.path.join(src, name), dst)
    for d in ("css", "js", "src", "tools"):
        shutil.copytree(os.path.join(src, d), os.path.join(dst, d))
    shutil.copy(os.path.join(src, "package.json"), dst)
    noble = os.path.join(dst, "node_modules", "@noble", "hashes")
    os.makedirs(noble)
    with open(os.path.join(noble, "blake2.js"), "w") as f:
        f.write("export const stand_in = 1;\n")
    uplot = os.path.join(dst, "node_modules", "uplot")
    os.makedirs(os.path.join(uplot, "dist"))
    for name in ("dist/uPlot.esm.js", "dist/uPlot.min.css", "dist/uPlot.cjs.js", "package.json"):
        with open(os.path.join(uplot, name), "w") as f:
            f.write("/* stand-in */\n")
    other = os.path.join(dst, "node_modules", "other")
    os.makedirs(other)
    with open(os.path.join(other, "index.js"), "w") as f:
        f.write("export const secret = 1;\n")
    outside = tempfile.mkdtemp(prefix="petro-it-outside-")
    with open(os.path.join(outside, "secret.js"), "w") as f:
        f.write("export const secret = 2;\n")
    os.symlink(os.path.join(outside, "secret.js"), os.path.join(dst, "js", "link.js"))
    os.symlink(outside, os.path.join(dst, "js", "linkdir"))
    return outside


def run():
    pages = tempfile.mkdtemp(prefix="petro-it-pages-")
    outside = copy_pages(pages)
    try:
        with h.Node(name="web", extra_args=["--web", pages]) as node:
            node.start()
            for path, ctype in (("/", "text/html"), ("/index.html", "text/html"),
                                ("/account.html", "text/html"),
                                ("/js/home.js", "text/javascript"),
                                ("/css/site.css", "text/css"),
                                ("/src/petro.js", "text/javascript"),
                                ("/node_modules/@noble/hashes/blake2.js", "text/javascript"),
                                ("/node_modules/uplot/dist/uPlot.esm.js", "text/javascript"),
                                ("/node_modules/uplot/dist/uPlot.min.css", "text/css")):
                for method in ("GET", "HEAD"):
                    st, body, hdrs = h.http_request(node.url, method, path)
                    check(st == 200, "%s %s: %s" % (method, path, st))
                    check(hdrs.get("content-type", "").startswith(ctype),
                          "%s %s: content-type %r" % (method, path, hdrs.get("content-type")))
                    check(hdrs.get("x-content-type-options") == "nosniff" and
                          hdrs.get("x-frame-options") == "DENY",
                          "%s %s: safety headers missing: %r" % (method, path, hdrs))
                    if method == "HEAD":
                        check(body == "", "HEAD %s sent a body" % path)
            st, body, _ = h.http_request(node.url, "GET", "/")
            check("<html" in body, "/ is not the home page: %r" % body[:80])
            refused = ["/package.json", "/tools/serve.mjs", "/README.md", "/../Makefile",
                       "/%2e%2e/Makefile", "/js/../index.html", "/js/./home.js", "/.hidden",
                       "//index.html", "/js//home.js", "/js/", "/index.html/",
                       "/node_modules/other/index.js", "/node_modules/uplot/dist/uPlot.cjs.js",
                       "/node_modules/uplot/package.json", "/node_modules/uplot/dist/",
                       "/js/link.js", "/js/linkdir/secret.js",
                       "/nope.html", "/js/home.js%00.html", "/js/home.txt", "/v1/nope",
                       "/etc/passwd",
                       "/" + "a/" * 9 + "x.js", "/js/" + "x" * 300 + ".js"]
            for path in refused:
                st, body, hdrs = h.http_request(node.url, "GET", path)
                check(st == 404 and isinstance(body, dict) and body.get("error") == "not_found",
                      "GET %s: expected the JSON 404, got %s %r" % (path, st, body))
            st, body, _ = h.http_request(node.url, "POST", "/", body="{}")
            check(st == 404 and body.get("error") == "not_found", "POST /: %s %r" % (st, body))
            st, body = h.http_get(node.url, "/v1/status")
            check(st == 200 and "height" in body, "the API still answers: %s %r" % (st, body))
            log("pages served; %d bad paths refused" % len(refused))

        with h.Node(name="noweb") as node:
            node.start()
            st, body = h.http_get(node.url, "/")
            check(st == 404 and body.get("error") == "not_found",
                  "without --web, / is the JSON 404: %s %r" % (st, body))

        empty = tempfile.mkdtemp(prefix="petro-it-empty-")
        data = tempfile.mkdtemp(prefix="petro-it-webdata-")
        try:
            p = subprocess.run([h.PETROD, "devnet", "--data", os.path.join(data, "d"),
                                "--http", "127.0.0.1:%d" % h.free_port(), "--web", empty],
                               capture_output=True, text=True, timeout=60 * h.SLOW)
            check(p.returncode != 0 and "index.html" in p.stderr,
                  "--web without index.html: exit %d, stderr %r" % (p.returncode, p.stderr))
        finally:
            shutil.rmtree(empty, ignore_errors=True)
            shutil.rmtree(data, ignore_errors=True)
    finally:
        shutil.rmtree(pages, ignore_errors=True)
        shutil.rmtree(outside, ignore_errors=True)


if __name__ == "__main__":
    h.main(run)
