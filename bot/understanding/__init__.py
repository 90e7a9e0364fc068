"""What a patient's words mean: reply intents, the safety screen, per-locale lexicons."""
