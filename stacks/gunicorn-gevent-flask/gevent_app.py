"""The Flask app for Gunicorn's gevent worker, with psycopg2 made cooperative.

Gunicorn's gevent worker monkey-patches the standard library before it loads the app, but
psycopg2 talks to PostgreSQL through libpq in C, which gevent cannot patch: without this, every
query blocks the whole worker and its other greenlets. psycogreen installs a wait callback so
libpq waits through gevent instead. (The study's rig ran this row without it.)
"""

from psycogreen.gevent import patch_psycopg

patch_psycopg()

from app import app  # noqa: E402  (the gunicorn-flask stack's app; cwd is its folder)

__all__ = ["app"]
