"""aiohttp + aiopg: the study's AIOHTTP row, served by Gunicorn's aiohttp worker.

GET /test looks up one random row of `test` by primary key through PgBouncer and answers
{"a": "<a zero-padded to 10 digits>", "b": "<b>"} (48 bytes). The database access is
stacks/common/async_db.py (the stack puts stacks/common on PYTHONPATH).
"""

from aiohttp import web
from async_db import body, fetch_row


async def test(request):
    a, b = await fetch_row()
    return web.Response(text=body(a, b), content_type="application/json")


app = web.Application()
app.add_routes([web.get("/test", test)])
