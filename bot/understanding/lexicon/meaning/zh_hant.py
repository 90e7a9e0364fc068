"""Traditional Chinese: the shared Chinese phrases (both scripts)."""

from bot.understanding.lexicon.meaning._zh import MEANINGS

__all__ = ["MEANINGS"]
