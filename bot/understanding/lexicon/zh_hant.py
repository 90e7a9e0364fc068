"""Chinese (Traditional script; also Cantonese colloquial). Words shared with zh_Hans: _zh.py."""

from bot.understanding.lexicon import Lexicon, _zh

LEXICON = Lexicon(
    locale="zh_Hant",
    substring=True,
    safety_substring=True,
    yes=_zh.YES, no=_zh.NO, unsure=_zh.UNSURE, help=_zh.HELP, weekdays=_zh.WEEKDAYS,
    today=_zh.TODAY, tomorrow=_zh.TOMORROW, day_after_tomorrow=_zh.DAY_AFTER,
    next_week=_zh.NEXT_WEEK, stop_words=_zh.STOP_WORDS, stop_phrases=_zh.STOP_PHRASES,
    start_words=_zh.START_WORDS, help_words=_zh.HELP_WORDS, filler=("請", "请", "吧", "了", "謝謝", "谢谢", "唔該"),
    language_names=("繁體", "繁體中文", "繁体中文", "繁体", "正體中文", "繁中", "廣東話", "广东话", "粵語",
                    "粤语", "國語", "中文繁體", "cantonese", "traditional chinese", "zh tw"),
    crisis=_zh.CRISIS, medical=_zh.MEDICAL, abuse=_zh.ABUSE, not_urgent=_zh.NOT_URGENT,
    negators=_zh.NEGATORS,
)
