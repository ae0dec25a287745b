"""WSGI middleware around the study's Flask app that burns BURN_US microseconds of CPU per request.

For bench/gate-power: an injected slowdown of known size. BURN_US=0 (the default) adds nothing.
"""
import os
import time

from app import app as flask_app  # the gunicorn-flask stack's app (cwd is its folder)

BURN_US = int(os.environ.get("BURN_US", "0"))


def app(environ, start_response):
    if BURN_US:
        end = time.thread_time_ns() + BURN_US * 1000
        x = 0
        while time.thread_time_ns() < end:
            x += 1
    return flask_app(environ, start_response)
