"""Staff triage pages: the task queue, a task with its conversation, a patient's timeline.

Every page is behind sign-in and limited to the viewer's teams (supervisors and admins see all);
a task or patient outside them answers 404, so the pages do not reveal what exists. Actions are
plain POST forms (CSRF-protected) that redirect back, so the pages work without JavaScript;
the queue also refreshes itself through a small JSON poll (`/tasks/poll`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from bot.defaults import TASK_PRIORITIES
from bot.i18n import negotiate
from bot.services import gloss, staff_replies
from bot.store import (
    patient_voice,
    registry,
    safety_marks,
    staff_names,
    task_history,
    tasks_repo,
    timeline,
)
from bot.store import readings as readings_store
from bot.store import repositories as repo
from bot.store import users as users_store
from bot.store.distinct import distinct_values
from bot.store.models import (
    INBOUND,
    Conversation,
    FollowUpTask,
    Message,
    Patient,
    utcnow,
)
from bot.web import answers, canned, display, languages, reading_trend, timefmt
from bot.web.auth import StaffUser, db_read, db_session
from bot.web.triage_forms import (
    ActionForm,
    AssignForm,
    NoteForm,
    ReplyForm,
    ResolveForm,
    SafetyMarkForm,
)

log = logging.getLogger(__name__)

bp = Blueprint("triage", __name__, template_folder="templates", static_folder="static",
               static_url_path="/staff-static")
timefmt.register(bp)
languages.register(bp)
display.register(bp)
answers.register(bp)

#: Seconds between the queue page's checks for new tasks (TRIAGE_POLL_SECONDS overrides).
DEFAULT_POLL_SECONDS = 10


def viewer_filter(args: Any, user: StaffUser | None = None) -> tasks_repo.TaskFilter:
    """The queue filter from query parameters, limited to what the viewer may see."""
    user = user or current_user
    teams = user.visible_teams
    team = args.get("team") or None
    status = args.get("status") or "active"
    assignee = (args.get("assignee") or "").strip() or None
    if assignee == "me":
        assignee = user.email
    priority = args.get("priority") or None
    return tasks_repo.TaskFilter(
        teams=teams,
        team=team if team in teams else None,
        status=status if status in tasks_repo.STATUS_FILTERS else "active",
        language=(args.get("language") or "").strip()[:16] or None,
        flow=(args.get("flow") or "").strip()[:64] or None,
        assignee=assignee[:255] if assignee else None,
        priority=priority if priority in TASK_PRIORITIES else None,
        overdue=args.get("due") == "overdue",
    )


def _choices(session: Session, f: tasks_repo.TaskFilter) -> dict[str, list[str]]:
    """The filter menus: the languages patients have, the flows conversations ran, the
    colleagues who can take the viewer's teams' tasks, plus whatever the current filter already
    chose (so a choice never falls off its menu).

    Languages and flows come by a loose index scan (bot.store.distinct), people from the staff
    table: a page load never reads the task history to build its menus.
    """
    teams = set(current_user.visible_teams)
    languages = distinct_values(session, Patient.locale)
    flows = distinct_values(session, Conversation.flow)
    assignees = [u.email for u in session.scalars(
        select(users_store.User).where(users_store.User.active.is_(True)))
        if teams & set(users_store.visible_teams(u.role, u.teams))]
    chosen_assignee = f.assignee if f.assignee != "unassigned" else None
    return {"flows": sorted({x for x in (*flows, f.flow) if x}),
            "languages": sorted({x for x in (*languages, f.language) if x}),
            "assignees": sorted({x for x in (*assignees, chosen_assignee) if x})}


def _queue_context(session: Session, f: tasks_repo.TaskFilter) -> dict[str, Any]:
    now = utcnow()
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    rows, more = tasks_repo.queue_page(session, f, now, page_number)
    return {
        "rows": rows,
        "page": page_number,
        "more": more,
        "names": staff_names.by_email(session, [r.task.assignee for r in rows]),
        "counts": tasks_repo.counts_by_status(session, f, now),
        "signature": tasks_repo.queue_signature(session, f),
        "max_id": max((r.task.id for r in rows), default=0),
        "filter": f,
        "now": now,
    }


@bp.route("/tasks")
@login_required
def queue() -> ResponseReturnValue:
    f = viewer_filter(request.args)
    with db_read() as session:
        ctx = _queue_context(session, f)
        if request.args.get("partial") == "1":
            return render_template("triage/_queue.html", **ctx)
        ctx["choices"] = _choices(session, f)
        ctx["names"].update(staff_names.by_email(session, ctx["choices"]["assignees"]))
    query = {k: v for k, v in request.args.items() if k != "partial" and v}
    return render_template(
        "triage/queue.html", query=urlencode(query),
        poll_seconds=int(current_app.config.get("TRIAGE_POLL_SECONDS") or DEFAULT_POLL_SECONDS),
        **ctx,
    )


@bp.route("/tasks/poll")
@login_required
def poll() -> ResponseReturnValue:
    """What changed since the page was drawn: a signature, counts and new urgent task ids."""
    f = viewer_filter(request.args)
    since = request.args.get("since", "0")
    with db_read() as session:
        payload = {
            "signature": tasks_repo.queue_signature(session, f),
            "counts": tasks_repo.counts_by_status(session, f, utcnow()),
            "new_urgent": tasks_repo.newest_urgent(session, f, int(since) if since.isdigit() else 0),
        }
    return jsonify(payload)


def load_task(session: Session, task_id: int, user: StaffUser | None = None) -> FollowUpTask:
    try:
        return tasks_repo.get_task(session, task_id, (user or current_user).visible_teams)
    except tasks_repo.TaskNotFound:
        abort(404)


@bp.route("/tasks/<int:task_id>")
@login_required
def task_detail(task_id: int) -> ResponseReturnValue:
    now = utcnow()
    with db_read() as session:
        task = load_task(session, task_id)
        patient = session.get(Patient, task.patient_id) if task.patient_id else None
        conversation = session.get(Conversation, task.conversation_id) \
            if task.conversation_id else None
        thread = [timeline.message_entry(m) for m in timeline.task_messages(session, task)]
        words = safety_marks.task_message(session, task)
        mark_form = SafetyMarkForm(message_id=str(words.id)) if words is not None else None
        reply = session.get(Message, task.message_id) if task.message_id else None
        readings = reading_trend.trend(readings_store.recent(session, patient.id)) \
            if patient is not None else None
        assign_form = AssignForm(version=str(task.version))
        assign_form.assignee.choices = [SelectChoice("", "Choose a colleague")] + [
            SelectChoice(u.email, f"{u.name or u.email} ({u.role.replace('_', ' ')})")
            for u in users_store.colleagues(session, task.team)
        ]
        siblings = [t for t in tasks_repo.tasks_for_patient(session, task.patient_id)
                    if t.id != task.id and t.status in tasks_repo.ACTIVE_STATUSES
                    and t.team in current_user.visible_teams] if task.patient_id else []
        names = staff_names.by_email(
            session, [task.assignee, *(t.assignee for t in siblings)])
        voice = patient_voice.holder(session, task.patient_id)
        history = task_history.task_history(session, task)
        upcoming = tasks_repo.next_task(session, viewer_filter({}), now, task.patient_id) \
            if task.status == "resolved" else None
    return render_template(
        "triage/task.html", task=task, patient=patient, conversation=conversation,
        thread=thread, reply=reply if reply is not None and reply.direction == INBOUND else None,
        now=now, claim_form=ActionForm(version=str(task.version)),
        release_form=ActionForm(), assign_form=assign_form, note_form=NoteForm(),
        resolve_form=ResolveForm(version=str(task.version)),
        reply_form=ReplyForm(version=str(task.version)),
        resolutions=tasks_repo.RESOLUTIONS, mark_form=mark_form, siblings=siblings,
        names=names, voice=voice, history=history, upcoming=upcoming,
        answers=answers.structured_answers(conversation.context if conversation else None),
        canned_menu=canned.menu(_patient_language(patient)),
        gloss=_gloss(reply.body if reply is not None and reply.direction == INBOUND else None,
                     _patient_language(patient)),
        readings=readings,
    )


def _gloss(text: str | None, patient_language: str | None) -> str | None:
    """A machine translation of the patient's words into the reader's language, when an
    operator configured a service and the two languages differ (bot.services.gloss)."""
    from bot.web.context import runtime

    glosser = gloss.from_settings(runtime().settings)
    if glosser is None or not text or not patient_language:
        return None
    source, target = negotiate(patient_language), negotiate(languages.staff_locale())
    if source.split("_")[0] == target.split("_")[0]:
        return None
    return glosser.gloss(text, source, target)


def _back(task_id: int) -> ResponseReturnValue:
    return redirect(url_for("triage.task_detail", task_id=task_id))


def _form_errors(form: Any) -> None:
    for field_name, errors in form.errors.items():
        label = getattr(getattr(form, field_name, None), "label", None)
        for error in errors:
            flash(f"{label.text if label else field_name}: {error}", "error")


def _act(task_id: int, done: str, change: Callable[[Session], object]) -> ResponseReturnValue:
    """Apply `change` to a task the user may see, in one transaction; say how it went."""
    try:
        with db_session() as session:
            load_task(session, task_id)
            change(session)
        flash(done, "info")
    except tasks_repo.TaskError as exc:
        flash(_sentence(str(exc)), "error")
    return _back(task_id)


@bp.route("/tasks/<int:task_id>/safety-mark", methods=["POST"])
@login_required
def safety_mark(task_id: int) -> ResponseReturnValue:
    """"A crisis the screen missed" / "not a crisis" on the patient's words of this task."""
    form = SafetyMarkForm()
    if not form.validate_on_submit() or not (form.message_id.data or "").isdigit():
        _form_errors(form)
        return _back(task_id)
    try:
        with db_session() as session:
            task = load_task(session, task_id)
            words = safety_marks.task_message(session, task)
            if words is None or words.id != int(form.message_id.data):
                abort(404)  # only the message this task is about
            safety_marks.mark(session, words.id, form.label.data, current_user.email, utcnow(),
                              task_id=task.id)
    except safety_marks.MarkRefused as exc:
        flash(str(exc), "error")
        return _back(task_id)
    flash("Thank you: the safety screen's tests will learn from this.", "info")
    return _back(task_id)


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: int) -> ResponseReturnValue:
    with db_session() as session:
        load_task(session, task_id)
        result = tasks_repo.claim(session, task_id, current_user.email, utcnow())
        holder = staff_names.by_email(session, [result.holder]).get(result.holder or "")
    if result.won:
        flash("You have this task now.", "info")
    else:
        flash(f"Someone else got there first: {holder or 'a colleague'} has this task.",
              "error")
    return _back(task_id)


