#!/usr/bin/env python3
"""Process-level tests of the real `shouhu` binary (Python standard library only).

  crash     several clients write at once; the server is killed with SIGKILL,
            restarted, and every write it acknowledged with a 2xx must be there.
  graceful  the same with SIGTERM: the server stops accepting, lets in-flight
            requests finish, exits 0 within its bound, and nothing is lost.
  replicas  two servers on one PostgreSQL: tokens, idempotency keys and version
            checks hold across both.
  mirror    examples/mirror.py follows a server under writes (care places created and changed, children moved
            out of the mirror's township), is killed with SIGKILL and resumed, and once the writes stop and it
            has caught up, holds exactly what the server's lists give its caller (ids and versions); then the
            server forgets the changes past its cursor: the mirror gets 410, syncs again, and is equal again.
  webhooks  a receiver on 127.0.0.1 that verifies every signature and fails one request in forty subscribes to
            the care places created while several clients write; the server is killed with SIGKILL and
            restarted: every acknowledged create is delivered, in feed order, repeats only under the same
            webhook-id.
  attacks   several clients keep sending the hostile GraphQL documents of
            tests/api/attacks.rs (deep nesting, fragment cycles, doubling
            fragments, repeated fields, deep variables)
            and heavy legitimate queries: each attack is refused with a GraphQL
            error, /healthz answers within a second, and SIGTERM sent while they
            are in flight still stops the server with exit code 0 within its bound.

Usage: harness.py MODE --bin PATH --db (sqlite|postgres://…)
With a postgres:// URL each run works in a fresh schema that it drops.
"""
import argparse
import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

PASSWORD = "shouhu-demo-2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def decode(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


def call(base, method, path, token=None, body=None, headers=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            raw = res.read()
            return res.status, dict(res.headers), decode(raw)
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, dict(e.headers), decode(raw)


class Server:
    def __init__(self, binary, url, demo=False, extra_env=None):
        self.binary, self.url, self.demo = binary, url, demo
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, SHOUHU_DATABASE_URL=url, SHOUHU_SHUTDOWN_TIMEOUT="5", SHOUHU_WORKERS="2",
                        SHOUHU_RATE_LIMIT_PER_MINUTE="0", **(extra_env or {}))
        self.proc = None

    def start(self):
        args = [self.binary, "serve", "--bind", f"127.0.0.1:{self.port}"] + (["--demo"] if self.demo else [])
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args, env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise SystemExit(f"server exited early: {self.log.read().decode(errors='replace')[-2000:]}")
            try:
                if call(self.base, "GET", "/readyz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("server did not become ready")

    def token(self, username="admin"):
        status, _, body = call(self.base, "POST", "/api/v1/auth/login", body={"username": username, "password": PASSWORD})
        assert status == 200, (status, body)
        return body["access_token"]

    def stop(self, sig):
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)


class Writers:
    """Clients creating care places (and one patching a record) until told to stop."""

    def __init__(self, base, token, threads=6):
        self.base, self.token = base, token
        self.created, self.versions = [], {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.create_loop, args=(i,)) for i in range(threads)]
        status, _, body = call(base, "POST", "/api/v1/care-centers", token,
                               {"name": "亲情室", "kind": "family_room", "region_code": "522631101000"})
        assert status == 201, body
        self.patched = body["id"]
        self.versions[self.patched] = 1
        self.threads.append(threading.Thread(target=self.patch_loop))

    def create_loop(self, i):
        n = 0
        while not self.stopping.is_set():
            n += 1
            body = {"name": f"压测{i}-{n}", "kind": "care_center", "region_code": "522631101000", "capacity": n % 100}
            try:
                status, _, res = call(self.base, "POST", "/api/v1/care-centers", self.token, body, timeout=5)
            except OSError:
                continue  # not acknowledged: the server may be gone
            if status == 201:
                with self.lock:
                    self.created.append((res["id"], body["name"]))

    def patch_loop(self):
        version = 1
        while not self.stopping.is_set():
            try:
                status, _, res = call(self.base, "PATCH", f"/api/v1/care-centers/{self.patched}", self.token,
                                      {"capacity": version}, headers={"if-match": f'"{version}"'}, timeout=5)
            except OSError:
                continue
            if status == 200:
                version = res["version"]
                with self.lock:
                    self.versions[self.patched] = version

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=20)


