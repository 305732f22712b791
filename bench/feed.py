#!/usr/bin/env python3
"""What the changes feed costs on a big register (Python standard library only).

Seeds a database with `shouhu seed --synthetic N` (unless --reuse finds children in it), adds an admin account with
`shouhu user add`, starts `shouhu serve` on a free port and logs in, then measures:

  writes  1 000 children patched one after another (`PATCH /api/v1/children/{id}` with `If-Match`, a new
          `school_name`): the time of each (p50, p95) and the SQL statements per write (the server's
          `shouhu_db_queries_total`, delta over the run / writes). A write's feed share is one `INSERT INTO changes`
          row per event at commit (persistence/src/changes.rs `store`, called from store.rs `commit`); after the
          server has stopped, that one insert is timed on the seeded database: `EXPLAIN ANALYZE` in a rolled-back
          transaction on PostgreSQL, Python's sqlite3 module in a rolled-back transaction on SQLite.
  pages   after those writes, `GET /api/v1/changes?limit=500&after=<the head before the writes>`: the first read
          (it settles the writes' positions) on its own, then 30 reads, first and second page alternately, each
          timed (p50, p95) with its statements (metrics delta around each request, less what reading the metrics
          costs); the same with GraphQL `changes(first: 500)` selecting a few fields of `record` on `... on Child`.

It prints one table of figures. Each figure is from this one run on this machine; the server runs as built (say
which build: `cargo build` gives a debug binary).

Usage:
  bench/feed.py --bin target/debug/shouhu --db sqlite:/tmp/feed.db [--children 1000000] [--reuse]
  bench/feed.py --bin … --db postgres://shouhu:shouhu@127.0.0.1:5432/shouhu_test [--schema NAME] [--reuse]

With a postgres:// URL the run works in schema NAME (created if missing and kept, so that a later --reuse run finds
its children), or, without --schema, in a fresh schema that it drops at the end. `psql` must be on PATH for
PostgreSQL.
"""
import argparse
import json
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

USERNAME = "feed-bench-admin"
PASSWORD = "feed-bench-password-2026"
REGION = "990100000000"  # the synthetic city `shouhu seed` makes


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, token=None, body=None, headers=None, timeout=120, raw=False):
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
            text = res.read()
            status, hdrs = res.status, dict(res.headers)
    except urllib.error.HTTPError as e:
        text, status, hdrs = e.read(), e.code, dict(e.headers)
    if raw:
        return status, hdrs, text.decode(errors="replace")
    try:
        return status, hdrs, (json.loads(text) if text else None)
    except ValueError:
        return status, hdrs, text.decode(errors="replace")


