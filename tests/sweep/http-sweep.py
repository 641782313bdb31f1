#!/usr/bin/env python3
"""http-sweep.py: sends bad input to every route of the API and the pages of a running stack
(tests/harness.sh) as anonymous, a user and an admin, and reports every answer that is a 5xx,
took over 5 s, broke the connection, or (under /api) a 4xx that is not API.md's JSON error
shape; after each batch it checks the FastCGI workers for restarts and their log for crashes.

Not part of the test suite (slow, and it changes the database it runs against).

  source $ST/env; tests/sweep/http-sweep.py [--only KIND[,KIND]] [--route SUBSTR]

KIND: raw, ids, headers, query, bodies, uploads, forms, nested. SWEEP_OUT names the JSON file of
the findings (/tmp/http-sweep.json); SWEEP_QNAMES=a,b limits the query names.

Needs PSS_TEST_URL, PSS_TEST_STATE and PSS_BIN (the harness's env). Creates its own accounts
sweep-admin / sweep-user / sweep-victim. Standard library only. Exit status 1 when anything
was recorded."""

import argparse
import gzip
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
import zlib

TIMEOUT = 5.0
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = "Sweep-pass-1234"

URL = os.environ.get("PSS_TEST_URL", "")
STATE = os.environ.get("PSS_TEST_STATE", "")
m = re.match(r"https://([^:/]+):(\d+)", URL)
if not m:
    sys.exit("http-sweep: source the harness's env first (PSS_TEST_URL)")
HOST, PORT = m.group(1), int(m.group(2))
CTX = ssl.create_default_context()
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE

# ---------------------------------------------------------------- raw HTTP over TLS


class Answer:
    def __init__(self):
        self.status = 0
        self.headers = {}
        self.body = b""
        self.elapsed = 0.0
        self.error = None  # "timeout", "reset", "closed", ...


def decode_chunked(b):
    out, i = b"", 0
    while True:
        j = b.find(b"\r\n", i)
        if j < 0:
            return out
        size = int(b[i:j].split(b";")[0] or b"0", 16)
        if size == 0:
            return out
        out += b[j + 2:j + 2 + size]
        i = j + 2 + size + 2


def raw(method, target, headers=None, body=b"", *, length=None, chunked=False, timeout=TIMEOUT):
    """Sends one request (Connection: close) and reads the whole answer. target and header
    values may be bytes (sent as they are). length: the Content-Length to claim (None: the
    body's, False: none)."""
    if isinstance(target, str):
        target = target.encode("utf-8", "surrogateescape")
    if isinstance(body, str):
        body = body.encode()
    hs = [(b"Host", b"%s:%d" % (HOST.encode(), PORT)), (b"Connection", b"close")]
    for k, v in (headers or {}).items() if isinstance(headers, dict) else (headers or []):
        if v is None:
            continue
        hs.append((k.encode() if isinstance(k, str) else k, v.encode() if isinstance(v, str) else v))
    if chunked:
        hs.append((b"Transfer-Encoding", b"chunked"))
        data = b""
        for i in range(0, len(body), 7):
            part = body[i:i + 7]
            data += b"%x\r\n%s\r\n" % (len(part), part)
        body = data + b"0\r\n\r\n"
    elif length is None:
        if body or method in ("POST", "PUT", "PATCH"):
            hs.append((b"Content-Length", str(len(body)).encode()))
    elif length is not False:
        hs.append((b"Content-Length", str(length).encode()))
    req = method.encode() + b" " + target + b" HTTP/1.1\r\n"
    req += b"".join(k + b": " + v + b"\r\n" for k, v in hs) + b"\r\n" + body
    a = Answer()
    t0 = time.monotonic()
    parts = []
    try:
        s = socket.create_connection((HOST, PORT), timeout=timeout)
        s = CTX.wrap_socket(s, server_hostname=HOST)
        s.settimeout(timeout)
        s.sendall(req)
        deadline = t0 + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                a.error = "timeout"
                break
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                a.error = "timeout"
                break
            except ssl.SSLError as e:
                if parts:
                    break
                a.error = "ssl: %s" % e
                break
            except ConnectionResetError:
                a.error = "reset" if not parts else None
                break
            if not chunk:
                break
            parts.append(chunk)
        s.close()
    except (OSError, ssl.SSLError) as e:
        a.error = a.error or ("connect: %s" % e)
    a.elapsed = time.monotonic() - t0
    data = b"".join(parts)
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        if not a.error:
            a.error = "no answer" if not data else "truncated head"
        return a
    lines = head.split(b"\r\n")
    try:
        a.status = int(lines[0].split(b" ")[1])
    except (IndexError, ValueError):
        a.error = "bad status line %r" % lines[0][:80]
        return a
    for ln in lines[1:]:
        k, _, v = ln.partition(b":")
        a.headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    if a.headers.get("transfer-encoding", "").lower() == "chunked":
        body = decode_chunked(body)
    enc = a.headers.get("content-encoding", "")
    try:
        if enc == "gzip":
            body = gzip.decompress(body)
        elif enc == "deflate":
            body = zlib.decompress(body)
    except Exception as e:
        a.error = a.error or "bad %s body: %s" % (enc, e)
    a.body = body
    if method != "HEAD" and "content-length" in a.headers and not enc:
        try:
            if int(a.headers["content-length"]) != len(data.partition(b"\r\n\r\n")[2]):
                a.error = a.error or "short body (%s of %s)" % (len(body), a.headers["content-length"])
        except ValueError:
            pass
    return a


# ---------------------------------------------------------------- the stack

def worker_starts():
    try:
        return os.path.getsize(os.path.join(STATE, "run", "fcgi.starts"))
    except OSError:
        return -1


LOG_BAD = re.compile(r"signal|abort|assert|segfault|sanitizer|core dumped|stack smash|"
                     r"double free|corrupt|fatal|exited|killed|ready \(pid", re.I)


