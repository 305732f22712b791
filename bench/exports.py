#!/usr/bin/env python3
"""What an export and a census import cost on a big register (Python standard library only).

Seeds a database with `shouhu seed --synthetic N` (unless --reuse finds children in it), adds an admin account, starts
`shouhu serve` on a free port and logs in, then measures:

  export  `GET /api/v1/children/export?format=csv` (and `headers=en`), read to the end: the wall time, the bytes and
          rows, and the server's peak resident memory during it (VmRSS of the server process, sampled every 50 ms,
          and its VmHWM after). Side by side, on PostgreSQL, `psql`'s `\\copy (SELECT <the same columns> FROM children
          ORDER BY id) TO STDOUT WITH CSV HEADER`, read to the end the same way; on SQLite, Python's sqlite3 module
          writing the same columns with the csv module.
  import  after the server has stopped, `shouhu import FILE --as <admin> --on-error skip_row` of a generated census
          CSV of M rows (Chinese headers; each row a new child with a valid ID number in a synthetic village, its
          father and mother working away and a grandmother as caregiver): the wall time and rows per second.

It prints one table of figures. Each figure is from this one run on this machine; the server runs as built (say
which build: `cargo build` gives a debug binary).

Usage:
  bench/exports.py --bin target/debug/shouhu --db sqlite:/tmp/exports.db [--children 1000000] [--rows 10000] [--reuse]
  bench/exports.py --bin … --db postgres://shouhu:shouhu@127.0.0.1:5432/shouhu_test [--schema NAME] [--reuse]
"""
import argparse
import csv
import datetime
import io
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feed import PASSWORD, REGION, USERNAME, Database, Server, add_admin, call, seed  # noqa: E402

COLUMNS = ("id, name, gender, id_number, birth_date, region_code, left_behind_type, school_name, school_stage, grade, "
           "school_status, boarding, health_notes, minimum_living_allowance, special_hardship, status, version, "
           "created_at, updated_at")
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def id_number(area, born, seq, male):
    """A valid GB 11643 number: `seq` (0–499) picks the sequence, odd for a boy, even for a girl."""
    s = 2 * seq + (1 if male else 0)
    first17 = f"{area}{born:%Y%m%d}{s:03d}"
    return first17 + CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


class Memory:
    """Samples a process's resident memory (VmRSS, kB) until stopped; `peak` in MB."""

    def __init__(self, pid):
        self.pid, self.peak_kb, self.running = pid, 0, True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def read(self, key):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def run(self):
        while self.running:
            try:
                self.peak_kb = max(self.peak_kb, self.read("VmRSS"))
            except OSError:
                return
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak_kb / 1024


def read_all(stream, chunk=1 << 16):
    size, lines = 0, 0
    while True:
        block = stream.read(chunk)
        if not block:
            return size, lines
        size += len(block)
        lines += block.count(b"\n")


def export(base, token, query):
    req = urllib.request.Request(f"{base}/api/v1/children/export?{query}")
    req.add_header("authorization", "Bearer " + token)
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=3600) as res:
        first = None
        block = res.read(1)
        first = time.perf_counter() - started
        size, lines = read_all(res)
    return time.perf_counter() - started, first, size + len(block), lines


def copy_out(db):
    started = time.perf_counter()
    if db.kind == "postgres":
        env = dict(os.environ, PGOPTIONS=f"-c search_path={db.schema}")
        sql = f"\\copy (SELECT {COLUMNS} FROM children ORDER BY id) TO STDOUT WITH CSV HEADER"
        proc = subprocess.Popen(["psql", db.spec, "-XqAt", "-v", "ON_ERROR_STOP=1", "-c", sql], env=env,
                                stdout=subprocess.PIPE)
        size, lines = read_all(proc.stdout)
        if proc.wait() != 0:
            raise SystemExit("psql \\copy failed")
        how = "psql \\copy … TO STDOUT WITH CSV HEADER"
    else:
        out = io.StringIO()
        size, lines = 0, 0
        with sqlite3.connect(f"file:{db.path}?mode=ro", uri=True) as c:
            w = csv.writer(out)
            for row in c.execute(f"SELECT {COLUMNS} FROM children ORDER BY id"):
                w.writerow(row)
                lines += 1
                if out.tell() > 1 << 20:
                    size += len(out.getvalue().encode())
                    out = io.StringIO()
                    w = csv.writer(out)
        size += len(out.getvalue().encode())
        how = f"Python sqlite3 {sqlite3.sqlite_version} + csv module"
    return time.perf_counter() - started, size, lines, how


