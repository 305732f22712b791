#!/usr/bin/env python3
"""Process-level tests of the real `shouhu` binary (Python standard library only).

  crash     several clients write at once; the server is killed with SIGKILL,
            restarted, and every write it acknowledged with a 2xx must be there.
  graceful  the same with SIGTERM: the server stops accepting, lets in-flight
            requests finish, exits 0 within its bound, and nothing is lost.
  replicas  two servers on one PostgreSQL: tokens, idempotency keys and version
            checks hold across both.

Usage: harness.py MODE --bin PATH --db (sqlite|postgres://…)
With a postgres:// URL each run works in a fresh schema that it drops.
"""
import argparse
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


def crash_or_term(binary, url, sig):
    server = Server(binary, url, demo=True).start()
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
        assert call(b.base, "POST", "/api/v1/auth/token", body=grant)[0] == 200
        assert call(a.base, "POST", "/api/v1/auth/token", body=grant)[0] == 401
        print("  tokens, idempotency keys, version checks, key rotation and refresh tokens hold across two replicas")
    finally:
        a.stop(signal.SIGTERM)
        b.stop(signal.SIGTERM)


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
    p.add_argument("mode", choices=["crash", "graceful", "replicas"])
    p.add_argument("--bin", required=True)
    p.add_argument("--db", required=True)
    a = p.parse_args()
    binary = os.path.abspath(a.bin)
    print(f"{a.mode} on {a.db.split('://')[0].split(':')[0]}")
    if a.mode == "crash":
        with_database(a.db, lambda url: crash_or_term(binary, url, signal.SIGKILL))
    elif a.mode == "graceful":
        with_database(a.db, lambda url: crash_or_term(binary, url, signal.SIGTERM))
    else:
        with_database(a.db, lambda url: replicas(binary, url))


if __name__ == "__main__":
    sys.exit(main())
