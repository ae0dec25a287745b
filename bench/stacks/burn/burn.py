"""WSGI middleware around the study's Flask app that injects a slowdown of known size.

For bench/gate-power:
- BURN_US: microseconds of CPU burnt in every request (a throughput slowdown); 0 adds nothing.
- BURN_LOOPS: iterations of a fixed Python loop in every request: a known number of extra
  instructions (for bench/cost-power), unlike BURN_US, which burns time. Every iteration costs the
  same (no int objects whose cost depends on their size or on the small-int cache), so the extra
  work grows linearly with BURN_LOOPS.
- BURN_TAIL_SHARE and BURN_TAIL_MS: that share of requests (e.g. 0.01) waits that many extra
  milliseconds (a slowdown of the tail, which moves P99 far more than throughput).
"""
import os
import random
import time
from itertools import repeat

from app import app as flask_app  # the gunicorn-flask stack's app (cwd is its folder)

BURN_US = int(os.environ.get("BURN_US", "0"))
BURN_LOOPS = int(os.environ.get("BURN_LOOPS", "0"))
TAIL_SHARE = float(os.environ.get("BURN_TAIL_SHARE", "0"))
TAIL_SECONDS = float(os.environ.get("BURN_TAIL_MS", "0")) / 1000


def app(environ, start_response):
    if BURN_LOOPS:
        x = 0.5
        for _ in repeat(None, BURN_LOOPS):
            x = x + 1.5
    if BURN_US:
        end = time.thread_time_ns() + BURN_US * 1000
        x = 0
        while time.thread_time_ns() < end:
            x += 1
    if TAIL_SHARE and random.random() < TAIL_SHARE:
        time.sleep(TAIL_SECONDS)
    return flask_app(environ, start_response)