def check_durable(server, writers):
    token = server.token()
    missing = [name for id_, name in writers.created
               if call(server.base, "GET", f"/api/v1/care-centers/{id_}", token)[0] != 200]
    status, _, record = call(server.base, "GET", f"/api/v1/care-centers/{writers.patched}", token)
    acknowledged = writers.versions[writers.patched]
    assert status == 200 and record["version"] >= acknowledged, (record, acknowledged)
    if missing:
        raise SystemExit(f"{len(missing)} acknowledged writes lost, e.g. {missing[:5]}")
    print(f"  {len(writers.created)} acknowledged creates and version {acknowledged} of a patched record survived")


TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def check_request_log(server):
    """The request's log line names the route template, the caller's subject and role, and the traceparent sent."""
    server.log.seek(0)
    for line in server.log.read().decode(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("message") == "request" and entry.get("traceparent") == TRACEPARENT:
            assert entry.get("route") == "/api/v1/children/{id}", entry
            assert entry.get("role") == "village_officer" and entry.get("subject"), entry
            assert entry.get("status") == 404, entry
            print(f"  log line: route {entry['route']}, role {entry['role']}, traceparent kept")
            return
    raise AssertionError("no request log line carries the traceparent sent")


def crash_or_term(binary, url, sig):
    server = Server(binary, url, demo=True, extra_env={"SHOUHU_LOG_FORMAT": "json"}).start()
    status, _, _ = call(server.base, "GET", f"/api/v1/children/{uuid.uuid4()}", token=server.token("village"),
                        headers={"traceparent": TRACEPARENT})
    assert status == 404, status
    writers = Writers(server.base, server.token())
    writers.start()
    time.sleep(3)
    began = time.time()
    code = server.stop(sig)
    took = time.time() - began
    writers.stop()
    if sig == signal.SIGTERM:
        assert code == 0, f"SIGTERM exit code {code}"
        assert took < 10, f"graceful shutdown took {took:.1f} s"
        try:
            call(server.base, "GET", "/healthz", timeout=2)
            raise SystemExit("the server still accepts connections after SIGTERM")
        except OSError:
            pass
        print(f"  SIGTERM: exited 0 in {took:.2f} s and stopped accepting")
    else:
        assert code == -signal.SIGKILL, code
    check_request_log(server)
    restarted = Server(binary, url).start()
    try:
        check_durable(restarted, writers)
    finally:
        restarted.stop(signal.SIGTERM)


def replicas(binary, url):
    assert url.startswith("postgres"), "replicas need PostgreSQL"
    a = Server(binary, url, demo=True).start()
    b = Server(binary, url).start()
    try:
        token = a.token("township")
        status, _, _ = call(b.base, "GET", "/api/v1/children", token)
        assert status == 200, "a token from one replica works on the other"
        body = {"name": "两地亲情室", "kind": "family_room", "region_code": "522631101000"}
        key = {"idempotency-key": "replica-" + uuid.uuid4().hex}
        s1, _, r1 = call(a.base, "POST", "/api/v1/care-centers", token, body, key)
        s2, h2, r2 = call(b.base, "POST", "/api/v1/care-centers", token, body, key)
        assert s1 == s2 == 201 and r1["id"] == r2["id"], (s1, s2, r1, r2)
        assert {k.lower(): v for k, v in h2.items()}.get("idempotent-replayed") == "true"
        path = f"/api/v1/care-centers/{r1['id']}"
        s3, _, _ = call(b.base, "PATCH", path, token, {"capacity": 10}, {"if-match": '"1"'})
        s4, _, _ = call(a.base, "PATCH", path, token, {"capacity": 20}, {"if-match": '"1"'})
        assert (s3, s4) == (200, 412), (s3, s4)
        # Keys rotated by a tool are used by one replica and accepted by the other.
        subprocess.run([binary, "keys", "rotate"], env=a.env, check=True, stdout=subprocess.DEVNULL)
        fresh = a.token("township")
        assert call(b.base, "GET", "/api/v1/children", fresh)[0] == 200
        assert call(b.base, "GET", "/api/v1/children", token)[0] == 200
        # A refresh token spent on one replica is spent on both.
        status, _, tokens = call(a.base, "POST", "/api/v1/auth/login", body={"username": "village", "password": PASSWORD})
        grant = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        status, _, refreshed = call(b.base, "POST", "/api/v1/auth/token", body=grant)
        assert status == 200, (status, refreshed)
        status, _, refused = call(a.base, "POST", "/api/v1/auth/token", body=grant)
        assert (status, refused.get("error")) == (400, "invalid_grant"), (status, refused)
        # The reuse ended the login: its access tokens are refused on both replicas within seconds.
        winner = refreshed["access_token"]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if all(call(r.base, "GET", "/api/v1/children", winner)[0] == 401 for r in (a, b)):
                break
            time.sleep(0.2)
        else:
            raise AssertionError("a login ended by a reused refresh token still works after 5 s")
        print("  tokens, idempotency keys, version checks, key rotation, refresh tokens and ended logins hold across "
              "two replicas")
    finally:
        a.stop(signal.SIGTERM)
        b.stop(signal.SIGTERM)


SHUTDOWN_TIMEOUT = 5  # SHOUHU_SHUTDOWN_TIMEOUT, as every Server sets it


def graphql_body(query, variables="{}"):
    """A GraphQL request body, written as text (the deep ones would overflow json.dumps)."""
    return f'{{"query": {json.dumps(query)}, "variables": {variables}}}'


def nested(n, inner='"x"'):
    return "[" * n + inner + "]" * n


def hostile_documents():
    """The attacks of tests/api/attacks.rs: (name, body, phrase the refusal must contain)."""
    doubling = "query { ...F0 }" + "".join(f" fragment F{i} on QueryRoot {{ ...F{i + 1} ...F{i + 1} }}"
                                           for i in range(30))
    doubling += " fragment F30 on QueryRoot { regions { code } }"
    chain = "query { ...F0 }" + "".join(f" fragment F{i} on QueryRoot {{ ...F{i + 1} }}" for i in range(200))
    chain += " fragment F200 on QueryRoot { regions { code } }"
    variable = "query($p: String) { regions(parent: $p) { code } }"
    return [
        ("deep argument", graphql_body(f"{{ regions(parent: {nested(2200)}) {{ code }} }}"), "nesting limit is 32"),
        ("deep selection", graphql_body("{ regions " * 2200 + "code" + " }" * 2200), "nesting limit is 32"),
        ("self-spreading fragment", graphql_body("query { ...F } fragment F on QueryRoot { ...F ...F }"),
         "must not form a cycle"),
        ("doubling fragment chain", graphql_body(doubling), "field limit is 1000"),
        ("repeated field", graphql_body("{ " + "children(first: 1) { nodes { name } } " * 1000 + "}"),
         "field limit is 1000"),
        ("long fragment chain", graphql_body(chain), "nesting limit is 32"),
        ("deep variable", graphql_body(variable, f'{{"p": {nested(3000)}}}'), "nesting limit is 32"),
        ("variable within serde's limit", graphql_body(variable, f'{{"p": {nested(100)}}}'), "nesting limit is 32"),
    ]


HEAVY_QUERIES = [
    "{ children(first: 500) { nodes { name age guarantees { guardianship } "
    "guardianships { relationship guardian { name } } } } }",
    "{ careCenters(first: 500) { nodes { name kind regionCode } } regions { code name } }",
]


def post_graphql(base, token, body, timeout=15):
    req = urllib.request.Request(base + "/graphql", data=body.encode(), method="POST")
    req.add_header("content-type", "application/json")
    req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, decode(res.read())
    except urllib.error.HTTPError as e:
        return e.code, decode(e.read())


def refusal_problem(status, res, phrase):
    """Why a response is not the refusal expected, or None."""
    if status >= 500 or not isinstance(res, dict):
        return f"HTTP {status}: {str(res)[:300]}"
    errors = res.get("errors") or [{}]
    code = (errors[0].get("extensions") or {}).get("code")
    message = errors[0].get("message") or ""
    if status != 200 or res.get("data") is not None or code != "VALIDATION" or phrase not in message:
        return f"HTTP {status}, code {code}: {message[:300]}"
    return None


def answer_problem(status, res):
    """Why a legitimate query's response is not a full answer, or None."""
    if status != 200 or not isinstance(res, dict) or res.get("errors") or not res.get("data"):
        return f"HTTP {status}: {str(res)[:300]}"
    return None


class Attackers:
    """Clients sending hostile documents (as volunteer and partner) and heavy
    legitimate queries (as coordinator) until told to stop. Before `terminating`
    is set every request must be answered as expected; after it, a request the
    server no longer accepts is counted, but an answer must still be right."""

    def __init__(self, base, tokens, threads=6, heavy_threads=2):
        self.base, self.tokens = base, tokens
        self.attacks = hostile_documents()
        self.lock = threading.Lock()
        self.stopping, self.terminating = threading.Event(), threading.Event()
        self.refused = self.answered = self.unaccepted = self.after_term = self.in_flight = 0
        self.failures = []
        self.threads = [threading.Thread(target=self.loop, args=(i, False)) for i in range(threads)]
        self.threads += [threading.Thread(target=self.loop, args=(i, True)) for i in range(heavy_threads)]

    def loop(self, i, heavy):
        n = i
        while not self.stopping.is_set():
            n += 1
            if heavy:
                name, body, phrase = "heavy query", graphql_body(HEAVY_QUERIES[n % len(HEAVY_QUERIES)]), None
                token = self.tokens["coordinator"]
            else:
                name, body, phrase = self.attacks[n % len(self.attacks)]
                token = self.tokens["volunteer" if n % 2 else "partner"]
            with self.lock:
                self.in_flight += 1
                sent_after_term = self.terminating.is_set()
            try:
                status, res = post_graphql(self.base, token, body)
            except (OSError, http.client.HTTPException) as e:
                with self.lock:
                    self.in_flight -= 1
                    if self.terminating.is_set():
                        self.unaccepted += 1
                    else:
                        self.failures.append(f"{name}: no answer: {e!r}")
                if self.terminating.is_set():
                    time.sleep(0.05)  # the server is going away: do not spin
                continue
            problem = answer_problem(status, res) if heavy else refusal_problem(status, res, phrase)
            with self.lock:
                self.in_flight -= 1
                if problem:
                    self.failures.append(f"{name}: {problem}")
                elif heavy:
                    self.answered += 1
                else:
                    self.refused += 1
                if self.terminating.is_set() and not sent_after_term:
                    self.after_term += 1

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=30)


