"""Settings of the benchmark site: one app (study), no middleware, the database from DATABASE_URL.

loadgate gives the app PgBouncer's URL ({database_url}) and `manage.py migrate` (database.setup)
PostgreSQL's own. Django keeps one connection per worker open (CONN_MAX_AGE None) in autocommit
mode: one query, one transaction, which PgBouncer's transaction pooling is made for. Server-side
cursors need a session, so they are off.
"""

import os
from urllib.parse import unquote, urlsplit

_url = urlsplit(os.environ["DATABASE_URL"])

SECRET_KEY = "loadgate-benchmark-site-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]  # loopback only, behind nginx
INSTALLED_APPS = ["study"]
MIDDLEWARE = []
ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"
USE_TZ = False
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/"),
        "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname,
        "PORT": _url.port,
        "CONN_MAX_AGE": None,
        "DISABLE_SERVER_SIDE_CURSORS": True,
    }
}