class Logs:
    def __init__(self):
        self.pos = {}
        self.files = [os.path.join(STATE, "log", n) for n in ("fcgi.log", "worker.log", "nginx-error.log")]
        for f in self.files:
            self.pos[f] = os.path.getsize(f) if os.path.exists(f) else 0

    def new_bad(self):
        out = []
        for f in self.files:
            if not os.path.exists(f):
                continue
            with open(f, "rb") as fh:
                fh.seek(self.pos[f])
                data = fh.read()
                self.pos[f] = fh.tell()
            for ln in data.decode("utf-8", "replace").splitlines():
                if f.endswith("nginx-error.log"):
                    if re.search(r"prematurely|upstream timed out|failed \(|\[(crit|alert|emerg)\]", ln):
                        out.append("%s: %s" % (os.path.basename(f), ln[:300]))
                elif LOG_BAD.search(ln) or " error " in ln:
                    out.append("%s: %s" % (os.path.basename(f), ln[:300]))
        return out


# ---------------------------------------------------------------- checks

FINDINGS = []
COUNTS = {}
SEEN = set()


def error_shape_ok(a):
    try:
        o = json.loads(a.body)
    except Exception:
        return False
    return (isinstance(o, dict) and o.get("success") is False and isinstance(o.get("error"), str)
            and isinstance(o.get("message"), str) and isinstance(o.get("requestId"), str))


SLOWEST = []


def check(kind, who, method, target, a, note=""):
    COUNTS[kind] = COUNTS.get(kind, 0) + 1
    if a.elapsed > 0.5:
        SLOWEST.append((round(a.elapsed, 2), kind, who, method,
                        (target.decode("latin-1") if isinstance(target, bytes) else target)[:150], note[:60]))
    path = target.decode("latin-1") if isinstance(target, bytes) else target
    p0 = path.split("?")[0]
    api = p0 == "/api" or p0.startswith("/api/")
    why = None
    if a.error:
        why = a.error
    elif a.elapsed > TIMEOUT:
        why = "slow %.1fs" % a.elapsed
    elif a.status >= 500:
        why = "status %d" % a.status
    elif api and 400 <= a.status < 500 and method != "HEAD" and not error_shape_ok(a):
        why = "%d not the JSON error shape" % a.status
    if why is None:
        return
    key = (kind, method, re.sub(r"\d+", "N", path.split("?")[0])[:80], why.split(" (")[0][:40], note[:30])
    rec = {"kind": kind, "who": who, "method": method, "target": path[:300], "why": why,
           "status": a.status, "elapsed": round(a.elapsed, 2), "note": note[:200],
           "body": a.body[:300].decode("utf-8", "replace")}
    FINDINGS.append(rec)
    if key not in SEEN:
        SEEN.add(key)
        print("FOUND %(kind)s %(who)s %(method)s %(target)s -> %(why)s [%(note)s] %(body)s" % rec,
              flush=True)


# nginx's rate-limited zones (site.conf): at most ~12 a second each, below the harness's 20 r/s
ZONES = [(r"^/(api/auth/)?login$", "login"), (r"^/(api/auth/)?register$", "register"),
         (r"^/(api/)?scripts/upload", "upload"), (r"^/(api/scripts/)?analyze$", "analyze"),
         (r"^/api/scripts/[0-9]+/apply-fixes$", "analyze"), (r"^/scripts/[0-9]+/fixes$", "analyze"),
         (r"^/(api/)?chat", "chat")]
_last = {}


def throttle(method, path):
    if method in ("GET", "HEAD"):
        return
    p = path.split("?")[0]
    for rx, z in ZONES:
        if re.match(rx, p):
            t = _last.get(z, 0)
            now = time.monotonic()
            if now - t < 0.085:
                time.sleep(0.085 - (now - t))
            _last[z] = time.monotonic()
            return


TOKENS = {"anon": None, "user": None, "admin": None}
CSRF = {}
ANON_CSRF = "ab" * 32	# the double-submit cookie of anonymous forms (pages.c anon_csrf)


def send(kind, who, method, target, headers=None, body=b"", note="", **kw):
    h = dict(headers or {})
    if who.startswith("cookie-"):
        # the pages' way: the session cookie, and the CSRF token in the form or a header
        h["Cookie"] = "__Host-pss_session=" + TOKENS[who[7:]]
    elif who == "anon-form":
        h["Cookie"] = "__Host-pss_csrf=" + ANON_CSRF
    elif TOKENS.get(who) and "Authorization" not in h:
        h["Authorization"] = "Bearer " + TOKENS[who]
    throttle(method, target if isinstance(target, str) else target.decode("latin-1"))
    a = raw(method, target, h, body, **kw)
    check(kind, who, method, target, a, note)
    return a


def api(method, path, body=None, who="admin"):
    h = {"Content-Type": "application/json"} if body is not None else {}
    if TOKENS.get(who):
        h["Authorization"] = "Bearer " + TOKENS[who]
    throttle(method, path)
    a = raw(method, path, h, json.dumps(body).encode() if body is not None else b"", timeout=30)
    try:
        return a.status, json.loads(a.body)
    except Exception:
        return a.status, None


# ---------------------------------------------------------------- setup


def login(name):
    st, o = api("POST", "/api/auth/login", {"username": name, "password": PASSWORD}, who="anon")
    if st != 200:
        raise SystemExit("http-sweep: login %s: %s %s" % (name, st, o))
    CSRF[name] = o.get("csrfToken")
    return o["token"]


def ensure_user(name, admin=False):
    cmd = [os.path.join(os.environ["PSS_BIN"], "psscript"), "user", "add", name, name + "@sweep.test",
           "--password-stdin"] + (["--admin"] if admin else [])
    subprocess.run(cmd, input=PASSWORD + "\n", text=True, capture_output=True)


def relogin():
    for who, name in (("user", "sweep-user"), ("admin", "sweep-admin")):
        ensure_user(name, who == "admin")
        st, _ = api("GET", "/api/auth/me", who=who)
        if st != 200:
            TOKENS[who] = login(name)


IDS = {}


