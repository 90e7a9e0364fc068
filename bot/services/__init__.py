"""Transactions around the core: runtime, turns, effects, sending, delivery, calls."""