@bp.route("/tasks/<int:task_id>/release", methods=["POST"])
@login_required
def release(task_id: int) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return _back(task_id)
    return _act(task_id, "The task is back in the queue.", lambda session: tasks_repo.release(
        session, task_id, current_user.email, utcnow(), override=current_user.sees_all_teams))


@bp.route("/tasks/<int:task_id>/assign", methods=["POST"])
@login_required
def assign(task_id: int) -> ResponseReturnValue:
    form = AssignForm()
    with db_session() as session:
        task = load_task(session, task_id)
        form.assignee.choices = [SelectChoice(u.email)
                                 for u in users_store.colleagues(session, task.team)]
    if not form.validate_on_submit() or not (form.version.data or "").isdigit():
        _form_errors(form)
        return _back(task_id)
    return _act(task_id, f"Assigned to {form.assignee.data}.", lambda session: tasks_repo.assign(
        session, task_id, form.assignee.data, current_user.email, int(form.version.data),
        utcnow()))


@bp.route("/tasks/<int:task_id>/note", methods=["POST"])
@login_required
def note(task_id: int) -> ResponseReturnValue:
    form = NoteForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(task_id)
    return _act(task_id, "Note saved.", lambda session: tasks_repo.add_note(
        session, task_id, current_user.email, form.note.data or "", utcnow(),
        contacted=bool(form.contacted.data), zone=timefmt.program_zone(),
        signed=current_user.display_name))


