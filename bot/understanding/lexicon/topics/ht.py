"""Haitian Creole topics (accents optional; French spellings patients use are included)."""

from bot.understanding.lexicon.topics import Topics

TOPICS = Topics(
    locale="ht",
    topics={
        "side_effects": ("efè segondè", "efe segonde", "efets secondaires", "tèt vire", "tèt mwen ap vire",
                         "tèt fè mal", "tèt fè m mal", "vomi", "anvi vomi", "kè plen", "kè tounen",
                         "gratel", "grate", "bouton", "santi m mal", "m santi m mal", "m pa santi m byen",
                         "fatige", "fèb", "dyare", "vant fè mal", "vant mwen fè mal", "anfle", "tous",
                         "sentòm", "reyaksyon", "fè m malad", "rann mwen malad"),
        "ran_out": ("fini", "grenn yo fini", "medikaman an fini", "pa gen medikaman ankò",
                    "pa gen grenn ankò", "m pa gen ankò", "pa rete", "tout fini", "epwize"),
        "cost": ("lajan", "chè", "twò chè", "pri", "peye", "kòb", "asirans", "pa gen kòb", "dola"),
        "transport": ("transpò", "machin", "woulib", "bis", "taksi", "twò lwen", "lwen", "kijan pou m ale",
                      "moun pou mennen m", "mennen m", "ale famasi"),
        "food": ("manje", "grangou", "pa gen manje", "pwovizyon"),
        "housing": ("kay", "lojman", "lwaye", "kote pou m rete|dòmi", "abri", "yo mete m deyò", "san kay"),
        "medicines": ("medikaman", "renmèd", "grenn", "famasi", "preskripsyon"),
        "talk": ("pale", "moun pou m pale", "poukont mwen", "pou kont mwen", "tris", "dekouraje",
                 "depresyon", "enkyè", "estrès"),
        "feel_better": ("pi byen", "m refè", "m geri", "m byen kounye a"),
        "other_doctor": ("lòt doktè", "lòt klinik", "lot dokte"),
        "call_me": ("rele", "telefòn", "telefon"),
        "doing_well": ("byen", "pa pi mal", "trè byen", "anfòm"),
        "feeling_awful": ("trè mal", "mal anpil", "terib", "pa bon ditou", "trè malad"),
        "feeling_bad": ("mal", "pa byen", "malad", "pa twò byen", "pa bon"),
        "something_else": ("lòt bagay", "lòt rezon", "lòt"),
    },
    hedges=("petèt", "petet", "m ap eseye", "map eseye", "si m kapab", "si dye vle", "depann",
            "m panse wi"),
    negations=("anyen", "pa bezwen anyen", "poko", "pa ankò", "m pa kapab", "m pa ka", "pita", "non mèsi"),
    yes_extra=("oui", "wi wi", "dako"),
    #: joiners let "1 and 2" read as two answers (asked back), not as a sentence
    frame=("ak", "oswa", "ou", "nimewo", "chwa", "chwazi", "m chwazi", "tanpri", "souple", "mèsi", "se", "opsyon"),
)
