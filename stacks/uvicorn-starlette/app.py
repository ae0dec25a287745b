"""Uvicorn + Starlette + aiopg: the async row of "Async Python is not faster".

GET /test looks up one random row of `test` by primary key through PgBouncer
and answers {"a": "<a zero-padded to 10 digits>", "b": "<b>"} (48 bytes).

Each uvicorn worker process runs the lifespan handler below, so each one
creates its own aiopg pool at startup and closes it on shutdown (SIGTERM).
Run uvicorn with --lifespan on so a failure to create the pool stops the
server instead of leaving it up and failing every request.
"""

import contextlib
import json
import os
import random

import aiopg
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

DATABASE_URL = os.environ["DATABASE_URL"]  # libpq URL pointing at PgBouncer
# aiopg's own defaults, which is what the study's create_pool(dsn) got.
POOL_MIN, POOL_MAX = 1, 10
MAX_A = 999_999

# loadgate's cost run sets LOADGATE_SEED so the rows looked up are the same on every run.
if os.environ.get("LOADGATE_SEED"):
    random.seed(int(os.environ["LOADGATE_SEED"]))
QUERY = "select a, b from test where a = %s"


async def test(request):
    a = random.randint(1, MAX_A)
    # aiopg connections are always autocommit (psycopg2 async mode): one
    # statement, one round trip, nothing to roll back.
    async with request.app.state.pool.acquire() as conn:
        async with conn.cursor() as cur:
            await cur.execute(QUERY, (a,))
            a, b = await cur.fetchone()
    body = json.dumps({"a": str(a).zfill(10), "b": b})
    return Response(body, media_type="application/json")


@contextlib.asynccontextmanager
async def lifespan(app):
    pool = await aiopg.create_pool(DATABASE_URL, minsize=POOL_MIN, maxsize=POOL_MAX)
    app.state.pool = pool
    try:
        yield
    finally:
        pool.close()
        await pool.wait_closed()


app = Starlette(routes=[Route("/test", test, methods=["GET"])], lifespan=lifespan)