@bp.route("/tasks/<int:task_id>/resolve", methods=["POST"])
@login_required
def resolve(task_id: int) -> ResponseReturnValue:
    form = ResolveForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(task_id)
    version = form.version.data or ""
    return _act(task_id, "Task resolved.", lambda session: tasks_repo.resolve(
        session, task_id, current_user.email, form.resolution.data, utcnow(),
        note=form.closing_note.data or "", override=current_user.sees_all_teams,
        expected_version=int(version) if version.isdigit() else None,
        zone=timefmt.program_zone(), signed=current_user.display_name))


def send_reply(task_id: int | None, patient_id: int | None, body: str, now: datetime,
               user: StaffUser | None = None, expected_version: int | None = None,
               take_over: bool = False, template: str | None = None) -> staff_replies.QueuedReply:
    """Store the reply and hand it to the sending queue (after the row is committed).

    `expected_version` is the task version the sender's page showed, `take_over` their
    explicit choice to answer a patient a colleague holds (see bot.store.patient_voice)."""
    user = user or current_user
    from bot.services import policy, queues
    from bot.web.context import runtime

    with db_session() as session:
        task = load_task(session, task_id, user) if task_id is not None else None
        patient = session.get(Patient, patient_id) if patient_id is not None else None
        if task is None and patient is not None:
            task = tasks_repo.open_task_for_patient(session, patient.id)
            if task is not None and task.team not in user.visible_teams:
                task = None
        if patient is None and task is not None and task.patient_id is not None:
            patient = session.get(Patient, task.patient_id)
        conversation = session.get(Conversation, task.conversation_id) \
            if task is not None and task.conversation_id else None
        settings, flows = runtime().settings, runtime().flows
        send_after = policy.staff_reply_after(session, settings, policy.conversation_flow(
            flows, conversation), patient, now)
        queued = staff_replies.queue_staff_reply(
            session, body=body, by=user.email, now=now, task=task, patient=patient,
            send_after=send_after, expected_version=expected_version, take_over=take_over,
            template=template)
    queues.enqueue_send(runtime().redis, queued.message_id, at=queued.send_after)
    log.info("staff reply queued message_id=%s user_id=%s", queued.message_id, user.id)
    return queued