def setup():
    ensure_user("sweep-admin", True)
    ensure_user("sweep-user")
    ensure_user("sweep-victim")
    TOKENS["admin"] = login("sweep-admin")
    TOKENS["user"] = login("sweep-user")
    st, me = api("GET", "/api/auth/me", who="user")
    IDS["self"] = me["user"]["id"]
    st, users = api("GET", "/api/users?limit=100", who="admin")
    IDS["victim"] = next(u["id"] for u in users["users"] if u["username"] == "sweep-victim")
    stamp = str(time.time())
    st, o = api("POST", "/api/scripts", {"title": "sweep " + stamp, "content":
                                          "param($Name)\nWrite-Host \"hi $Name\"\nGet-Process | Select -First 1\n# " + stamp,
                                          "isPublic": True, "tags": ["sweep"], "categoryId": 1}, who="user")
    IDS["script"] = (o.get("script") or o).get("id") if o else 1
    api("PUT", "/api/scripts/%s" % IDS["script"], {"content": "Write-Host 2\n# " + stamp,
                                                    "commitMessage": "two"}, who="user")
    st, o = api("POST", "/api/scripts", {"title": "sweep private " + stamp, "content":
                                          "Write-Host private\n# " + stamp, "isPublic": False}, who="user")
    IDS["private"] = (o.get("script") or o).get("id") if o else 2
    st, o = api("GET", "/api/tags", who="anon")
    IDS["tag"] = (o.get("tags") or [{"id": 1}])[0]["id"] if o else 1
    st, o = api("POST", "/api/documentation", {"title": "Sweep doc", "url": "https://example.test/sweep",
                                                "content": "Get-Process gets processes.", "source": "sweep"},
                who="admin")
    IDS["doc"] = ((o or {}).get("document") or o or {}).get("id", 1)
    st, o = api("POST", "/api/chat/history", {"messages": [{"role": "user", "content": "hello"},
                                                           {"role": "assistant", "content": "hi"}]}, who="user")
    IDS["chat"] = (o or {}).get("id") or (o or {}).get("historyId") or 1
    print("setup: %s" % IDS, flush=True)


# ---------------------------------------------------------------- the routes

ROUTE_RE = re.compile(r'\{\s*HTTP_(GET|POST|PUT|PATCH|DELETE),\s*"([^"]+)",\s*([A-Z_| 0]+),')


def routes():
    src = open(os.path.join(TOP, "src", "handlers", "routes.c")).read()
    out = []
    for m in ROUTE_RE.finditer(src):
        out.append((m.group(1), m.group(2), m.group(3)))
    return out


def good_param(pattern, name):
    if name == "id":
        if pattern.startswith("/api/users") or pattern.startswith("/admin/users"):
            return str(IDS["victim"])
        if "/categories" in pattern:
            return "3"
        if "/tags" in pattern:
            return str(IDS["tag"])
        if "/documentation" in pattern or pattern.startswith("/docs") or pattern.startswith("/admin/docs"):
            return str(IDS["doc"])
        if "/chat" in pattern:
            return str(IDS["chat"])
        if "sessions" in pattern:
            return "1"
        return str(IDS["script"])
    if name == "n":
        return "1"
    if name in ("uploadId", "batchId"):
        return "00000000-0000-0000-0000-000000000000"
    if name == "ruleId":
        return "PSAvoidUsingWriteHost"
    if name == "name":
        return "Get-Process"
    return "1"


def fill(pattern, override=None):
    def sub(m):
        n = m.group(1)
        if override and n in override:
            return override[n]
        return good_param(pattern, n)
    return re.sub(r":([A-Za-z]+)", sub, pattern)


BAD_IDS = ["0", "-1", "-0", "0x10", "1e3", "007", "1.5", "+1", " 1", "1%20", "%201", "abc", "1abc",
           "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
           "-9223372036854775808", "-9223372036854775809", "18446744073709551616",
           "99999999999999999999999999999999", "1e309", "NaN", "Infinity", "%00", "1%00", "%ff",
           "%c3%28", "%e2%80%ae", "%ef%bf%bf", "%f4%90%80%80", "%2e", "%2e%2e", "..%2f", "%252f",
           "9" * 300, "a" * 4000, "%27", "%22%3e%3cx%3e", "1;2", "%0d%0a", "00000000-0000-0000-0000-000000000000",
           "00000000-0000-0000-0000-00000000000g", "ZZZZZZZZ-0000-0000-0000-000000000000", "*", "~", "%7e"]

BAD_VALUES = ["-1", "0", "-0", "1e9", "1e309", "abc", "999999999999", "99999999999999999999999",
              "9223372036854775808", "0x10", "007", "1.5", "", "%00", "1%00", "%ff", "%c3%28",
              "a" * 3000, "%5B%5D", "NaN", "-9223372036854775809", "true", "null", "[]", "{}",
              "%2C%2C%2C", "," * 200, "1%2C2%2C3", "unknown", "%0a"]

QUERY_NAMES = ["limit", "offset", "page", "sort", "order", "mode", "q", "query", "categoryId",
               "category_id", "userId", "tag", "tags", "isPublic", "mine", "minSecurityScore", "format",
               "from", "to", "threshold", "cursor", "sources", "contentTypes", "sortBy", "status", "days",
               "next", "since", "period", "range", "version", "type", "role", "search", "source",
               "scriptId", "perPage", "per_page", "pageSize", "lang", "download", "highlight", "fields",
               "sessionId", "before", "after", "id", "ids", "k", "semantic", "all", "async", "kind",
               "lines", "severity", "view"]
if os.environ.get("SWEEP_QNAMES"):
    QUERY_NAMES = os.environ["SWEEP_QNAMES"].split(",")

PRIMARY = {"limit", "offset", "page", "sort", "order", "mode", "q", "query", "cursor", "from", "to",
           "threshold", "format", "categoryId", "userId", "tag", "minSecurityScore", "sortBy", "sources",
           "contentTypes", "tags", "isPublic", "mine", "days", "status", "all", "async", "kind", "lines",
           "severity", "view", "version", "scriptId"}
FEW_VALUES = ["-1", "abc", "%00", "%ff", "a" * 3000, "99999999999999999999999", "1e309"]

