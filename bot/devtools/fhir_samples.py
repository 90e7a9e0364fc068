"""Hand-built FHIR R4 resources for tests and the demo (Synthea's Bulk output has no
Appointment and no MedicationDispense, so panels need made-up ones).

Every builder takes the dates it needs, so a test can place a refill due date exactly where it
wants relative to its fixed clock. `write_export` lays resources out as a Bulk Data export:
one `<ResourceType>.ndjson` file per type.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any


def patient(pid: str, first: str, last: str, *, mobile: str | None = None,
            landline: str | None = None, language: str | None = None, state: str = "MA",
            mrn: str | None = None) -> dict[str, Any]:
    telecom = []
    if mobile:
        telecom.append({"system": "phone", "use": "mobile", "value": mobile, "rank": 1})
    if landline:
        telecom.append({"system": "phone", "use": "home", "value": landline, "rank": 2})
    res: dict[str, Any] = {
        "resourceType": "Patient", "id": pid, "active": True,
        "identifier": [{"system": "urn:mrn", "value": mrn or f"MRN-{pid}"}],
        "name": [{"given": [first], "family": last}], "telecom": telecom,
        "address": [{"state": state}],
    }
    if language:
        res["communication"] = [{"language": {"coding": [{"code": language}]},
                                 "preferred": True}]
    return res


def med_request(rid: str, pid: str, *, authored: date, repeats: int | None = 3,
                supply_days: int | None = 30, valid_until: date | None = None,
                status: str = "active", drug: str = "Metformin 500 mg") -> dict[str, Any]:
    dispense: dict[str, Any] = {}
    if repeats is not None:
        dispense["numberOfRepeatsAllowed"] = repeats
    if supply_days is not None:
        dispense["expectedSupplyDuration"] = {"value": supply_days, "unit": "days",
                                              "system": "http://unitsofmeasure.org", "code": "d"}
    if valid_until is not None:
        dispense["validityPeriod"] = {"start": authored.isoformat(), "end": valid_until.isoformat()}
    return {"resourceType": "MedicationRequest", "id": rid, "status": status, "intent": "order",
            "subject": {"reference": f"Patient/{pid}"}, "authoredOn": authored.isoformat(),
            "medicationCodeableConcept": {"text": drug}, "dispenseRequest": dispense}


def dispense(did: str, pid: str, rid: str, *, handed_over: date, days: int = 30,
             status: str = "completed") -> dict[str, Any]:
    return {"resourceType": "MedicationDispense", "id": did, "status": status,
            "subject": {"reference": f"Patient/{pid}"},
            "authorizingPrescription": [{"reference": f"MedicationRequest/{rid}"}],
            "medicationCodeableConcept": {"text": "Metformin 500 mg"},
            "whenHandedOver": f"{handed_over.isoformat()}T15:00:00Z",
            "daysSupply": {"value": days, "unit": "d", "system": "http://unitsofmeasure.org",
                           "code": "d"}}


def appointment(aid: str, pid: str, *, start: datetime, status: str) -> dict[str, Any]:
    return {"resourceType": "Appointment", "id": aid, "status": status,
            "start": start.isoformat(), "end": start.isoformat(),
            "description": "Primary care visit",
            "participant": [{"actor": {"reference": f"Patient/{pid}"}, "status": "accepted"}]}


def episode(eid: str, pid: str, *, start: date, status: str = "active",
            end: date | None = None) -> dict[str, Any]:
    period = {"start": start.isoformat()}
    if end:
        period["end"] = end.isoformat()
    return {"resourceType": "EpisodeOfCare", "id": eid, "status": status,
            "patient": {"reference": f"Patient/{pid}"}, "period": period,
            "type": [{"text": "Diabetes care management"}],
            "careManager": {"display": "Nurse Kim"}}


def write_export(directory: Path, resources: Iterable[dict[str, Any]],
                 gzipped: bool = False) -> list[Path]:
    """One ndjson file per resource type under `directory` (created)."""
    directory.mkdir(parents=True, exist_ok=True)
    by_type: dict[str, list[str]] = {}
    for res in resources:
        by_type.setdefault(res["resourceType"], []).append(json.dumps(res))
    paths = []
    for rtype, lines in by_type.items():
        text = "\n".join(lines) + "\n"
        if gzipped:
            path = directory / f"{rtype}.ndjson.gz"
            with gzip.open(path, "wt", encoding="utf-8") as handle:
                handle.write(text)
        else:
            path = directory / f"{rtype}.ndjson"
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
