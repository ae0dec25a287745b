"""Flask + psycopg2: the app of the study's Flask rows (Gunicorn, Gunicorn + meinheld, Gunicorn +
gevent, uWSGI over http).

GET /test looks up one random row of `test` by primary key through PgBouncer and answers
{"a": "<a zero-padded to 10 digits>", "b": "<b>"} (48 bytes). The database access is
stacks/common/sync_db.py (the stack puts stacks/common on PYTHONPATH).
"""

import flask
from sync_db import body, fetch_row

app = flask.Flask(__name__)


@app.get("/test")
def test():
    a, b = fetch_row()
    return flask.Response(body(a, b), mimetype="application/json")