def attacks(binary, url):
    server = Server(binary, url, demo=True).start()
    try:
        attack_then_term(server)
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()


def attack_then_term(server):
    tokens = {name: server.token(name) for name in ("volunteer", "partner", "coordinator")}
    # Each attack alone first, so that a wrong refusal is reported by name.
    for name, body, phrase in hostile_documents():
        problem = refusal_problem(*post_graphql(server.base, tokens["volunteer"], body), phrase)
        assert problem is None, f"{name}: {problem}"
    for query in HEAVY_QUERIES:
        problem = answer_problem(*post_graphql(server.base, tokens["coordinator"], graphql_body(query)))
        assert problem is None, f"{query}: {problem}"
    clients = Attackers(server.base, tokens)
    clients.start()
    try:
        time.sleep(0.5)
        slowest = 0.0
        for _ in range(10):
            began = time.time()
            try:
                status = call(server.base, "GET", "/healthz", timeout=2)[0]
            except OSError as e:
                raise SystemExit(f"/healthz did not answer while attacks ran: {e!r}")
            took = time.time() - began
            slowest = max(slowest, took)
            assert status == 200, f"/healthz answered {status} while attacks ran"
            assert took < 1.0, f"/healthz took {took:.2f} s while attacks ran"
            time.sleep(0.4)
        assert server.proc.poll() is None, f"the server exited ({server.proc.returncode}) while attacks ran"
        with clients.lock:
            failures, before = list(clients.failures), clients.refused + clients.answered
        if failures:
            raise SystemExit(f"{len(failures)} wrong answers while attacks ran, e.g. {failures[:3]}")
        assert clients.refused > 0 and clients.answered > 0, (clients.refused, clients.answered)
        # SIGTERM while requests are in flight.
        deadline = time.time() + 10
        while clients.in_flight == 0 and time.time() < deadline:
            time.sleep(0.001)
        with clients.lock:
            in_flight = clients.in_flight
            clients.terminating.set()
        assert in_flight > 0, "no request was in flight to send SIGTERM during"
        began = time.time()
        server.proc.send_signal(signal.SIGTERM)
        try:
            code = server.proc.wait(timeout=SHUTDOWN_TIMEOUT + 5)
        except subprocess.TimeoutExpired:
            raise SystemExit(f"the server did not exit within {SHUTDOWN_TIMEOUT + 5} s of SIGTERM while attacks ran")
        took = time.time() - began
    finally:
        clients.stop()
    assert code == 0, f"SIGTERM exit code {code}"
    if clients.failures:
        raise SystemExit(f"{len(clients.failures)} wrong answers around SIGTERM, e.g. {clients.failures[:3]}")
    try:
        call(server.base, "GET", "/healthz", timeout=2)
        raise SystemExit("the server still accepts connections after SIGTERM")
    except OSError:
        pass
    print(f"  {clients.refused} attacks refused and {clients.answered} heavy queries answered "
          f"({before} before SIGTERM), /healthz at most {slowest:.3f} s over 10 polls; "
          f"SIGTERM with {in_flight} in flight: exited 0 in {took:.2f} s, "
          f"{clients.after_term} in-flight answered, {clients.unaccepted} not accepted after it")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
