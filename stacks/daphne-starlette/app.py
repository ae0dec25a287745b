"""Starlette + aiopg for Daphne: the study's Daphne row.

Daphne does not run ASGI lifespan events, so this app creates its aiopg pool on the first
request (stacks/common/async_db.py) instead of at startup as the uvicorn-starlette stack does.
GET /test looks up one random row of `test` by primary key through PgBouncer and answers
{"a": "<a zero-padded to 10 digits>", "b": "<b>"} (48 bytes).
"""

from async_db import body, fetch_row
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route


async def test(request):
    a, b = await fetch_row()
    return Response(body(a, b), media_type="application/json")


app = Starlette(routes=[Route("/test", test, methods=["GET"])])
