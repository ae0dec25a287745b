"""The study's database access for sync (WSGI) apps: psycopg2 through PgBouncer.

fetch_row() looks up one random row of `test` by primary key and returns (a, b). Each worker
process gets its own pool of 1-4 connections, created lazily on the first request, i.e. after
the server has forked the worker, so no connection (socket) is ever shared between processes.
psycopg2's default (non-autocommit) mode, as in the study: the driver opens a transaction
before the select, and putconn() rolls it back before the connection goes back into the pool.

loadgate's cost run sets LOADGATE_SEED so the rows looked up are the same on every run.
"""

import json
import os
import random
import threading

import psycopg2.pool

DATABASE_URL = os.environ["DATABASE_URL"]  # libpq URL pointing at PgBouncer
POOL_MIN, POOL_MAX = 1, 4
MAX_A = 999_999
QUERY = "select a, b from test where a = %s"

if os.environ.get("LOADGATE_SEED"):
    random.seed(int(os.environ["LOADGATE_SEED"]))

_pool = None
_pool_pid = None
_pool_lock = threading.Lock()
# A request waits for one of the pool's connections instead of failing when all are in use. Only
# servers that run requests of one process concurrently ever wait: gevent's worker (this module is
# imported after gevent has patched threading, so the wait is cooperative) and threaded servers.
_slots = threading.BoundedSemaphore(POOL_MAX)


def get_pool():
    """This process's pool; (re)created if we are not the process that made it."""
    global _pool, _pool_pid
    pid = os.getpid()
    if _pool is None or _pool_pid != pid:
        with _pool_lock:
            if _pool is None or _pool_pid != pid:
                _pool = psycopg2.pool.ThreadedConnectionPool(POOL_MIN, POOL_MAX, DATABASE_URL)
                _pool_pid = pid
    return _pool


def fetch_row():
    pool = get_pool()
    with _slots:
        conn = pool.getconn()
        ok = False
        try:
            with conn.cursor() as cur:
                cur.execute(QUERY, (random.randint(1, MAX_A),))
                row = cur.fetchone()
            ok = True
            return row
        finally:
            # A connection that failed mid-query may be broken: drop it.
            pool.putconn(conn, close=not ok)


def body(a, b):
    """The study's answer: {"a": "<a zero-padded to 10 digits>", "b": "<b>"} (48 bytes)."""
    return json.dumps({"a": str(a).zfill(10), "b": b})