import mirror as reference  # noqa: E402  (examples/mirror.py: the reference mirror under test)


def move_away(server, token, child):
    """Moves a child of township 522631101000 to a village of another township; returns its id."""
    code, _, res = call(server.base, "PATCH", f"/api/v1/children/{child['id']}", token,
                        {"region_code": "522631102201"}, headers={"if-match": f'"{child["version"]}"'})
    assert code == 200, res
    return child["id"]


def mirror(binary, url):
    import sqlite3
    server = Server(binary, url, demo=True).start()
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "mirror.py")
    admin, township = server.token(), server.token("township")
    code, _, page = call(server.base, "GET", "/api/v1/children?limit=6", township)
    assert code == 200 and len(page["items"]) == 6, page
    movers = page["items"]
    writers = Writers(server.base, admin)
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "mirror.db")
        args = [sys.executable, script, "--url", server.base, "--username", "township", "--password", PASSWORD,
                "--db", db]
        log = tempfile.TemporaryFile()
        first = subprocess.Popen(args + ["--follow", "--interval", "0.2"], stdout=log, stderr=log)
        writers.start()
        moved = []
        for child in movers[:3]:
            time.sleep(0.5)
            moved.append(move_away(server, admin, child))
        time.sleep(1)
        first.kill()
        first.wait()
        print("  mirror killed with SIGKILL while following")
        second = subprocess.Popen(args + ["--follow", "--interval", "0.2"], stdout=log, stderr=log)
        for child in movers[3:]:
            time.sleep(0.5)
            moved.append(move_away(server, admin, child))
        time.sleep(1)
        writers.stop()
        second.kill()
        second.wait()
        done = subprocess.run(args + ["--follow", "--until-idle", "--interval", "0.2"], stdout=log, stderr=log,
                              timeout=300)
        log.seek(0)
        output = log.read().decode(errors="replace")
        assert done.returncode == 0, output[-2000:]
        assert output.count("bootstrap:") == 1, "the resumed mirror bootstrapped again: " + output[-2000:]
        con = sqlite3.connect(db)
        held = {(k, i): v for k, i, v in con.execute(
            "SELECT type, id, version FROM records WHERE type IN (%s)" % ",".join("?" * len(reference.REGISTER_LISTS)),
            list(reference.REGISTER_LISTS))}
        api = reference.Api(server.base, "township", PASSWORD)
        expected = {(kind, r["id"]): r["version"] for kind, r in reference.listed_records(api)}
        missing = {k: v for k, v in expected.items() if held.get(k) != v}
        extra = {k: v for k, v in held.items() if k not in expected}
        assert not missing and not extra, f"mirror differs: missing or stale {list(missing.items())[:5]}, " \
                                          f"extra {list(extra.items())[:5]}"
        assert not any(("child", m) in held for m in moved), "a child that left the township is still mirrored"
        print(f"  mirror equal to the lists: {len(held)} records ({len(writers.created)} care places written "
              f"while it followed, {len(moved)} children moved away and dropped)")

        # The server forgets the changes past the mirror's cursor (as retention would after a long absence):
        # the mirror gets 410 cursor_expired, syncs again from the lists, and is equal to them again.
        code, _, res = call(server.base, "POST", "/api/v1/care-centers", admin,
                            {"name": "离线期间", "kind": "family_room", "region_code": "522631101000"})
        assert code == 201, res
        code, _, head = call(server.base, "GET", "/api/v1/changes/head", admin)
        assert code == 200, head
        forget_changes_through(url, int(head["cursor"].removeprefix("f1.")))
        again = subprocess.run(args + ["--follow", "--until-idle", "--interval", "0.2"], capture_output=True,
                               timeout=300)
        out = again.stdout.decode(errors="replace")
        assert again.returncode == 0 and "cursor expired: syncing again" in out, out[-2000:]
        held = {(k, i): v for k, i, v in sqlite3.connect(db).execute(
            "SELECT type, id, version FROM records WHERE type IN (%s)" % ",".join("?" * len(reference.REGISTER_LISTS)),
            list(reference.REGISTER_LISTS))}
        expected = {(kind, r["id"]): r["version"] for kind, r in reference.listed_records(api)}
        assert held == expected, "the mirror differs from the lists after syncing again on 410"
        assert ("care_center", res["id"]) in held
        print(f"  after the server forgot its cursor: 410, synced again, equal to the lists ({len(held)} records)")
    server.stop(signal.SIGTERM)