# body members by route pattern (the handlers' own names and aliases)
FIELDS = {
    "/api/auth/register": ["username", "email", "password"],
    "/api/auth/login": ["username", "email", "password", "login"],
    "/api/auth/refresh": ["refreshToken", "refresh_token"],
    "/api/auth/user": ["username", "email"],
    "/api/auth/password": ["currentPassword", "newPassword", "current_password", "new_password"],
    "/api/users": ["username", "email", "password", "role"],
    "/api/users/:id": ["username", "email", "password", "role"],
    "/api/users/:id/reset-password": ["password"],
    "/api/scripts": ["title", "content", "description", "categoryId", "category_id", "tags", "isPublic",
                     "is_public", "analyze", "analyze_with_ai", "commitMessage", "fileName"],
    "/api/scripts/:id": ["title", "content", "description", "categoryId", "category_id", "tags",
                         "isPublic", "is_public", "commitMessage", "analyze"],
    "/api/scripts/analyze": ["content", "fileName", "filename", "settings", "rules"],
    "/api/scripts/delete": ["ids"],
    "/api/scripts/bulk-update": ["ids", "isPublic", "categoryId", "addTags", "removeTags", "add_tags",
                                 "remove_tags", "is_public", "category_id"],
    "/api/scripts/:id/analyze": ["force", "provider"],
    "/api/scripts/:id/execute": ["parameters", "status", "executionTime", "execution_time", "errorMessage",
                                 "exitCode", "output"],
    "/api/scripts/:id/revert/:n": ["commitMessage", "changelog"],
    "/api/scripts/:id/apply-fixes": ["version", "contentHash", "findingIds", "ruleIds"],
    "/api/categories": ["name", "description"],
    "/api/categories/:id": ["name", "description"],
    "/api/tags": ["name"],
    "/api/documentation/crawl": ["url", "maxPages", "depth", "sameHost", "max_pages"],
    "/api/documentation": ["title", "url", "content", "summary", "source", "contentType", "category",
                           "tags", "extractedCommands", "extractedFunctions", "extractedModules", "metadata"],
    "/api/documentation/bulk": ["documents"],
    "/api/chat": ["messages", "sessionId", "scriptId", "message", "stream", "model"],
    "/api/chat/history": ["messages", "title", "sessionId"],
    "/api/chat/:id/category": ["category"],
}

VALID = {
    "username": "sweepx", "email": "x@sweep.test", "password": "Another-pass-99", "login": "sweep-user",
    "refreshToken": "abc", "currentPassword": "wrong-pass-1", "newPassword": "Another-pass-99",
    "role": "user", "title": "t", "content": "Write-Host 1", "description": "d", "categoryId": 1,
    "tags": ["a"], "isPublic": True, "analyze": False, "ids": [999999], "version": 1,
    "contentHash": "0" * 64, "findingIds": [], "ruleIds": [], "name": "n", "url": "https://example.test/x",
    "maxPages": 1, "depth": 0, "messages": [{"role": "user", "content": "hi"}], "documents": [],
    "parameters": {}, "status": "success", "executionTime": 1, "category": "general",
}

# bad JSON values, as raw text (some are not valid JSON on purpose)
BAD_JSON = ['"1"', "1", "-1", "0", "-0", "1.5", "{}", "[]", "null", "true", "false", "1e309", "-1e309",
            "9223372036854775807", "9223372036854775808", "18446744073709551616", "-9223372036854775809",
            "1e3", "0.0000001", '"%s"' % ("x" * 100000), '"\\u0000"', '"a\\u0000b"', '"\\ud800"',
            '"\\udc00\\ud800"', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
            '{"a":{"b":{"c":1}}}', '[1,"a",null,{},[]]', '["%s"]' % ("y" * 1000), "[" + ",".join(["1"] * 5000) + "]",
            '[' + ','.join(['"t%d"' % i for i in range(200)]) + ']', '[{"role":1,"content":[]}]',
            '[{"role":"user","content":"%s"}]' % ("z" * 100000), '[null]', '[-1,0]', '["1","2"]',
            '""', '" "', '"\\n"', '"<script>"', '"%00"', '"\xe2\x80\xae"', "0x10", "007", "NaN", "Infinity"]

WHOLE_BODIES = [
    b"", b" ", b"null", b"true", b"1", b'"s"', b"[]", b"[1]", b"{", b"}", b"{}", b"{}{}", b"{} x",
    b"[" * 1000 + b"]" * 1000, b'{"a":' * 1000 + b"1" + b"}" * 1000, b"[" * 100000,
    b'{"a":1,"a":2}', b'{"title":"a","title":{"x":1}}', b'{"content":"a","content":null}',
    b'{"a":"\xff\xfe"}', b'{"a":"\xc3\x28"}', b"\xef\xbb\xbf{}", b'{"a":"b\x00c"}', b"{\x00}",
    b'{"a":"\\u0000"}', b'{"\\u0000":1}', b'{"":1}', b'{"a":"\x01\x1f"}', b"{'a':1}", b"{a:1}",
    b'{"a":1,}', b"[1,]", b'{"a":01}', b'{"a":.5}', b'{"a":1e}', b'{"a":-}', b'{"a":tru}',
    b'{"a":"\\x41"}', b'{"a":"\\u12"}', b"/*c*/{}", b"{}\n//c", b'{"a":"' + b"\\" * 5001 + b'"}',
    b'{' + b','.join(b'"k%d":1' % i for i in range(20000)) + b'}',
    b'{"messages":[' + b','.join(b'{"role":"user","content":"x"}' for _ in range(3000)) + b']}',
    b'{"ids":[' + b",".join(str(i).encode() for i in range(20000)) + b"]}",
    b'{"tags":[' + b",".join(b'"t%d"' % i for i in range(5000)) + b"]}",
    b'{"content":"' + b"a" * 400000 + b'"}',
    b"x" * 600000,
]

FORM_BAD = ["", "%00", "a%00b", "%ff", "%c3%28", "a" * 100000, "%", "%zz", "-1", "0", "1e309",
            "9223372036854775808", "0x10", "true", "[]", "&&&", "=", "a=b=c", "%2B", "+" * 100]


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--route", default="")
    return ap.parse_args()


