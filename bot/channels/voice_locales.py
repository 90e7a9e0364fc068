"""Which Twilio voice speaks, and which speech recogniser listens, for each of our locales.

Our catalogs are written-language codes (`zh_Hant`, `pt_BR`); Twilio's `<Say>` and `<Gather>`
want spoken-language tags, and they are not the same thing:

| locale  | `<Say language>` | `<Say voice>`             | `<Gather language>` | note                         |
|---------|------------------|---------------------------|---------------------|------------------------------|
| en      | en-US            | Polly.Joanna              | en-US               |                              |
| es      | es-US            | Polly.Lupe                | es-US               | US Spanish, not Castilian    |
| zh_Hans | cmn-CN           | Polly.Zhiyu               | cmn-Hans-CN         | Mandarin                     |
| zh_Hant | yue-HK           | Google.yue-HK-Standard-A  | yue-Hant-HK         | Cantonese, see below         |
| vi      | vi-VN            | Google.vi-VN-Standard-A   | vi-VN               |                              |
| ko      | ko-KR            | Polly.Seoyeon             | ko-KR               |                              |
| tl      | fil-PH           | Google.fil-PH-Standard-A  | fil-PH              | Twilio says fil-PH, not tl   |
| ru      | ru-RU            | Polly.Tatyana             | ru-RU               |                              |
| ar      | arb              | Polly.Zeina               | ar-EG               | MSA voice; Egyptian listener |
| pt_BR   | pt-BR            | Polly.Camila              | pt-BR               |                              |
| ht      | —                | —                         | —                   | no Twilio voice: interpreter |

**Traditional Chinese.** Script does not say which language someone speaks. Most US patients who
read Traditional characters came from Hong Kong or Guangdong and speak Cantonese, so `zh_Hant`
defaults to Cantonese; a patient whose recorded preference says Mandarin or Taiwan (`zh-TW`,
`cmn`, "Mandarin") gets Taiwanese Mandarin (`cmn-TW`, recogniser `cmn-Hant-TW`) instead. Both
read the same Traditional-script catalog: written Chinese is read aloud in either language.

**Arabic.** Polly's Zeina speaks Modern Standard Arabic, which patients of every dialect follow;
the recogniser needs a country dialect and Egyptian is the most widely understood. Keypad answers
work regardless, and the spoken menu always offers them.

**Haitian Creole.** Twilio lists no Kreyòl voice and no Kreyòl speech recognition. A French voice
is not Kreyòl, and a robot speaking a language the patient may not understand is worse than no
call, so `ht` has no profile: callers must use `interpreter_task()` (a human calls back with an
interpreter) and may reach the patient by SMS, which the `ht` catalog covers.

Voice and recogniser tags follow Twilio's text-to-speech voice list and `<Gather>` speech
recognition language table; re-check them when Twilio changes its lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.effects import CreateTask

#: Why a call is not placed for a locale Twilio cannot speak (the task's reason).
KREYOL_INTERPRETER_REASON = "Kreyol interpreter call-back"


@dataclass(frozen=True)
class VoiceProfile:
    """How to speak and listen in one spoken language on a Twilio call."""

    say_language: str
    voice: str
    gather_language: str
    #: Spoken-language name for staff and logs (not said to patients).
    spoken: str


@dataclass(frozen=True)
class Unsupported:
    """A locale Twilio cannot speak: what to do instead of a robot in the wrong language."""

    locale: str
    task_team: str
    task_priority: str
    task_reason: str
    #: Whether the same content may still go by SMS (our catalogs cover the locale in writing).
    sms_ok: bool = True


PROFILES: dict[str, VoiceProfile] = {
    "en": VoiceProfile("en-US", "Polly.Joanna", "en-US", "English"),
    "es": VoiceProfile("es-US", "Polly.Lupe", "es-US", "Spanish"),
    "zh_Hans": VoiceProfile("cmn-CN", "Polly.Zhiyu", "cmn-Hans-CN", "Mandarin"),
    "zh_Hant": VoiceProfile("yue-HK", "Google.yue-HK-Standard-A", "yue-Hant-HK", "Cantonese"),
    "vi": VoiceProfile("vi-VN", "Google.vi-VN-Standard-A", "vi-VN", "Vietnamese"),
    "ko": VoiceProfile("ko-KR", "Polly.Seoyeon", "ko-KR", "Korean"),
    "tl": VoiceProfile("fil-PH", "Google.fil-PH-Standard-A", "fil-PH", "Tagalog"),
    "ru": VoiceProfile("ru-RU", "Polly.Tatyana", "ru-RU", "Russian"),
    "ar": VoiceProfile("arb", "Polly.Zeina", "ar-EG", "Arabic"),
    "pt_BR": VoiceProfile("pt-BR", "Polly.Camila", "pt-BR", "Portuguese (Brazil)"),
}

#: Taiwanese Mandarin for Traditional-script readers who speak Mandarin.
MANDARIN_TRADITIONAL = VoiceProfile(
    "cmn-TW", "Google.cmn-TW-Standard-A", "cmn-Hant-TW", "Mandarin (Taiwan)"
)

UNSUPPORTED: dict[str, Unsupported] = {
    "ht": Unsupported("ht", "outreach", "routine", KREYOL_INTERPRETER_REASON),
}

#: Words in a recorded language preference that mean Mandarin rather than Cantonese.
_MANDARIN_HINTS = ("cmn", "mandarin", "zh-tw", "zh_tw", "taiwan", "國語", "国语", "普通话", "普通話")


def _canonical(locale: str) -> str:
    """`zh-Hant-TW`, `pt-br`, `es_MX` -> the catalog code this map is keyed by."""
    code = locale.replace("-", "_")
    lower = code.lower()
    if lower.startswith("zh"):
        traditional = any(tag in lower for tag in ("hant", "_tw", "_hk", "_mo"))
        return "zh_Hant" if traditional else "zh_Hans"
    if lower.startswith("pt"):
        return "pt_BR"
    if lower in ("fil", "fil_ph", "tl_ph"):
        return "tl"
    return lower.split("_")[0]


def voice_profile(locale: str, preference: str | None = None) -> VoiceProfile | None:
    """The voice for `locale`, or None when Twilio cannot speak it (see `unsupported`).

    `preference` is the patient's recorded language preference as written at intake; it only
    matters for Traditional Chinese, where it chooses Mandarin over the Cantonese default.
    """
    code = _canonical(locale)
    if code in UNSUPPORTED:
        return None
    if code == "zh_Hant" and preference:
        wanted = preference.casefold()
        if any(hint in wanted for hint in _MANDARIN_HINTS):
            return MANDARIN_TRADITIONAL
    # A locale we have no catalog for is rendered in English by bot.i18n, so speak English.
    return PROFILES.get(code, PROFILES["en"])


def unsupported(locale: str) -> Unsupported | None:
    """What to do instead of calling, for a locale with no Twilio voice; None if callable."""
    return UNSUPPORTED.get(_canonical(locale))


def can_call(locale: str) -> bool:
    """True when a call in `locale` would be spoken in the patient's own language."""
    return unsupported(locale) is None


def interpreter_task(locale: str, state: str | None = None) -> CreateTask | None:
    """The follow-up task that replaces a call in a language Twilio cannot speak.

    The host carries it out like any engine effect (same executor, same SLA rules).
    """
    gap = unsupported(locale)
    if gap is None:
        return None
    return CreateTask(
        team=gap.task_team, priority=gap.task_priority, reason=gap.task_reason, state=state,
        category="interpreter",
    )
