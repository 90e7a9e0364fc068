"""Fixtures for tests/channels, defined in channels_support (a uniquely named module, so that
test files can import its helpers without clashing with other conftest modules)."""

from channels_support import client, fake, receiver

__all__ = ["client", "fake", "receiver"]
