"""JSON API for the care team's own tools: list, show, claim, resolve and reply to tasks.

Authentication is by per-user bearer token only (`outreach users token EMAIL`), never by the
session cookie, so a page on another site cannot ride a signed-in browser: that is why this
blueprint alone is exempt from CSRF. Visibility follows the same team rules as the pages.

    curl -H "Authorization: Bearer $TOKEN" http://localhost:8000/api/tasks?status=open
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, g, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from bot.services import staff_replies
from bot.store import tasks_repo, timeline
from bot.store import users as users_store
from bot.store.models import FollowUpTask, Patient, utcnow
from bot.web import triage
from bot.web.auth import StaffUser, csrf, db_read, db_session

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api")

F = TypeVar("F", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    """Token-only authentication: no CSRF token is expected on API calls."""
    csrf.exempt(bp)


def error(status: int, message: str, **extra: Any) -> ResponseReturnValue:
    response = jsonify({"error": message, **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="care-outreach"'
    return response


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    return error(exc.code or 500, exc.description or exc.name)


def token_required(view: F) -> F:
    """Load the staff member from `Authorization: Bearer <token>` into `g.api_user`."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return error(401, "send an API token: Authorization: Bearer <token>")
        with db_read() as session:
            row = users_store.user_for_token(session, token.strip())
            user = StaffUser.from_row(row) if row is not None else None
        if user is None:
            return error(401, "unknown or revoked API token")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def task_json(task: FollowUpTask, patient: Patient | None = None) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    data: dict[str, Any] = {
        "id": task.id, "team": task.team, "priority": task.priority, "reason": task.reason,
        "category": task.category, "status": task.status, "assignee": task.assignee,
        "notes": task.notes, "sla_due_at": iso(task.sla_due_at),
        "overdue": task.status != "resolved" and task.sla_due_at < utcnow(),
        "created_at": iso(task.created_at), "claimed_at": iso(task.claimed_at),
        "first_contact_at": iso(task.first_contact_at), "resolved_at": iso(task.resolved_at),
        "resolution": task.resolution, "version": task.version,
        "patient_id": task.patient_id, "conversation_id": task.conversation_id,
        "understood": task.understood, "message_id": task.message_id,
    }
    if patient is not None:
        data["patient"] = {
            "id": patient.id, "first_name": patient.first_name, "last_name": patient.last_name,
            "phone": patient.phone, "language": patient.preferred_language or patient.locale,
            "consent": patient.consent_status, "timezone": patient.timezone,
        }
    return data


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


@bp.route("/tasks")
@token_required
def list_tasks() -> ResponseReturnValue:
    """The queue as JSON; same filters as the page (team, status, language, flow, assignee)."""
    f = triage.viewer_filter(request.args, g.api_user)
    now = utcnow()
    with db_read() as session:
        rows = tasks_repo.list_tasks(session, f, now)
        counts = tasks_repo.counts_by_status(session, f, now)
        tasks = [{**task_json(r.task), "patient_name": r.patient_name, "language": r.language,
                  "flow": r.flow} for r in rows]
    return jsonify({"tasks": tasks, "counts": counts})


@bp.route("/tasks/<int:task_id>")
@token_required
def show_task(task_id: int) -> ResponseReturnValue:
    with db_read() as session:
        task = triage.load_task(session, task_id, g.api_user)
        patient = session.get(Patient, task.patient_id) if task.patient_id else None
        data = task_json(task, patient)
        data["messages"] = [timeline.message_entry(m).to_dict()
                            for m in timeline.task_messages(session, task)]
    return jsonify(data)


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@token_required
def claim(task_id: int) -> ResponseReturnValue:
    user: StaffUser = g.api_user
    with db_session() as session:
        triage.load_task(session, task_id, user)
        result = tasks_repo.claim(session, task_id, user.email, utcnow())
        data = task_json(tasks_repo.get_task(session, task_id))
    if not result.won:
        return error(409, f"{result.holder or 'someone else'} has this task",
                     holder=result.holder, task=data)
    return jsonify(data)


@bp.route("/tasks/<int:task_id>/resolve", methods=["POST"])
@token_required
def resolve(task_id: int) -> ResponseReturnValue:
    user: StaffUser = g.api_user
    body = _body()
    resolution = str(body.get("resolution") or "")
    if resolution not in tasks_repo.RESOLUTIONS:
        return error(400, "resolution must be one of: " + ", ".join(tasks_repo.RESOLUTIONS))
    try:
        with db_session() as session:
            triage.load_task(session, task_id, user)
            version = body.get("version")
            tasks_repo.resolve(session, task_id, user.email, resolution, utcnow(),
                               note=str(body.get("note") or ""), override=user.sees_all_teams,
                               expected_version=version if isinstance(version, int) else None)
            data = task_json(tasks_repo.get_task(session, task_id))
    except tasks_repo.TaskConflict as exc:
        return error(409, str(exc), holder=exc.holder)
    except tasks_repo.TaskError as exc:
        return error(400, str(exc))
    return jsonify(data)


@bp.route("/tasks/<int:task_id>/reply", methods=["POST"])
@token_required
def reply(task_id: int) -> ResponseReturnValue:
    """Text the patient; 202 because the message is queued, its delivery reported later."""
    body = _body().get("body")
    if not isinstance(body, str) or not body.strip():
        return error(400, "send JSON with a non-empty 'body'")
    version = _body().get("version")
    try:
        queued = triage.send_reply(task_id, None, body, utcnow(), g.api_user,
                                   expected_version=version if isinstance(version, int) else None,
                                   take_over=_body().get("take_over") is True)
    except (staff_replies.ReplyRefused, tasks_repo.TaskConflict) as exc:
        return error(409, str(exc))
    except tasks_repo.TaskError as exc:
        return error(400, str(exc))
    response = jsonify({"message_id": queued.message_id, "segments": queued.segments,
                        "encoding": queued.encoding,
                        "status": "deferred" if queued.send_after else "pending",
                        "send_after": queued.send_after.isoformat() if queued.send_after
                        else None})
    response.status_code = 202
    return response


@bp.route("/patients/<int:patient_id>")
@token_required
def show_patient(patient_id: int) -> ResponseReturnValue:
    """The patient's timeline (messages, state changes, tasks, consent changes)."""
    user: StaffUser = g.api_user
    with db_read() as session:
        patient = triage.load_patient(session, patient_id, user)
        entries = [e.to_dict() for e in timeline.patient_timeline(
            session, patient_id, triage.viewer_teams(user))]
        data = {"id": patient.id, "first_name": patient.first_name,
                "last_name": patient.last_name, "phone": patient.phone,
                "language": patient.preferred_language or patient.locale,
                "consent": patient.consent_status, "timeline": entries}
    return jsonify(data)