def _reply_flash(queued: staff_replies.QueuedReply) -> None:
    parts = f"{queued.segments} SMS segment{'s' if queued.segments != 1 else ''}"
    if queued.send_after is not None:
        flash(f"It is quiet hours for the patient: your reply ({parts}) will go at "
              f"{timefmt.localtime(queued.send_after)}.", "info")
    else:
        flash(f"Reply queued for sending ({parts}).", "info")


@bp.route("/tasks/<int:task_id>/reply", methods=["POST"])
@login_required
def reply(task_id: int) -> ResponseReturnValue:
    form = ReplyForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(task_id)
    version = form.version.data or ""
    with db_read() as session:
        task = load_task(session, task_id)
        patient = session.get(Patient, task.patient_id) if task.patient_id else None
    body, template = _reply_text(form, patient)
    if body is None:
        return _back(task_id)
    try:
        _reply_flash(send_reply(task_id, None, body, utcnow(),
                                expected_version=int(version) if version.isdigit() else None,
                                take_over=bool(form.take_over.data), template=template))
    except tasks_repo.TaskError as exc:
        flash(_sentence(str(exc)), "error")
    return _back(task_id)


def _reply_text(form: ReplyForm, patient: Patient | None) -> tuple[str | None, str | None]:
    """The text to send and the template it came from: the staff member's own words when
    written, else the chosen approved reply in the patient's language; None if neither."""
    written = (form.body.data or "").strip()
    if written:
        return written, None
    key = form.canned.data or ""
    text = canned.menu(_patient_language(patient)).text_for(key) if key else None
    if text is None:
        flash("Write a reply or choose an approved reply.", "error")
        return None, None
    return text, key


def _patient_language(patient: Patient | None) -> str | None:
    return (patient.preferred_language or patient.locale) if patient is not None else None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def viewer_teams(user: StaffUser) -> tuple[str, ...] | None:
    """The teams whose records `user` may see on a timeline (None: all of them)."""
    return None if user.sees_all_teams else user.visible_teams


