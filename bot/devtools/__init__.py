"""Development only: the local Twilio and FHIR stand-ins, sample data, a private Redis, the
`make run`/`make demo` stacks."""