class Batch:
    def __init__(self, logs):
        self.logs = logs
        self.starts = worker_starts()

    def end(self, name):
        bad = self.logs.new_bad()
        now = worker_starts()
        if now != self.starts:
            print("FOUND worker restart during %s: starts %d -> %d" % (name, self.starts, now), flush=True)
            FINDINGS.append({"kind": "restart", "batch": name, "why": "worker restarted"})
            self.starts = now
        for ln in bad[:20]:
            print("LOG during %s: %s" % (name, ln), flush=True)
        if bad:
            FINDINGS.append({"kind": "log", "batch": name, "why": "%d bad log lines" % len(bad),
                             "lines": bad[:20]})


def sweep_ids(rs, batch):
    for method, pat, flags in rs:
        names = re.findall(r":([A-Za-z]+)", pat)
        if not names:
            continue
        for name in names:
            for bad in BAD_IDS:
                target = fill(pat, {name: bad})
                body = b"{}" if method in ("POST", "PUT", "PATCH") else b""
                for who in ("anon", "user", "admin"):
                    if who == "anon" and "ROUTE_AUTH" in flags and bad not in BAD_IDS[:6]:
                        continue
                    send("ids", who, method, target, {"Content-Type": "application/json"} if body else {},
                         body, note="%s=%s" % (name, bad[:20]))
        batch.end("ids " + pat)


def sweep_query(rs, batch):
    for method, pat, flags in rs:
        if method != "GET":
            continue
        base = fill(pat)
        whos = ["user", "admin"] if "ROUTE_AUTH" in flags else ["anon", "admin"]
        for name in QUERY_NAMES:
            for v in BAD_VALUES if name in PRIMARY else FEW_VALUES:
                for who in whos:
                    send("query", who, "GET", "%s?%s=%s" % (base, name, v), note="%s=%s" % (name, v[:20]))
        # combined, repeated and malformed query strings
        for qs in ["limit=100&page=999999999999", "page=0&limit=0", "limit=1&offset=9223372036854775807",
                   "q=a&q=b&q=c", "q=" + "%ff" * 100, "q=" + "a%20" * 1000, "q=%00&mode=semantic",
                   "q=x&mode=hybrid&limit=100&page=100000", "&&&&", "=", "==", "a", "%", "%zz", "%%",
                   "q=" + "&".join("x%d=1" % i for i in range(300)), "q=*&mode=keyword",
                   "q=%22unterminated&mode=keyword", "q=!!!&mode=keyword", "q=a%26b|c:*&mode=keyword",
                   "q=" + "(" * 500, "q=-&mode=semantic", "q=%E2%80%AE&mode=hybrid", "cursor=%00",
                   "cursor=" + "A" * 2000, "cursor=eyJ9", "cursor=e30", "sort=title&order=sideways",
                   "from=2&to=1", "from=-1&to=99999", "from=1&to=1", "from=0&to=0", "format=sarif%00",
                   "threshold=-1", "threshold=2", "threshold=NaN", "limit=100&threshold=0",
                   "sources=" + ",".join(["a"] * 300), "tags=" + ",".join(["t"] * 300),
                   "contentTypes=" + "%2C" * 300, "page=1e2", "limit=1e1"]:
            for who in whos:
                send("query", who, "GET", "%s?%s" % (base, qs), note=qs[:30])
        batch.end("query " + pat)


def sweep_bodies(rs, batch):
    for method, pat, flags in rs:
        if method not in ("POST", "PUT", "PATCH") or not pat.startswith("/api"):
            continue
        if pat in ("/api/auth/logout",):
            continue
        target = fill(pat)
        whos = ["anon"] if "ROUTE_AUTH" not in flags else (["admin"] if "ROUTE_ADMIN" in flags else ["user", "admin"])
        if pat in ("/api/users/:id", "/api/auth/password", "/api/auth/user"):
            whos = ["admin"] if pat == "/api/users/:id" else ["user"]
        upload = "ROUTE_UPLOAD" in flags
        fields = FIELDS.get(pat, ["name", "id", "content"])
        for who in whos:
            if upload:
                continue
            for f in fields:
                for v in BAD_JSON:
                    # alone, and with the other members valid
                    body = ('{"%s":%s}' % (f, v)).encode("utf-8", "surrogateescape")
                    send("body", who, method, target, {"Content-Type": "application/json"}, body,
                         note="%s=%s" % (f, v[:20]))
                    others = {k: VALID[k] for k in fields if k in VALID and k != f and not k.endswith("_id")
                              and "_" not in k}
                    if pat == "/api/auth/password" or pat.startswith("/api/users/:id") and "password" in others:
                        others.pop("password", None)
                        others.pop("newPassword", None)
                    if others and pat not in ("/api/auth/user",):
                        b2 = json.dumps(others)[:-1] + (', "%s":%s}' % (f, v))
                        send("body", who, method, target, {"Content-Type": "application/json"},
                             b2.encode("utf-8", "surrogateescape"), note="+others %s=%s" % (f, v[:20]))
            for b in WHOLE_BODIES:
                send("body", who, method, target, {"Content-Type": "application/json"}, b,
                     note="whole %r" % b[:20])
            relogin()
        batch.end("body " + pat)


# members whose values are arrays or objects of members: each inner member gets every bad value
NESTED = [
    ("POST", "/api/documentation/bulk", "admin", '{"documents":[%s]}',
     ["title", "url", "content", "summary", "source", "contentType", "category", "tags", "extractedCommands",
      "extractedFunctions", "extractedModules", "metadata", "crawledAt", "lastUpdated"],
     {"title": "t", "url": "https://example.test/n", "content": "c"}),
    ("POST", "/api/documentation", "admin", "%s",
     ["tags", "extractedCommands", "metadata", "crawledAt", "lastUpdated"],
     {"title": "t", "url": "https://example.test/n2", "content": "c"}),
    ("POST", "/api/chat", "user", '{"messages":[%s]}', ["role", "content", "name", "id"],
     {"role": "user", "content": "hi"}),
    ("POST", "/api/chat/history", "user", '{"messages":[%s]}', ["role", "content", "sources", "createdAt"],
     {"role": "user", "content": "hi"}),
    ("POST", "/api/scripts/:id/execute", "user", '{"parameters":%s}', ["Name", "", "a.b", "$x"], {}),
]


