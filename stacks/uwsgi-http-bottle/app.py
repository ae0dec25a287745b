"""Bottle + psycopg2: the app of the study's Bottle rows (uWSGI over http, uWSGI over 'uwsgi',
Gunicorn + meinheld).

GET /test looks up one random row of `test` by primary key through PgBouncer and answers
{"a": "<a zero-padded to 10 digits>", "b": "<b>"} (48 bytes). The database access is
stacks/common/sync_db.py (the stack puts stacks/common on PYTHONPATH).
"""

import bottle
from sync_db import body, fetch_row

app = bottle.Bottle()


@app.get("/test")
def test():
    a, b = fetch_row()
    bottle.response.content_type = "application/json"
    return body(a, b)
