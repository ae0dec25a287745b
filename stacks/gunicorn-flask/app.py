"""Gunicorn + Flask + psycopg2: the sync row of "Async Python is not faster".

GET /test looks up one random row of `test` by primary key through PgBouncer
and answers {"a": "<a zero-padded to 10 digits>", "b": "<b>"} (48 bytes).

Each worker process gets its own psycopg2 pool of 1-4 connections, created
lazily on the first request, i.e. after gunicorn has forked the worker, so
no connection (socket) is ever shared between processes.
"""

import json
import os
import random
import threading

import flask
import psycopg2.pool

DATABASE_URL = os.environ["DATABASE_URL"]  # libpq URL pointing at PgBouncer
POOL_MIN, POOL_MAX = 1, 4
MAX_A = 999_999

# loadgate's cost run sets LOADGATE_SEED so the rows looked up are the same on every run.
if os.environ.get("LOADGATE_SEED"):
    random.seed(int(os.environ["LOADGATE_SEED"]))
QUERY = "select a, b from test where a = %s"

app = flask.Flask(__name__)

_pool = None
_pool_pid = None
_pool_lock = threading.Lock()


def get_pool():
    """This process's pool; (re)created if we are not the process that made it."""
    global _pool, _pool_pid
    pid = os.getpid()
    if _pool is None or _pool_pid != pid:
        with _pool_lock:
            if _pool is None or _pool_pid != pid:
                _pool = psycopg2.pool.ThreadedConnectionPool(
                    POOL_MIN, POOL_MAX, DATABASE_URL
                )
                _pool_pid = pid
    return _pool


def fetch_row(a):
    pool = get_pool()
    conn = pool.getconn()
    ok = False
    try:
        # psycopg2's default (non-autocommit) mode, as in the study: the
        # driver opens a transaction before the select, and putconn() below
        # rolls it back before the connection goes back into the pool.
        with conn.cursor() as cur:
            cur.execute(QUERY, (a,))
            row = cur.fetchone()
        ok = True
        return row
    finally:
        # A connection that failed mid-query may be broken: drop it.
        pool.putconn(conn, close=not ok)


@app.get("/test")
def test():
    a, b = fetch_row(random.randint(1, MAX_A))
    body = json.dumps({"a": str(a).zfill(10), "b": b})
    return flask.Response(body, mimetype="application/json")
