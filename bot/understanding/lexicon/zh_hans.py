"""Chinese (Simplified script). Words are shared with zh_Hant: see _zh.py."""

from bot.understanding.lexicon import Lexicon, _zh

LEXICON = Lexicon(
    locale="zh_Hans",
    substring=True,
    safety_substring=True,
    yes=_zh.YES, no=_zh.NO, unsure=_zh.UNSURE, help=_zh.HELP, weekdays=_zh.WEEKDAYS,
    today=_zh.TODAY, tomorrow=_zh.TOMORROW, day_after_tomorrow=_zh.DAY_AFTER,
    next_week=_zh.NEXT_WEEK, stop_words=_zh.STOP_WORDS, stop_phrases=_zh.STOP_PHRASES,
    start_words=_zh.START_WORDS, help_words=_zh.HELP_WORDS, filler=("请", "請", "吧", "了", "谢谢", "謝謝"),
    language_names=("中文", "简体", "简体中文", "简体字", "简中", "普通话", "国语", "汉语", "华语",
                    "chinese", "mandarin", "zhongwen", "putonghua", "simplified chinese", "zh"),
    crisis=_zh.CRISIS, medical=_zh.MEDICAL, abuse=_zh.ABUSE, not_urgent=_zh.NOT_URGENT,
    negators=_zh.NEGATORS,
)