def villages(db, n=50):
    sql = f"SELECT code FROM regions WHERE code LIKE '{REGION[:4]}%' AND code NOT LIKE '%000' ORDER BY code LIMIT {n}"
    if db.kind == "postgres":
        return [c for c in db.psql(sql).split() if c]
    with sqlite3.connect(f"file:{db.path}?mode=ro", uri=True) as c:
        return [r[0] for r in c.execute(sql)]


def census(path, rows, codes):
    header = ("姓名,性别,身份证号,出生日期,所在村,留守类型,就读学校,学段,是否寄宿,父亲姓名,父亲电话,父亲务工地,母亲姓名,"
              "母亲务工地,监护人姓名,与儿童关系,监护人电话,责任书签订日期")
    start = datetime.date(2011, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(header + "\n")
        for i in range(rows):
            born = start + datetime.timedelta(days=i // 400)
            male = i % 2 == 0
            number = id_number("990199", born, (i % 400) // 2 + 50 * (i % 2), male)
            village = codes[i % len(codes)]
            f.write(f"导入童{i},{'男' if male else '女'},{number},{born:%Y/%m/%d},{village},父母双方外出务工,合成小学,"
                    f"小学,否,导入父{i},138{i:08d},广东东莞,导入母{i},浙江义乌,导入奶奶{i},奶奶,139{i:08d},"
                    f"2026-03-01\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", required=True, help="the shouhu binary")
    p.add_argument("--db", required=True, help="sqlite:PATH or postgres://…")
    p.add_argument("--children", type=int, default=1_000_000, help="children to seed (default 1 000 000)")
    p.add_argument("--rows", type=int, default=10_000, help="census rows to import (default 10 000)")
    p.add_argument("--reuse", action="store_true", help="skip seeding when the database already holds children")
    p.add_argument("--schema", help="PostgreSQL schema to work in, kept (default: a fresh one, dropped at the end)")
    a = p.parse_args()
    binary = os.path.abspath(a.bin)
    db = Database(a.db, a.schema)
    server = None
    rows = []
    try:
        have = db.children()
        if a.reuse and have > 0:
            print(f"seeding skipped: the database already holds {have} children (--reuse)", flush=True)
        else:
            print(f"seeding {a.children} children on {db.kind} ...", flush=True)
            secs = seed(binary, db, a.children)
            have = db.children()
            print(f"seeded in {secs:.0f} s", flush=True)
        add_admin(binary, db)
        server = Server(binary, db.url)
        server.start()
        status, _, body = call(server.base, "POST", "/api/v1/auth/login",
                               body={"username": USERNAME, "password": PASSWORD})
        assert status == 200, (status, body)
        token = body["access_token"]
        for query in ("format=csv", "format=csv&headers=en"):
            mem = Memory(server.proc.pid)
            secs, first, size, lines = export(server.base, token, query)
            peak = mem.stop()
            hwm = mem.read("VmHWM") / 1024
            rows.append((f"GET /children/export?{query}", f"{lines - 1} rows, {size / 1e6:.0f} MB",
                         f"{secs:.1f} s", f"first byte {first * 1000:.0f} ms; server RSS peak {peak:.0f} MB "
                         f"(VmHWM {hwm:.0f} MB)"))
            print(rows[-1], flush=True)
        secs, size, lines, how = copy_out(db)
        rows.append((how, f"{lines - (1 if db.kind == 'postgres' else 0)} rows, {size / 1e6:.0f} MB", f"{secs:.1f} s",
                     "the same columns, read to the end"))
        print(rows[-1], flush=True)
        server.stop()
        server = None
        codes = villages(db)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "census.csv")
            census(path, a.rows, codes)
            env = dict(os.environ, SHOUHU_DATABASE_URL=db.url)
            started = time.perf_counter()
            out = subprocess.run([binary, "import", path, "--as", USERNAME, "--on-error", "skip_row"], env=env,
                                 capture_output=True, text=True)
            secs = time.perf_counter() - started
            summary = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-500:]
            rows.append((f"shouhu import (census CSV, {a.rows} rows, skip_row)", summary, f"{secs:.1f} s",
                         f"{a.rows / secs:.0f} rows/s"))
            print(rows[-1], flush=True)
    finally:
        if server:
            server.stop()
        db.drop()
    print(f"\n{db.kind}, {have} children\n")
    print("| what | size | time | notes |\n|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
