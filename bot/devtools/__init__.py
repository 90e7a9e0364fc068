"""Development only: the local Twilio stand-in, a private Redis, the `make run`/`make demo` stacks."""
