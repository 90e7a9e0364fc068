"""Pure: conversation, effects, engine, global intents, rules. No I/O, no clock reads."""
