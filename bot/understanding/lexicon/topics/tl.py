"""Tagalog topics (Taglish is common: English is tried too)."""

from bot.understanding.lexicon.topics import Topics

TOPICS = Topics(
    locale="tl",
    topics={
        "side_effects": ("side effect*", "nahihilo", "hilo", "nahilo", "nasusuka", "suka", "nagsusuka",
                         "sakit ng ulo|tiyan", "masakit ang? ulo|tiyan", "pantal", "makati", "nangangati",
                         "masama ang pakiramdam", "sama ng pakiramdam", "nanghihina", "pagod", "antok",
                         "inaantok", "pagtatae", "namamaga", "ubo", "sintomas", "hindi hiyang"),
        "ran_out": ("naubos", "ubos", "ubos na", "wala nang|na gamot", "wala na akong gamot",
                    "naubusan", "tapos na ang gamot", "nawalan ng gamot", "isang tableta na lang"),
        "cost": ("pera", "mahal", "bayad", "magbayad", "presyo", "gastos", "walang pera", "insurance",
                 "kulang ang pera", "piso", "dolyar"),
        "transport": ("sasakyan", "sakay", "masasakyan", "pamasahe", "malayo", "kotse", "bus", "jeep",
                      "hatid", "maghahatid", "makapunta", "pumunta", "taxi", "grab"),
        "food": ("pagkain", "gutom", "makakain", "bigas", "grocery", "ulam"),
        "housing": ("bahay", "tirahan", "upa", "renta", "matutuluyan", "palaboy", "pinapaalis",
                    "walang matirhan"),
        "medicines": ("gamot", "botika", "reseta", "parmasya"),
        "talk": ("kausap", "makausap", "makipag usap", "malungkot", "nag iisa", "mag isa", "lungkot",
                 "nalulungkot", "depress*", "stress", "balisa"),
        "feel_better": ("mabuti na", "gumaling", "magaling na", "okay na ako", "ok na ako", "bumuti"),
        "other_doctor": ("ibang doktor|doctor|klinika|clinic",),
        "call_me": ("tawag*", "tumawag", "telepono"),
        "doing_well": ("mabuti", "ayos", "okay lang", "maayos", "mabuti naman"),
        "feeling_awful": ("napakasama", "sobrang sama", "grabe ang sama", "malala", "sobrang sakit"),
        "feeling_bad": ("masama", "hindi mabuti", "hindi maayos", "hindi okay", "may sakit", "matamlay"),
        "something_else": ("iba pa", "ibang dahilan", "iba"),
    },
    hedges=("siguro", "baka", "sana", "susubukan", "subukan ko", "depende", "ewan", "yata"),
    negations=("hindi pa", "di pa", "hindi ko kaya", "hindi kaya", "mamaya na", "ayaw"),
    #: joiners let "1 and 2" read as two answers (asked back), not as a sentence
    frame=("at", "o", "numero", "bilang", "pili", "pipiliin", "po", "ang", "yung", "salamat", "ko", "ako",
           "opsyon"),
)