class Database:
    """Where the run works: a SQLite file, or a PostgreSQL schema."""

    def __init__(self, spec, schema):
        self.spec, self.schema, self.made_schema = spec, None, False
        if spec.startswith("sqlite:"):
            self.kind = "sqlite"
            self.path = os.path.abspath(re.sub(r"^sqlite:(//)?", "", spec))
            self.url = "sqlite://" + self.path
        elif spec.startswith("postgres://") or spec.startswith("postgresql://"):
            self.kind = "postgres"
            self.schema = schema or "feed_" + uuid.uuid4().hex[:12]
            self.made_schema = schema is None
            self.psql("CREATE SCHEMA IF NOT EXISTS " + self.schema, in_schema=False)
            sep = "&" if "?" in spec else "?"
            self.url = f"{spec}{sep}options=-c%20search_path%3D{self.schema}"
        else:
            raise SystemExit("--db must be sqlite:PATH or postgres://…")

    def psql(self, sql, in_schema=True):
        env = dict(os.environ)
        if in_schema:
            env["PGOPTIONS"] = f"-c search_path={self.schema}"
        out = subprocess.run(["psql", self.spec, "-XqAt", "-v", "ON_ERROR_STOP=1", "-c", sql], env=env,
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"psql failed: {out.stderr.strip()}")
        return out.stdout

    def children(self):
        try:
            if self.kind == "sqlite":
                if not os.path.exists(self.path):
                    return 0
                with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as c:
                    return c.execute("SELECT count(*) FROM children").fetchone()[0]
            return int(self.psql("SELECT count(*) FROM children").strip() or 0)
        except (sqlite3.Error, SystemExit, ValueError):
            return 0

    def time_change_insert(self, repeat=50):
        """Times one `INSERT INTO changes` row, as a write stores it at commit, rolled back each time: the
        median and the spread of `repeat` tries, in ms, and how it was measured."""
        if self.kind == "sqlite":
            c = sqlite3.connect(self.path, isolation_level=None)
            try:
                row = c.execute("SELECT event_id, resource_kind, region_code, occurred_at FROM changes "
                                "ORDER BY seq DESC LIMIT 1").fetchone()
                if row is None:
                    return None
                blob = isinstance(row[0], bytes)
                times = []
                for _ in range(repeat):
                    event = uuid.uuid4().bytes if blob else str(uuid.uuid4())
                    c.execute("BEGIN IMMEDIATE")
                    t = time.perf_counter()
                    c.execute("INSERT INTO changes (position, event_id, resource_kind, region_code, region_before, "
                              "occurred_at) VALUES (NULL, ?, ?, ?, NULL, ?)", (event, row[1], row[2], row[3]))
                    times.append((time.perf_counter() - t) * 1000)
                    c.execute("ROLLBACK")
            finally:
                c.close()
            how = f"sqlite3 {sqlite3.sqlite_version} (Python), statement only, in a rolled-back transaction"
            return statistics.median(times), min(times), max(times), how
        row = self.psql("SELECT resource_kind || '|' || region_code || '|' || occurred_at FROM changes "
                        "ORDER BY seq DESC LIMIT 1").strip()
        if not row:
            return None
        kind, region, at = row.split("|", 2)
        stmt = ("EXPLAIN (ANALYZE, BUFFERS) INSERT INTO changes (position, event_id, resource_kind, region_code, "
                f"region_before, occurred_at) VALUES (NULL, gen_random_uuid(), '{kind}', '{region}', NULL, "
                f"'{at}');")
        script = "".join(f"BEGIN;{stmt}ROLLBACK;" for _ in range(repeat))
        out = self.psql(script)
        times = [float(m) for m in re.findall(r"Execution Time: ([\d.]+) ms", out)]
        if not times:
            return None
        how = "EXPLAIN (ANALYZE) execution time, in a rolled-back transaction (no commit, no WAL flush)"
        return statistics.median(times), min(times), max(times), how

    def drop(self):
        if self.made_schema:
            self.psql(f"DROP SCHEMA {self.schema} CASCADE", in_schema=False)


class Server:
    def __init__(self, binary, url):
        self.binary, self.port = binary, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, SHOUHU_DATABASE_URL=url, SHOUHU_RATE_LIMIT_PER_MINUTE="0")
        self.log = tempfile.TemporaryFile()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([self.binary, "serve", "--bind", f"127.0.0.1:{self.port}"], env=self.env,
                                     stdout=self.log, stderr=self.log)
        started = time.time()
        while time.time() < started + 900:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise SystemExit(f"server exited early: {self.log.read().decode(errors='replace')[-2000:]}")
            try:
                if call(self.base, "GET", "/readyz", timeout=2)[0] == 200:
                    return time.time() - started
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("server did not become ready")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def queries(base):
    status, _, text = call(base, "GET", "/metrics", raw=True)
    assert status == 200, status
    m = re.search(r"^shouhu_db_queries_total (\d+)", text, re.M)
    return int(m.group(1))


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


def ms(values):
    return f"{statistics.median(values) * 1000:.1f}", f"{pct(values, 95) * 1000:.1f}"


def seed(binary, db, n):
    env = dict(os.environ, SHOUHU_DATABASE_URL=db.url)
    started = time.time()
    out = subprocess.run([binary, "seed", "--synthetic", str(n)], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"seeding failed: {out.stderr[-2000:]}")
    return time.time() - started