def sweep_nested(rs, batch):
    for method, pat, who, shape, fields, base in NESTED:
        target = fill(pat)
        for f in fields:
            for v in BAD_JSON:
                inner = json.dumps(base)[:-1]
                inner = (inner + ", " if base else "{") + '"%s":%s}' % (f, v)
                body = (shape % inner).encode("utf-8", "surrogateescape")
                send("nested", who, method, target, {"Content-Type": "application/json"}, body,
                     note="%s.%s=%s" % (pat, f, v[:20]))
            for v in BAD_JSON:
                body = (shape % v).encode("utf-8", "surrogateescape")
                send("nested", who, method, target, {"Content-Type": "application/json"}, body,
                     note="%s[]=%s" % (pat, v[:20]))
        relogin()
        batch.end("nested " + pat)
    for arr in ("addTags", "removeTags", "ids", "tags"):
        for v in BAD_JSON:
            body = ('{"ids":[%d],"%s":[%s]}' % (IDS["script"], arr, v)).encode("utf-8", "surrogateescape")
            send("nested", "user", "POST", "/api/scripts/bulk-update", {"Content-Type": "application/json"}, body,
                 note="bulk %s=[%s]" % (arr, v[:20]))
    for arr in ("findingIds", "ruleIds"):
        for v in BAD_JSON:
            body = ('{"version":1,"%s":[%s]}' % (arr, v)).encode("utf-8", "surrogateescape")
            send("nested", "user", "POST", fill("/api/scripts/:id/apply-fixes"),
                 {"Content-Type": "application/json"}, body, note="fixes %s=[%s]" % (arr, v[:20]))
    batch.end("nested arrays")


def multipart(parts, boundary="sweepB"):
    out = b""
    for name, filename, data in parts:
        out += b"--" + boundary.encode() + b"\r\n"
        disp = b'Content-Disposition: form-data; name="' + name + b'"'
        if filename is not None:
            disp += b'; filename="' + filename + b'"'
        out += disp + b"\r\n"
        if filename is not None:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + data + b"\r\n"
    return out + b"--" + boundary.encode() + b"--\r\n"


def sweep_uploads(rs, batch):
    ct = "multipart/form-data; boundary=sweepB"
    tgts = [("/api/scripts/upload", "script_file"), ("/api/scripts/upload/large", "script_file"),
            ("/api/scripts/upload/async", "files"), ("/scripts/upload", "script_file")]
    stamp = str(time.time()).encode()
    cases = []
    for fn in [b"a.ps1", b"", b"../../etc/passwd", b"a\x00b.ps1", b"\xff\xfe.ps1", b"a" * 5000 + b".ps1",
               b'a".ps1', b"a\r\nX: y.ps1", b"%00.ps1", b"con.ps1", b".ps1", b"a.exe"]:
        cases.append(("filename %r" % fn[:20], [(b"FILE", fn, b"Write-Host 1 # " + stamp + fn[:10])]))
    for name, v in [(b"title", b"\xff"), (b"title", b"a" * 100000), (b"category_id", b"-1"),
                    (b"category_id", b"9223372036854775808"), (b"category_id", b"abc"), (b"category_id", b"0x10"),
                    (b"tags", b"[1,2,{}]"), (b"tags", b"[" * 1000), (b"tags", b"," * 1000),
                    (b"tags", b'["' + b'","'.join(b"t%d" % i for i in range(50)) + b'"]'),
                    (b"is_public", b"maybe"), (b"analyze_with_ai", b"2"), (b"description", b"\x00"),
                    (b"tags", b"\x00"), (b"title", b"")]:
        cases.append(("field %s=%r" % (name.decode(), v[:20]),
                      [(name, None, v), (b"FILE", b"f.ps1", b"Write-Host 2 # " + stamp + name + v[:8])]))
    cases.append(("empty file", [(b"FILE", b"e.ps1", b"")]))
    cases.append(("binary file", [(b"FILE", b"b.ps1", bytes(range(256)) * 10)]))
    cases.append(("bad utf8 file", [(b"FILE", b"u.ps1", b"Write-Host \xff\xfe\xc3\x28 " + stamp)]))
    cases.append(("nul file", [(b"FILE", b"n.ps1", b"Write-Host \x00 " + stamp)]))
    cases.append(("many files", [(b"FILE", b"m%d.ps1" % i, b"Write-Host %d %s" % (i, stamp)) for i in range(60)]))
    cases.append(("no file", [(b"title", None, b"x")]))
    cases.append(("wrong field", [(b"other", b"x.ps1", b"Write-Host 3")]))
    cases.append(("deep nesting content", [(b"FILE", b"d.ps1", b"(" * 5000 + b")" * 5000 + stamp)]))
    cases.append(("deep braces", [(b"FILE", b"d2.ps1", b"{" * 3000 + stamp)]))
    for path, field in tgts:
        for who in ("user", "admin"):
            for note, parts in cases:
                parts = [(field.encode() if p[0] == b"FILE" else p[0], p[1], p[2]) for p in parts]
                send("upload", who, "POST", path, {"Content-Type": ct}, multipart(parts), note=note)
            # malformed multipart
            for ctv, b in [("multipart/form-data", b"--x\r\n\r\n"),
                           ("multipart/form-data; boundary=", b"--\r\n"),
                           ("multipart/form-data; boundary=" + "b" * 300, b"--" + b"b" * 300 + b"--\r\n"),
                           ("multipart/form-data; boundary=\"q\"", b"--q\r\nContent-Disposition: form-data; name=\"script_file\"; filename=\"a.ps1\"\r\n\r\nWrite-Host\r\n--q--"),
                           (ct, b"--sweepB\r\n"), (ct, b"--sweepB\r\nContent-Disposition: form-data\r\n\r\nx\r\n--sweepB--\r\n"),
                           (ct, b"--sweepB\r\nContent-Disposition: form-data; name=\"script_file\"; filename=\"a.ps1\"\r\n" + b"X: y\r\n" * 2000 + b"\r\nW\r\n--sweepB--\r\n"),
                           (ct, b"garbage"), (ct, b""), (ct, b"--sweepB--\r\n"),
                           (ct, b"--sweepB\r\nContent-Disposition: form-data; name=\"" + field.encode() + b"\"; filename=\"a.ps1\"\r\n\r\nWrite-Host no end"),
                           ("application/json", b'{"title":"x"}'), ("text/plain", b"Write-Host")]:
                send("upload", who, "POST", path, {"Content-Type": ctv}, b, note="mp %s %r" % (ctv[:30], b[:20]))
        batch.end("upload " + path)


