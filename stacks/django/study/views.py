"""GET /test: one random row of `test` through the ORM, the study's 48-byte JSON answer.

loadgate's cost run sets LOADGATE_SEED so the rows looked up are the same on every run.
"""

import json
import os
import random

from django.http import HttpResponse

from study.models import Row

MAX_A = 999_999

if os.environ.get("LOADGATE_SEED"):
    random.seed(int(os.environ["LOADGATE_SEED"]))


def test(request):
    a, b = Row.objects.values_list("a", "b").get(a=random.randint(1, MAX_A))
    body = json.dumps({"a": str(a).zfill(10), "b": b}).encode()
    response = HttpResponse(body, content_type="application/json")
    # As the other rows' servers send it (without CommonMiddleware Django leaves it out, and
    # Gunicorn would answer chunked).
    response["Content-Length"] = str(len(body))
    return response
