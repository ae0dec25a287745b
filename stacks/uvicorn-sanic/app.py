"""Sanic + aiopg: the study's Sanic row, served by Uvicorn as an ASGI app.

GET /test looks up one random row of `test` by primary key through PgBouncer and answers
{"a": "<a zero-padded to 10 digits>", "b": "<b>"} (48 bytes). The database access is
stacks/common/async_db.py (the stack puts stacks/common on PYTHONPATH).
"""

from async_db import body, fetch_row
from sanic import Sanic
from sanic.response import raw

app = Sanic("loadgate_study")
# No access log lines: a slow log skews results (Sanic logs requests unless told not to).
app.config.ACCESS_LOG = False


@app.get("/test")
async def test(request):
    a, b = await fetch_row()
    return raw(body(a, b), content_type="application/json")
