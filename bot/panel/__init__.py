"""EHR panels: FHIR R4 resources read from Bulk Data files or the events API, and the due facts
(refill due, missed visit, program enrolment) that campaigns are anchored on."""