def forget_changes_through(url, position):
    """What the retention purge does, at once: changes up to `position` are gone and older cursors expire."""
    statements = [f"DELETE FROM changes WHERE position <= {position}",
                  f"UPDATE feed_head SET purged_through = {position} WHERE id = 1"]
    if url.startswith("sqlite://"):
        import sqlite3
        con = sqlite3.connect(url.removeprefix("sqlite://"))
        with con:
            for sql in statements:
                con.execute(sql)
        con.close()
    else:
        subprocess.run(["psql", url, "-qc", "; ".join(statements)], check=True)


# Each refusal holds the subscription's later deliveries for the retry's wait (1 s here).
FAIL_EVERY = 40


class Receiver(http.server.ThreadingHTTPServer):
    """Verifies each delivery's Standard Webhooks signature; answers 500 to every fortieth request."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.secret, self.got, self.count, self.bad = None, [], 0, 0
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"


class ReceiverHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        import base64, hashlib, hmac
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        srv = self.server
        wid, ts = self.headers.get("webhook-id", ""), self.headers.get("webhook-timestamp", "")
        key = base64.b64decode(srv.secret.removeprefix("whsec_"))
        expected = "v1," + base64.b64encode(hmac.new(key, f"{wid}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
        signed = expected in self.headers.get("webhook-signature", "").split(" ")
        with srv.lock:
            srv.count += 1
            fail = srv.count % FAIL_EVERY == 0
            if not signed:
                srv.bad += 1
            elif not fail:
                srv.got.append((wid, json.loads(body)))
        self.send_response(500 if fail else 200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def webhooks(binary, url):
    receiver = Receiver()
    env = {"SHOUHU_WEBHOOK_ALLOW_HOSTS": "127.0.0.1", "SHOUHU_WEBHOOK_POLL_MS": "200",
           "SHOUHU_WEBHOOK_RETRY_BASE_SECONDS": "1"}
    server = Server(binary, url, demo=True, extra_env=env).start()
    admin = server.token()
    code, _, hook = call(server.base, "POST", "/api/v1/webhooks", admin,
                         {"url": receiver.url, "event_types": ["care_center.created"]})
    assert code == 201, hook
    receiver.secret = hook["secret"]
    writers = Writers(server.base, admin)
    writers.start()
    time.sleep(3)
    assert server.stop(signal.SIGKILL) == -signal.SIGKILL
    writers.stop()
    print(f"  server killed with SIGKILL after {len(writers.created)} acknowledged creates "
          f"({len(receiver.got)} delivered by then)")
    restarted = Server(binary, url, extra_env=env).start()
    wanted = {id_ for id_, _ in writers.created}
    deadline = time.time() + 240
    while time.time() < deadline:
        with receiver.lock:
            have = {body["data"]["id"] for _, body in receiver.got}
        if wanted <= have:
            break
        time.sleep(0.5)
    restarted.stop(signal.SIGTERM)
    with receiver.lock:
        got, bad, count = list(receiver.got), receiver.bad, receiver.count
    assert bad == 0, f"{bad} deliveries with a bad signature"
    missing = wanted - {body["data"]["id"] for _, body in got}
    assert not missing, f"{len(missing)} acknowledged creates never delivered, e.g. {list(missing)[:3]}"
    first, ids = [], {}
    for wid, body in got:
        position = int(body["data"]["position"].removeprefix("f1."))
        if wid in ids:
            assert ids[wid] == position, "a webhook-id named two changes"
            continue
        ids[wid] = position
        first.append(position)
    assert first == sorted(first) and len(set(first)) == len(first), "deliveries out of feed order"
    repeats = len(got) - len(ids)
    print(f"  {len(ids)} changes delivered in feed order ({count} requests: {count // FAIL_EVERY} refused on purpose and "
          f"retried, {repeats} sent again after the kill under the same webhook-id); every signature verified")


def with_database(spec, fn):
    if spec == "sqlite":
        with tempfile.TemporaryDirectory() as d:
            return fn(f"sqlite://{d}/harness.db")
    schema = "h_" + uuid.uuid4().hex
    subprocess.run(["psql", spec, "-qc", f"CREATE SCHEMA {schema}"], check=True)
    try:
        sep = "&" if "?" in spec else "?"
        return fn(f"{spec}{sep}options=-c%20search_path%3D{schema}")
    finally:
        subprocess.run(["psql", spec, "-qc", f"DROP SCHEMA {schema} CASCADE"], check=False, stderr=subprocess.DEVNULL)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["crash", "graceful", "replicas", "attacks", "mirror", "webhooks"])
    p.add_argument("--bin", required=True)
    p.add_argument("--db", required=True)
    a = p.parse_args()
    binary = os.path.abspath(a.bin)
    print(f"{a.mode} on {a.db.split('://')[0].split(':')[0]}")
    if a.mode == "crash":
        with_database(a.db, lambda url: crash_or_term(binary, url, signal.SIGKILL))
    elif a.mode == "graceful":
        with_database(a.db, lambda url: crash_or_term(binary, url, signal.SIGTERM))
    elif a.mode == "attacks":
        with_database(a.db, lambda url: attacks(binary, url))
    elif a.mode == "mirror":
        with_database(a.db, lambda url: mirror(binary, url))
    elif a.mode == "webhooks":
        with_database(a.db, lambda url: webhooks(binary, url))
    else:
        with_database(a.db, lambda url: replicas(binary, url))


if __name__ == "__main__":
    sys.exit(main())
