"""`POST /api/events`: FHIR resources from the EHR that change what patients need.

Body: one FHIR R4 resource or a Bundle of them (`application/fhir+json` or JSON). A completed
MedicationDispense, an Appointment now fulfilled or booked, an EpisodeOfCare finished: each is
stored like a `panel import` line, the patient's due facts are re-derived, pending reminders for
a met need are cancelled and an active conversation about it ends as `resolved_elsewhere`.
Only integration accounts (`outreach users add EMAIL --role integration`, then
`outreach users token EMAIL`) may post.

    curl -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/fhir+json" \\
         --data @dispense.json http://localhost:8000/api/events
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, g, jsonify, request
from flask.typing import ResponseReturnValue

from bot.web.api import error, token_required
from bot.web.auth import csrf

log = logging.getLogger(__name__)
bp = Blueprint("events", __name__, url_prefix="/api")

INTEGRATION_ROLE = "integration"
#: Largest body accepted in one request (bytes); bigger batches go through `panel import`.
MAX_EVENT_BYTES = 5 * 1024 * 1024


def init_app(app: Flask) -> None:
    csrf.exempt(bp)


def _resources(body: Any) -> list[tuple[str, Any]]:
    """(label, resource) pairs: the resource itself, or each entry of a Bundle."""
    if isinstance(body, dict) and body.get("resourceType") == "Bundle":
        return [(f"entry[{i}]", (e or {}).get("resource") if isinstance(e, dict) else e)
                for i, e in enumerate(body.get("entry") or [])]
    return [("resource", body)]


@bp.route("/events", methods=["POST"])
@token_required
def post_events() -> ResponseReturnValue:
    from bot.campaigns import service
    from bot.panel.fhir_parse import ResourceError, parse_resource
    from bot.services import queues
    from bot.store.models import utcnow
    from bot.web.context import runtime

    if g.api_user.role != INTEGRATION_ROLE:
        return error(403, "only integration accounts may post EHR events")
    if (request.content_length or 0) > MAX_EVENT_BYTES:
        return error(413, f"send at most {MAX_EVENT_BYTES} bytes; use panel import for more")
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        return error(400, "send a FHIR resource or Bundle as JSON")
    records, problems, ignored = [], [], 0
    for label, resource in _resources(body):
        try:
            record = parse_resource(resource)
        except ResourceError as exc:
            problems.append(f"{label}: {exc}")
            continue
        if record is None:
            ignored += 1
        else:
            records.append(record)
    if problems and not records:
        return error(422, "no usable resource", problems=problems)
    rt = runtime()

    def enqueue(patient_ids: list[int]) -> None:
        queues.enqueue_process_patients(rt.redis, patient_ids)

    report, resolver = service.apply_resources(rt.db, rt.settings, rt.flows, records, utcnow(),
                                               enqueue)
    log.info("events: %d resource(s), %d fact(s) changed, %d fire(s) cancelled, "
             "%d conversation(s) resolved", len(records), report.facts_changed,
             resolver.cancelled, resolver.resolved)
    return jsonify({"accepted": len(records), "ignored": ignored, "problems": problems,
                    "facts_changed": report.facts_changed,
                    "reminders_cancelled": resolver.cancelled,
                    "conversations_resolved": resolver.resolved})
