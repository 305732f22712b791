#!/usr/bin/env python3
"""A mirror of what one Shouhu caller may read, in a local SQLite file (Python standard library only).

It bootstraps from the lists, then follows the changes feed (GET /api/v1/changes):

  1. with no cursor stored, it takes the feed's head, reads every register list page by page (archived
     records too) and stores the head as its cursor;
  2. then it asks the feed for what changed after its cursor, stores each record (replacing what it held), drops
     a record that left its scope (`left_scope`) with the records seen through it, and stores `next_cursor`
     in the same SQLite transaction as the records of that page, so that a mirror killed at any moment resumes
     where it stopped, without losing or applying anything twice;
  3. a cursor older than the changes the server keeps (410 `cursor_expired`) wipes the mirror and starts again at 1.

Usage:
  mirror.py --url http://127.0.0.1:8080 --username township --password … --db mirror.db [--follow] [--until-idle]

  --follow      keep polling (every --interval seconds) instead of stopping once caught up
  --until-idle  with --follow: stop after --idle-rounds polls in a row found nothing (for tests)

Records are stored as the caller reads them (masked likewise), one row per (type, id) with its version.
Records seen through another (visits, guardianships, enrolments, pairings, registrations) come from the feed only:
the ones made before the mirror's first sync are read through their parents' relation lists if needed.
"""
import argparse
import json
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

REGISTER_LISTS = {
    "child": ("/api/v1/children", ["archived", "aged_out"]),
    "guardian": ("/api/v1/guardians", ["archived"]),
    "care_center": ("/api/v1/care-centers", ["archived"]),
    "volunteer": ("/api/v1/volunteers", ["archived"]),
    "training_session": ("/api/v1/training-sessions", ["archived"]),
}
# What a record is seen through: dropping one drops these with it.
CHILDREN_OF = {
    "child": [("guardianship", "child_id"), ("enrollment", "child_id"), ("pairing", "child_id"), ("visit", "child_id")],
    "care_center": [("enrollment", "care_center_id")],
    "volunteer": [("pairing", "volunteer_id")],
    "training_session": [("attendance", "training_session_id")],
}


class Expired(Exception):
    """The stored cursor is older than the changes kept."""


class Api:
    def __init__(self, url, username, password):
        self.url = url.rstrip("/")
        status, body = self.call("POST", "/api/v1/auth/login", {"username": username, "password": password})
        if status != 200:
            raise SystemExit(f"login failed: {status} {body}")
        self.token = body["access_token"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("content-type", "application/json")
        if getattr(self, "token", None):
            req.add_header("authorization", "Bearer " + self.token)
        for attempt in range(5):
            try:
                with urllib.request.urlopen(req, timeout=30) as res:
                    return res.status, json.loads(res.read() or b"null")
            except urllib.error.HTTPError as e:
                raw = e.read()
                if e.code in (429, 502, 503) and attempt < 4:
                    time.sleep(float(e.headers.get("retry-after") or 1))
                    continue
                return e.code, json.loads(raw) if raw else None
            except OSError:
                if attempt == 4:
                    raise
                time.sleep(1)
        raise SystemExit("unreachable")

    def get(self, path):
        status, body = self.call("GET", path)
        if status == 410:
            raise Expired()
        if status != 200:
            raise SystemExit(f"GET {path}: {status} {body}")
        return body


class Mirror:
    def __init__(self, path):
        self.db = sqlite3.connect(path)
        self.db.executescript(
            "PRAGMA journal_mode=WAL;"
            "CREATE TABLE IF NOT EXISTS records (type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,"
            " body TEXT NOT NULL, PRIMARY KEY (type, id));"
            "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        )

    def cursor(self):
        row = self.db.execute("SELECT value FROM state WHERE key = 'cursor'").fetchone()
        return row[0] if row else None

    def put(self, kind, record):
        self.db.execute(
            "INSERT INTO records (type, id, version, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (type, id) DO UPDATE SET version = excluded.version, body = excluded.body "
            "WHERE excluded.version >= records.version",
            (kind, record["id"], record["version"], json.dumps(record, ensure_ascii=False, sort_keys=True)),
        )

    def drop(self, kind, id_):
        self.db.execute("DELETE FROM records WHERE type = ? AND id = ?", (kind, id_))
        for child_kind, column in CHILDREN_OF.get(kind, []):
            rows = self.db.execute(
                "SELECT id FROM records WHERE type = ? AND json_extract(body, '$.' || ?) = ?", (child_kind, column, id_)
            ).fetchall()
            for (child_id,) in rows:
                self.drop(child_kind, child_id)

    def save_cursor(self, cursor):
        self.db.execute("INSERT OR REPLACE INTO state (key, value) VALUES ('cursor', ?)", (cursor,))

    def wipe(self):
        with self.db:
            self.db.execute("DELETE FROM records")
            self.db.execute("DELETE FROM state")


def listed_records(api):
    """Every register record the caller may read, archived ones too, from the lists: (type, record)."""
    for kind, (path, hidden) in REGISTER_LISTS.items():
        for status in [None] + hidden:
            cursor = None
            while True:
                query = {"limit": "500"}
                if status:
                    query["status"] = status
                if cursor:
                    query["cursor"] = cursor
                page = api.get(f"{path}?{urllib.parse.urlencode(query)}")
                for record in page["items"]:
                    yield kind, record
                cursor = page.get("next_cursor")
                if not cursor:
                    break


def bootstrap(api, mirror):
    head = api.get("/api/v1/changes/head")["cursor"]
    with mirror.db:
        for kind, record in listed_records(api):
            mirror.put(kind, record)
        mirror.save_cursor(head)
    return head


def follow_once(api, mirror):
    """Applies one page of the feed; returns how many changes it held."""
    cursor = mirror.cursor()
    page = api.get(f"/api/v1/changes?limit=500&after={urllib.parse.quote(cursor)}")
    with mirror.db:
        for change in page["items"]:
            if change["action"] == "left_scope":
                mirror.drop(change["type"], change["id"])
            elif change["record"] is not None:
                mirror.put(change["type"], change["record"])
        mirror.save_cursor(page["next_cursor"])
    return len(page["items"]), page["next_cursor"] != cursor


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--follow", action="store_true")
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--until-idle", action="store_true")
    p.add_argument("--idle-rounds", type=int, default=3)
    a = p.parse_args()
    api, mirror = Api(a.url, a.username, a.password), Mirror(a.db)
    idle = 0
    while True:
        try:
            if mirror.cursor() is None:
                print(f"bootstrap: head {bootstrap(api, mirror)}", flush=True)
            applied, moved = follow_once(api, mirror)
        except Expired:
            print("cursor expired: syncing again", flush=True)
            mirror.wipe()
            continue
        if applied or moved:
            idle = 0
            print(f"applied {applied} changes, cursor {mirror.cursor()}", flush=True)
            continue
        if not a.follow:
            return 0
        idle += 1
        if a.until_idle and idle >= a.idle_rounds:
            return 0
        time.sleep(a.interval)


if __name__ == "__main__":
    sys.exit(main())
