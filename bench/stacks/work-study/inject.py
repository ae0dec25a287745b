"""The study's Flask app (stacks/gunicorn-flask) with one change to its database work, for bench/work-power.

WORK_INJECT chooses the change (empty: none, the study's app as it is):
- n+1         after its row, the request looks up 10 more rows, one statement each, on the same
              connection (an N+1 loop): 11 statements per request instead of 1.
- row         the lookup returns one more row (rows a-1 and a): 2 rows per request instead of 1.
- connection  a fresh psycopg2 connection to PgBouncer per request instead of the worker's pool.
- index       nothing here: migrate.py drops the index of the looked-up column (the primary key).
"""

import os
import random
from contextlib import contextmanager

import psycopg2
import sync_db  # stacks/common (PYTHONPATH), before the app imports fetch_row from it

INJECT = os.environ.get("WORK_INJECT", "")
EXTRA_LOOKUPS = 10


@contextmanager
def pooled_cursor():
    """A cursor on one of the worker's pooled connections, as sync_db.fetch_row takes it."""
    pool = sync_db.get_pool()
    with sync_db._slots:
        conn = pool.getconn()
        ok = False
        try:
            with conn.cursor() as cur:
                yield cur
            ok = True
        finally:
            pool.putconn(conn, close=not ok)


def n_plus_one():
    with pooled_cursor() as cur:
        cur.execute(sync_db.QUERY, (random.randint(1, sync_db.MAX_A),))
        row = cur.fetchone()
        for _ in range(EXTRA_LOOKUPS):
            cur.execute(sync_db.QUERY, (random.randint(1, sync_db.MAX_A),))
            cur.fetchone()
        return row


def one_more_row():
    a = random.randint(1, sync_db.MAX_A)
    with pooled_cursor() as cur:
        cur.execute("select a, b from test where a between %s and %s order by a", (a - 1, a))
        return cur.fetchall()[-1]


def connection_per_request():
    conn = psycopg2.connect(sync_db.DATABASE_URL)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sync_db.QUERY, (random.randint(1, sync_db.MAX_A),))
            return cur.fetchone()
    finally:
        conn.close()


study_fetch_row = sync_db.fetch_row
CHANGES = {"": study_fetch_row, "index": study_fetch_row, "n+1": n_plus_one, "row": one_more_row}
CHANGES["connection"] = connection_per_request
if INJECT not in CHANGES:
    raise SystemExit(f"WORK_INJECT={INJECT!r}: expected one of {', '.join(repr(k) for k in CHANGES)}")
sync_db.fetch_row = CHANGES[INJECT]

from app import app  # noqa: E402  the study's Flask app (cwd is stacks/gunicorn-flask), now calling the change