def add_admin(binary, db):
    env = dict(os.environ, SHOUHU_DATABASE_URL=db.url)
    out = subprocess.run([binary, "user", "add", "--username", USERNAME, "--role", "admin", "--region", REGION],
                         input=PASSWORD + "\n", env=env, capture_output=True, text=True)
    if out.returncode != 0 and "exist" not in (out.stderr + out.stdout).lower() \
            and "taken" not in (out.stderr + out.stdout).lower():
        raise SystemExit(f"could not add the admin account: {out.stderr[-2000:]}")


def children_to_patch(base, token, n):
    found, cursor = [], None
    while len(found) < n:
        path = "/api/v1/children?limit=500" + (f"&cursor={cursor}" if cursor else "")
        status, _, body = call(base, "GET", path, token)
        assert status == 200, (status, body)
        found += [(c["id"], c["version"]) for c in body["items"]]
        cursor = body.get("next_cursor")
        if not cursor:
            break
    if len(found) < n:
        raise SystemExit(f"only {len(found)} children to patch")
    return found[:n]


GRAPHQL = """query Feed($after: String) {
  changes(after: $after, first: 500) {
    nextCursor
    edges { cursor node { position type id version action record { ... on Child { id name schoolName version } } } }
  }
}"""


def rest_page(base, token, after, limit=500):
    status, _, body = call(base, "GET", f"/api/v1/changes?limit={limit}&after={after}", token)
    assert status == 200, (status, body)
    return len(body["items"]), body["next_cursor"], sum(1 for i in body["items"] if i.get("record"))


def graphql_page(base, token, after):
    status, _, body = call(base, "POST", "/graphql", token, {"query": GRAPHQL, "variables": {"after": after}})
    assert status == 200 and not body.get("errors"), (status, body)
    conn = body["data"]["changes"]
    return len(conn["edges"]), conn["nextCursor"], sum(1 for e in conn["edges"] if e["node"].get("record"))


def timed_pages(base, token, read, cursors, rounds, metrics_cost):
    """`rounds` reads alternating over `cursors`: per cursor, the times, the statements of each read and the
    item counts seen."""
    out = [([], [], set()) for _ in cursors]
    for i in range(rounds):
        times, stmts, sizes = out[i % len(cursors)]
        before = queries(base)
        t = time.perf_counter()
        items, _, with_record = read(base, token, cursors[i % len(cursors)])
        times.append(time.perf_counter() - t)
        stmts.append(queries(base) - before - metrics_cost)
        sizes.add((items, with_record))
    return out


