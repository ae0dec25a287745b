"""Falcon + psycopg2: the app of the study's Falcon rows (uWSGI over http, Gunicorn + meinheld).

GET /test looks up one random row of `test` by primary key through PgBouncer and answers
{"a": "<a zero-padded to 10 digits>", "b": "<b>"} (48 bytes). The database access is
stacks/common/sync_db.py (the stack puts stacks/common on PYTHONPATH).
"""

import falcon
from sync_db import body, fetch_row


class Row:
    def on_get(self, req, resp):
        a, b = fetch_row()
        resp.content_type = falcon.MEDIA_JSON
        resp.text = body(a, b)


app = falcon.App()
app.add_route("/test", Row())
