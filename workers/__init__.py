"""RQ job functions and queue wiring: thin shells around the pure engine."""