def spread(values):
    """The median, with the range when they differ."""
    med = statistics.median(values)
    med = f"{med:g}"
    return med if min(values) == max(values) else f"{med} ({min(values)}–{max(values)})"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", required=True, help="the shouhu binary")
    p.add_argument("--db", required=True, help="sqlite:PATH or postgres://…")
    p.add_argument("--children", type=int, default=1_000_000, help="children to seed (default 1 000 000)")
    p.add_argument("--reuse", action="store_true", help="skip seeding when the database already holds children")
    p.add_argument("--schema", help="PostgreSQL schema to work in, kept (default: a fresh one, dropped at the end)")
    p.add_argument("--writes", type=int, default=1000, help="children patched (default 1 000)")
    p.add_argument("--reads", type=int, default=30, help="page reads per API (default 30)")
    a = p.parse_args()
    binary = os.path.abspath(a.bin)
    db = Database(a.db, a.schema)
    server = None
    try:
        rows = []
        have = db.children()
        if a.reuse and have > 0:
            print(f"seeding skipped: the database already holds {have} children (--reuse)", flush=True)
        else:
            print(f"seeding {a.children} children on {db.kind} ...", flush=True)
            secs = seed(binary, db, a.children)
            have = db.children()
            print(f"seeded in {secs:.0f} s ({secs / 60:.1f} min)", flush=True)
            rows.append(("seed --synthetic", f"{a.children}", f"{secs:.0f} s", "", ""))
        add_admin(binary, db)
        server = Server(binary, db.url)
        ready = server.start()
        print(f"server ready in {ready:.1f} s", flush=True)
        status, _, body = call(server.base, "POST", "/api/v1/auth/login",
                               body={"username": USERNAME, "password": PASSWORD})
        assert status == 200, (status, body)
        token = body["access_token"]
        base = server.base
        targets = children_to_patch(base, token, a.writes)
        # What reading the metrics costs (if anything), to take out of each request's delta.
        metrics_cost = queries(base) - queries(base)
        metrics_cost = -metrics_cost if metrics_cost < 0 else 0
        head_before = call(base, "GET", "/api/v1/changes/head", token)[2]["cursor"]

        # Writes.
        tag = time.strftime("%H%M%S")
        times = []
        before = queries(base)
        for n, (cid, version) in enumerate(targets):
            t = time.perf_counter()
            status, _, body = call(base, "PATCH", f"/api/v1/children/{cid}", token,
                                   {"school_name": f"合成小学 {tag}-{n}"}, {"If-Match": f'"{version}"'})
            times.append(time.perf_counter() - t)
            assert status == 200, (status, body)
        write_stmts = (queries(base) - before) / len(targets)
        p50, p95 = ms(times)
        rows.append((f"PATCH child ({len(targets)} children, one after another)", f"{len(targets)}", p50, p95,
                     f"{write_stmts:.2f}"))
        print(f"writes done: p50 {p50} ms, p95 {p95} ms, {write_stmts:.2f} statements each", flush=True)

        # The first read after the writes gives them positions (settling) before it reads.
        before = queries(base)
        t = time.perf_counter()
        items, page2, with_record = rest_page(base, token, head_before)
        first = time.perf_counter() - t
        first_stmts = queries(base) - before - metrics_cost
        rows.append((f"REST first page after the writes (settles {len(targets)}; {items} items)", "1",
                     f"{first * 1000:.1f}", "", f"{first_stmts}"))
        cursors = [head_before, page2]
        for label, read in (("REST GET /changes?limit=500", rest_page), ("GraphQL changes(first: 500)", graphql_page)):
            for page, (times, stmts, sizes) in enumerate(timed_pages(base, token, read, cursors, a.reads,
                                                                      metrics_cost), 1):
                p50, p95 = ms(times)
                items = ", ".join(f"{i} items, {r} with record" for i, r in sorted(sizes))
                rows.append((f"{label}, page {page} ({items})", f"{len(times)}", p50, p95, spread(stmts)))
                print(f"{label} page {page}: p50 {p50} ms, p95 {p95} ms, {spread(stmts)} statements", flush=True)
        # A smaller page from the same cursor: a page reads every position of its window (up to 5 000 after the
        # cursor) and the records of all of them before it keeps `limit`.
        times, stmts, sizes = timed_pages(base, token, lambda b, t, c: rest_page(b, t, c, 50), [head_before],
                                          a.reads // 3, metrics_cost)[0]
        p50, p95 = ms(times)
        items = ", ".join(f"{i} items, {r} with record" for i, r in sorted(sizes))
        rows.append((f"REST GET /changes?limit=50, page 1 ({items})", f"{len(times)}", p50, p95, spread(stmts)))
        server.stop()
        server = None

        insert = db.time_change_insert()
        if insert:
            med, lo, hi, how = insert
            rows.append(("one INSERT INTO changes row (the feed's share of a write)", "50", f"{med:.3f}",
                         f"{lo:.3f}–{hi:.3f} (min–max)", "1"))
            note = how
        else:
            note = "could not time the insert (no changes row found)"

        print()
        print(f"database: {db.kind}, {have} children; binary: {binary}")
        print(f"feed's statements per write at commit: 1 INSERT INTO changes (one row per event; a child PATCH "
              f"writes one event); settling later runs, per batch of up to 2 000 rows, 1 SELECT … FOR UPDATE of "
              f"feed_head, 1 SELECT of the unsettled rows, 1 UPDATE per 500 rows and 1 UPDATE of feed_head")
        print(f"insert timing: {note}")
        print()
        head = ("measure", "n", "p50 ms", "p95 ms", "statements each")
        widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(5)]
        for r in [head, tuple("-" * w for w in widths)] + rows:
            print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    finally:
        if server:
            server.stop()
        db.drop()


if __name__ == "__main__":
    sys.exit(main())
