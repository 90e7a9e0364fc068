"""The bare baseline for the webhook benchmark: a Flask route that enqueues a no-op RQ job.

It does what any webhook must at the least (parse the form, enqueue, answer TwiML) and nothing
care-outreach adds (signature check, database, dedupe), so the ratio shows what those cost.
"""

from __future__ import annotations

import os

from flask import Flask, Response, request
from redis import Redis
from rq import Queue

from bench.noop import noop

app = Flask(__name__)
queue = Queue("bench-bare", connection=Redis.from_url(os.environ["REDIS_URL"]))


@app.post("/twilio/sms")
def sms() -> Response:
    queue.enqueue(noop, request.form.get("MessageSid", ""))
    return Response('<?xml version="1.0" encoding="UTF-8"?><Response />', mimetype="text/xml")