def sweep_forms(rs, batch):
    """The pages' POST forms: urlencoded bodies with bad values, for a user and an admin."""
    ctf = "application/x-www-form-urlencoded"
    for method, pat, flags in rs:
        if pat.startswith("/api") or method != "POST" or "ROUTE_UPLOAD" in flags:
            continue
        if pat in ("/logout",) or "delete" in pat or pat.endswith("/password") and pat.startswith("/admin"):
            continue
        target = fill(pat)
        whos = ["anon-form"] if "ROUTE_AUTH" not in flags else (["cookie-admin"] if "ROUTE_ADMIN" in flags else ["cookie-user"])
        if os.environ.get("SWEEP_FORMS_BEARER"):
            whos = ["anon"] if "ROUTE_AUTH" not in flags else (["admin"] if "ROUTE_ADMIN" in flags else ["user"])
        names = ["title", "content", "description", "categoryId", "tags", "isPublic", "commitMessage",
                 "version", "contentHash", "findingIds", "ruleIds", "name", "url", "maxPages", "depth",
                 "sameHost", "message", "scriptId", "role", "login", "password", "username", "email", "source",
                 "next", "currentPassword", "newPassword"]
        for who in whos:
            tok = {"anon-form": ANON_CSRF, "cookie-user": CSRF.get("sweep-user"),
                   "cookie-admin": CSRF.get("sweep-admin")}.get(who) or ""
            for n in names:
                for v in FORM_BAD:
                    body = "%s=%s&title=t&content=Write-Host&message=hi&name=n&csrf_token=%s" % (n, v, tok)
                    send("form", who, "POST", target, {"Content-Type": ctf}, body.encode(), note="%s=%s" % (n, v[:20]))
            for b in [b"", b"&", b"=", b"a", b"%", b"\xff=\xfe", b"a=b\x00", b"x=" + b"%41" * 100000,
                      b"&".join(b"k%d=v" % i for i in range(3000)), b"tags=" + b"&tags=".join(b"t%d" % i for i in range(500)),
                      b'{"title":"t"}']:
                send("form", who, "POST", target, {"Content-Type": ctf, "X-CSRF-Token": tok}, b,
                     note="whole %r" % b[:20])
            send("form", who, "POST", target, {"Content-Type": "application/json"}, b'{"title":1,"content":[]}',
                 note="json on a page")
            send("form", who, "POST", target, {"Content-Type": "text/plain"}, b"x=1", note="text/plain")
            relogin()
        batch.end("form " + pat)


def sweep_headers(rs, batch):
    seen_paths = set()
    for method, pat, flags in rs:
        target = fill(pat)
        who = "admin"
        body = b"{}" if method in ("POST", "PUT", "PATCH") else b""
        if method == "DELETE" or (method == "POST" and re.search(r"delete|logout|revoke|reset|unlock|cancel|password", pat)):
            target = fill(pat, {n: "999999" for n in re.findall(r":([A-Za-z]+)", pat)})
            if ":" not in pat:
                continue
        variants = [
            ({"Content-Type": "text/plain"}, {}),
            ({"Content-Type": "application/json; charset=latin1"}, {}),
            ({"Content-Type": "application/json;;;"}, {}),
            ({"Content-Type": "APPLICATION/JSON"}, {}),
            ({"Content-Type": "application/jsonx"}, {}),
            ({"Content-Type": "multipart/form-data"}, {}),
            ({"Content-Type": "multipart/form-data; boundary=zz"}, {}),
            ({"Content-Type": "application/x-www-form-urlencoded"}, {}),
            ({"Content-Type": ""}, {}),
            ({"Content-Type": "a" * 7000}, {}),
            ({"Content-Type": "application/json"}, {"chunked": True}),
            ({"Content-Type": "application/json"}, {"length": 0}),
            ({"Content-Type": "application/json"}, {"length": False}),
            ({"Accept": "text/html"}, {}), ({"Accept": "application/json;q=0, */*;q=0"}, {}),
            ({"Accept": "*/*;q=abc, text/html;q=-1"}, {}), ({"Accept": "x" * 6000}, {}),
            ({"Accept-Encoding": "gzip;q=0"}, {}), ({"Accept-Encoding": "gzip"}, {}),
            ({"Accept-Encoding": "gzip;q=abc, br, *;q=0"}, {}), ({"Accept-Encoding": "identity;q=0, *;q=0"}, {}),
            ({"Accept-Encoding": "gzip;q=1.5" + ", x" * 500}, {}),
            ({"If-None-Match": "junk"}, {}), ({"If-None-Match": '"' + "a" * 5000 + '"'}, {}),
            ({"If-None-Match": "*"}, {}), ({"If-None-Match": 'W/"x", "y", ,,,'}, {}),
            ({"If-Modified-Since": "yesterday"}, {}),
            ({"Range": "bytes=0-0"}, {}), ({"Range": "bytes=-1"}, {}), ({"Range": "bytes=999999999-"}, {}),
            ({"Range": "bytes=0-1,2-3,4-5"}, {}), ({"Range": "junk"}, {}),
            ({"Authorization": "Bearer " + "a" * 5000}, {}), ({"Authorization": "Bearer \xff".encode("latin-1")}, {}),
            ({"Authorization": "Basic YTpi"}, {}), ({"Authorization": "Bearer"}, {}), ({"Authorization": "Bearer  "}, {}),
            ({"Authorization": "Bearer a.b.c"}, {}),
            ({"Cookie": "pss_session=" + "x" * 3000}, {}), ({"Cookie": ";;;=;=="}, {}),
            ({"Cookie": "; ".join("c%d=v" % i for i in range(200))}, {}),
            ({"X-CSRF-Token": "\x01"}, {}), ({"Origin": "null"}, {}), ({"Origin": "https://frontend.example.test"}, {}),
            ({"Sec-Fetch-Site": "cross-site"}, {}), ({"X-Request-Id": "\xff" * 70}, {}),
            ({"Host": "a" * 300}, {}), ({"X-Forwarded-For": "1.2.3.4, junk"}, {}),
            ({"Expect": "100-continue"}, {}),
            ({"User-Agent": b"\xff\xfe\x01"}, {}), ({"User-Agent": "u" * 7000}, {}),
            ({"X-Device-Token": b"\xff" * 64}, {}), ({"X-Device-Token": "0" * 5000}, {}),
            ({"Last-Event-ID": "-1"}, {}), ({"Last-Event-ID": "99999999999999999999"}, {}),
            ({"Last-Event-ID": b"\xff"}, {}), ({"Last-Event-ID": "a" * 5000}, {}),
        ]
        for h, kw in variants:
            hh = dict(h)
            if "Authorization" in hh or "Cookie" in hh:
                w = "anon"
            else:
                w = who
            if "Content-Type" not in hh and body:
                hh["Content-Type"] = "application/json"
            send("header", w, method, target, hh, body, note="%s %s" % (list(h.items())[0][0], str(list(h.items())[0][1])[:30]) if h else str(kw), **kw)
        if body:
            # a declared length larger than the body (the client then stops): nginx's timeout,
            # only checked that no worker suffers; smaller: the rest is the next request
            a = raw(method, target, {"Content-Type": "application/json", "Authorization": "Bearer " + TOKENS[who]},
                    b'{"a":1}', length=10, timeout=2)
            COUNTS["header"] = COUNTS.get("header", 0) + 1
            if a.status >= 500:
                check("header", who, method, target, a, note="CL larger")
            send("header", who, method, target, {"Content-Type": "application/json"}, b'{"a":1}xxxxxxxx',
                 length=7, note="CL smaller")
            send("header", who, method, target, {"Content-Type": "application/json"},
                 json.dumps({"a": "b"}).encode(), chunked=True, note="chunked json")
        base = target.split("?")[0]
        if base not in seen_paths:
            seen_paths.add(base)
            for m2 in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO", "CONNECT",
                       "PROPFIND", "get"):
                if m2 == "DELETE" or (m2 == "POST" and re.search(r"delete|logout|revoke|reset|unlock|cancel", pat)):
                    continue
                if m2 == method:
                    continue
                send("method", "user", m2, base, {"Content-Type": "application/json"},
                     b"{}" if m2 in ("POST", "PUT", "PATCH") else b"", note=m2)
            for suffix in ("/", "//", "/.", "/..", "/%2e", "/%2e%2e", "%2f", "%2F..", "/%00", "%00", "/%ff",
                           "/%c0%ae%c0%ae", "/;x", "/x", "?", "#frag", "%3F", "%20", "/..%2f..%2f"):
                send("path", "user", "GET", base + suffix, note=suffix)
            if base.count("/") >= 2:
                i = base.index("/", 1)
                for var in (base[:i] + "/" + base[i:], base.replace("/", "//"), base[:i] + "%2f" + base[i + 1:],
                            base[:i] + "/./" + base[i + 1:], base[:i] + "/x/../" + base[i + 1:],
                            base.upper(), "/" + base, base[:i] + "/%2e/" + base[i + 1:]):
                    send("path", "user", "GET", var, note=var[:30])
        batch.end("headers " + pat)


