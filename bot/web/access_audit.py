"""Who looked at which patient, and when: an audit row for every staff read of patient data.

HIPAA's audit-control standard asks for a record of access to health information, not only of
changes. Reads are recorded after a successful response (a 403 or 404 saw nothing), by endpoint,
for both the pages (session sign-in) and the JSON API (bearer token); the row holds ids only.
Queue and list reads are not recorded: they name no one patient, and they stay pure reads (on
SQLite a write would make them wait behind every writer).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request
from flask_login import current_user
from sqlalchemy import select

from bot.store import repositories as repo
from bot.store.models import FollowUpTask, utcnow
from bot.web.auth import db_session

#: Endpoints that show one patient's data, and what the row calls the thing read.
PATIENT_READS = {
    "triage.patient_detail": "patient page",
    "triage.task_detail": "task page",
    "api.show_patient": "patient (API)",
    "api.show_task": "task (API)",
}


def _viewer_id() -> int | None:
    api_user = g.get("api_user")
    if api_user is not None:
        return int(api_user.id)
    if current_user and current_user.is_authenticated:
        return int(current_user.id)
    return None


def _record(response: Any) -> Any:
    endpoint = request.endpoint or ""
    what = PATIENT_READS.get(endpoint)
    if what is None or request.method != "GET" or response.status_code != 200:
        return response
    viewer = _viewer_id()
    if viewer is None:
        return response
    args = request.view_args or {}
    with db_session() as session:
        patient_id = args.get("patient_id")
        if "task_id" in args:
            patient_id = session.scalar(select(FollowUpTask.patient_id)
                                        .where(FollowUpTask.id == args["task_id"]))
        detail = {"user_id": viewer, "endpoint": endpoint, **args}
        repo.audit(session, "staff_viewed", what, utcnow(), patient_id=patient_id, detail=detail)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_record)
