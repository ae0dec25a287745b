"""The study's database access for async apps: aiopg through PgBouncer.

fetch_row() looks up one random row of `test` by primary key and returns (a, b). The pool is
created on the first request in each process (as the study's async_db.py did), behind a lock so
concurrent first requests create one pool; aiopg's own defaults (1-10 connections). aiopg
connections are always autocommit (psycopg2 async mode): one statement, one round trip.

loadgate's cost run sets LOADGATE_SEED so the rows looked up are the same on every run.
"""

import asyncio
import json
import os
import random

import aiopg

DATABASE_URL = os.environ["DATABASE_URL"]  # libpq URL pointing at PgBouncer
MAX_A = 999_999
QUERY = "select a, b from test where a = %s"

if os.environ.get("LOADGATE_SEED"):
    random.seed(int(os.environ["LOADGATE_SEED"]))

_pool = None
_lock = None


async def get_pool():
    global _pool, _lock
    if _pool is None:
        if _lock is None:
            _lock = asyncio.Lock()
        async with _lock:
            if _pool is None:
                _pool = await aiopg.create_pool(DATABASE_URL)
    return _pool


async def fetch_row():
    pool = await get_pool()
    async with pool.acquire() as conn:
        async with conn.cursor() as cur:
            await cur.execute(QUERY, (random.randint(1, MAX_A),))
            return await cur.fetchone()


def body(a, b):
    """The study's answer: {"a": "<a zero-padded to 10 digits>", "b": "<b>"} (48 bytes)."""
    return json.dumps({"a": str(a).zfill(10), "b": b})