def sweep_raw(batch):
    """Request lines and paths nginx passes on: raw bytes the other sweeps cannot name."""
    for target in [b"/api/scripts/\xff", b"/api/scripts?q=\xff", b"/api/scripts/search?q=\xc3\x28",
                   b"/api/scripts/search?q=a\x01b", b"/scripts?q=\xff", b"/api/%", b"/api/%zz", b"/%",
                   b"/api/scripts/1%", b"/api/scripts?limit=%", b"/api/scripts?limit=%G1", b"*", b"http://x/api",
                   b"/api/" + b"a/" * 3000, b"/api?" + b"a=1&" * 2000, b"/" + b"%2e" * 100,
                   b"/api/scripts/search?q=" + b"%e2%80%ae" * 500, b"/docs/cmdlet/" + b"%ff" * 10,
                   b"/docs/cmdlet/" + b"a" * 3000, b"/analytics/rules/" + b"%00", b"/analytics/rules/" + b"x" * 3000,
                   b"/static/../../etc/passwd", b"/static/%2e%2e/x", b"/.errors/400.json", b"/metrics",
                   b"/api/health?x=\xff", b"/api/scripts/search?q=%00%00"]:
        for who in ("anon", "user"):
            send("raw", who, "GET", target, note=repr(target[:30]))
    batch.end("raw")


def main():
    args = parse_args()
    only = set(args.only.split(",")) if args.only else None
    setup()
    rs = [r for r in routes() if args.route in r[1]]
    print("routes: %d" % len(rs), flush=True)
    logs = Logs()
    batch = Batch(logs)
    t0 = time.time()
    for name, fn in (("raw", lambda: sweep_raw(batch)), ("ids", lambda: sweep_ids(rs, batch)),
                     ("headers", lambda: sweep_headers(rs, batch)), ("query", lambda: sweep_query(rs, batch)),
                     ("bodies", lambda: sweep_bodies(rs, batch)), ("uploads", lambda: sweep_uploads(rs, batch)),
                     ("forms", lambda: sweep_forms(rs, batch)),
                     ("nested", lambda: sweep_nested(rs, batch))):
        if only and name not in only:
            continue
        t1 = time.time()
        relogin()
        fn()
        print("# %s done in %.0fs: %s" % (name, time.time() - t1, COUNTS), flush=True)
    print("# total %d requests in %.0fs, %d recorded (%d distinct)" % (sum(COUNTS.values()), time.time() - t0,
                                                                    len(FINDINGS), len(SEEN)))
    for t in sorted(SLOWEST, reverse=True)[:25]:
        print("# slow: %s" % (t,))
    with open(os.environ.get("SWEEP_OUT", "/tmp/http-sweep.json"), "w") as fh:
        json.dump({"counts": COUNTS, "findings": FINDINGS}, fh, indent=1)
    return 1 if FINDINGS else 0


if __name__ == "__main__":
    sys.exit(main())
