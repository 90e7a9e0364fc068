"""The second-opinion interface against a loopback stand-in: it can only raise a tier, and an
error, a bad answer or slowness counts as no opinion within the configured time."""

from __future__ import annotations

import time

import pytest
from second_opinion_standin import StandIn

from bot import settings as settings_mod
from bot.services import second_opinion
from bot.understanding.safety import classify_global


def test_off_by_default() -> None:
    assert second_opinion.from_settings(settings_mod.load({})) is None


def test_url_must_be_http() -> None:
    with pytest.raises(settings_mod.SettingsError):
        settings_mod.load({"SAFETY_SECOND_OPINION_URL": "ftp://example.org/x"})


def test_answers_and_raises_only() -> None:
    with StandIn() as standin:
        standin.answers = {"everything feels pointless and heavy": "urgent",
                           "I want to die": "none"}
        classifier = second_opinion.from_settings(settings_mod.load(
            {"SAFETY_SECOND_OPINION_URL": standin.url}))
        assert classifier is not None
        text = "everything feels pointless and heavy"
        lexicon = second_opinion.tier_of(classify_global(text, "en"))
        assert lexicon != "urgent"
        assert second_opinion.raised(lexicon, classifier.tier(text, "en")) == "urgent"
        assert standin.seen[-1] == {"text": text, "locale": "en"}
        # The word lists said urgent; a "none" never lowers it.
        urgent = second_opinion.tier_of(classify_global("I want to die", "en"))
        assert urgent == "urgent"
        assert second_opinion.raised(urgent, classifier.tier("I want to die", "en")) is None
        assert second_opinion.raised("concern", "concern") is None


def _closed_port_url() -> str:
    with StandIn() as standin:
        return standin.url  # nobody listens there once the stand-in has stopped


@pytest.mark.parametrize("trouble", ["fail", "garbage", "slow", "down"])
def test_trouble_is_no_opinion_within_the_time_limit(trouble: str) -> None:
    with StandIn() as standin:
        standin.answers = {"x": "urgent"}
        standin.fail = trouble == "fail"
        standin.garbage = trouble == "garbage"
        standin.delay = 2.0 if trouble == "slow" else 0.0
        url = _closed_port_url() if trouble == "down" else standin.url
        classifier = second_opinion.HttpClassifier(url, timeout_seconds=0.3)
        started = time.monotonic()
        assert classifier.tier("x", "en") is None
        assert time.monotonic() - started < 1.5