def load_patient(session: Session, patient_id: int, user: StaffUser | None = None) -> Patient:
    """The patient, if the viewer may see them: supervisors all, others while one of their
    teams has open work for the patient (a task resolved long ago grants nothing)."""
    user = user or current_user
    patient = session.get(Patient, patient_id)
    if patient is None:
        abort(404)
    if not user.sees_all_teams:
        visible = session.scalar(select(FollowUpTask.id).where(
            FollowUpTask.patient_id == patient_id,
            FollowUpTask.status.in_(tasks_repo.ACTIVE_STATUSES),
            FollowUpTask.team.in_(user.visible_teams)).limit(1))
        if visible is None:
            abort(404)
    return patient


@bp.route("/patients/<int:patient_id>")
@login_required
def patient_detail(patient_id: int) -> ResponseReturnValue:
    with db_read() as session:
        patient = load_patient(session, patient_id)
        entries = timeline.patient_timeline(session, patient_id, viewer_teams(current_user))
        tasks = [t for t in tasks_repo.tasks_for_patient(session, patient_id)
                 if t.team in current_user.visible_teams]
        voice = patient_voice.holder(session, patient_id)
        names = staff_names.by_email(session, [t.assignee for t in tasks])
        target = tasks_repo.open_task_for_patient(session, patient_id)
        if target is not None and target.team not in current_user.visible_teams:
            target = None
        reply_form = ReplyForm(task_ref=str(target.id) if target else "",
                               version=str(target.version) if target else "")
    return render_template("triage/patient.html", patient=patient, entries=entries, tasks=tasks,
                           reply_form=reply_form, now=utcnow(), voice=voice, names=names,
                           canned_menu=canned.menu(_patient_language(patient)))


def registry_filter(args: Any, user: StaffUser | None = None) -> registry.RegistryFilter:
    """The registry's filter from query parameters, limited to what the viewer may see."""
    user = user or current_user
    team = args.get("team") or None
    consent = args.get("consent") or None
    return registry.RegistryFilter(
        teams=None if user.sees_all_teams else user.visible_teams,
        query=(args.get("q") or "").strip()[:100],
        campaign=(args.get("campaign") or "").strip()[:64] or None,
        team=team if team in user.visible_teams else None,
        consent=consent if consent in display.CONSENT_WORDS else None,
    )


@bp.route("/patients")
@login_required
def patients() -> ResponseReturnValue:
    """Search and list patients; a search names people, so its results are an audited read."""
    f = registry_filter(request.args)
    with db_read() as session:
        rows = registry.search(session, f)
        campaign_names = registry.campaigns(session)
    if f.query:
        record_search([r.patient.id for r in rows])
    return render_template("triage/patients.html", rows=rows, filter=f,
                           campaigns=campaign_names, consents=display.CONSENT_WORDS,
                           limit=registry.REGISTRY_LIMIT)


def record_search(patient_ids: list[int]) -> None:
    """Audit a registry search: who searched and which patients they were shown (ids only;
    the query may be a phone number or a name, so it is not kept)."""
    with db_session() as session:
        repo.audit(session, "staff_searched", "patient search", utcnow(),
                   detail={"user_id": current_user.id, "by": current_user.email,
                           "patient_ids": patient_ids[:registry.REGISTRY_LIMIT]})


@bp.route("/patients/<int:patient_id>/reply", methods=["POST"])
@login_required
def patient_reply(patient_id: int) -> ResponseReturnValue:
    form = ReplyForm()
    back = redirect(url_for("triage.patient_detail", patient_id=patient_id))
    with db_session() as session:
        load_patient(session, patient_id)
    if not form.validate_on_submit():
        _form_errors(form)
        return back
    with db_read() as session:
        patient = load_patient(session, patient_id)
    body, template = _reply_text(form, patient)
    if body is None:
        return back
    ref, version = form.task_ref.data or "", form.version.data or ""
    try:
        _reply_flash(send_reply(int(ref) if ref.isdigit() else None, patient_id, body, utcnow(),
                                expected_version=int(version) if version.isdigit() else None,
                                take_over=bool(form.take_over.data), template=template))
    except tasks_repo.TaskError as exc:
        flash(_sentence(str(exc)), "error")
    return back
