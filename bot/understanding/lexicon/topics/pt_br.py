"""Brazilian Portuguese topics."""

from bot.understanding.lexicon.topics import Topics

TOPICS = Topics(
    locale="pt_BR",
    topics={
        "side_effects": (
            "efeito* colatera*", "reacao", "tontura", "tont*", "enjoo", "enjoad*", "nausea*",
            "vomit*", "dor de cabeca|barriga|estomago", "coceira", "cocando", "manchas", "alergia",
            "mal estar", "mal+estar", "passando mal", "me sinto|sentindo mal|estranh*|pior|fraco|fraca",
            "cansad*", "cansaco", "diarreia", "inchad*", "inchaco", "sintoma*", "me faz|deixa .. mal|tonto|tonta|enjoad*",
        ),
        "ran_out": (
            "acab*", "fiquei sem", "estou|to sem .. remedio*|medicament*|comprimido*",
            "sem remedio*|medicament*|comprimido*", "nao tenho mais", "terminou", "terminaram",
            "nao sobrou", "nao tem mais", "ultimo comprimido",
        ),
        "cost": ("cust*", "dinheiro", "pagar", "caro", "cara", "preco*", "grana", "plano de saude",
                 "coparticipacao", "co participacao", "nao da pra pagar", "reais", "conta"),
        "transport": ("transporte", "carona", "carro", "onibus", "chegar", "longe", "uber", "taxi",
                      "conducao", "ir ate", "quem me leve", "me levar", "passagem"),
        "food": ("comida", "fome", "alimento*", "alimentacao", "cesta basica", "mercado", "comer"),
        "housing": ("moradia", "casa", "aluguel", "despejo", "sem teto", "onde morar|dormir|ficar",
                    "abrigo", "apartamento"),
        "medicines": ("remedio*", "medicament*", "farmacia", "receita*", "comprimido*"),
        "talk": ("conversar", "falar com alguem", "desabafar", "sozinh*", "solidao", "trist*",
                 "deprimid*", "ansiedade", "estress*"),
        "feel_better": ("melhor", "melhorei", "to bem", "estou bem", "sarei"),
        "other_doctor": ("outro|outra medico*|medica|doutor*|clinica",),
        "call_me": ("lig*", "telefone*", "telefonar"),
        "doing_well": ("bem", "muito bem", "tudo bem", "otimo", "ótima", "tranquilo"),
        "feeling_awful": ("pessimo", "pessima", "horrivel", "terrivel", "muito mal", "muito doente", "pessimamente"),
        "feeling_bad": ("mal", "nao muito bem", "nao estou bem", "doente"),
        "something_else": ("outra coisa", "outro motivo", "outro", "outra"),
    },
    hedges=("acho que sim", "talvez", "provavelmente", "espero que sim", "vou tentar",
            "se eu puder", "depende", "pode ser"),
    negations=("ainda nao", "nao posso", "hoje nao", "mais tarde", "acho que nao", "nn"),
    yes_extra=("ss", "sim sim"),
    #: joiners let "1 and 2" read as two answers (asked back), not as a sentence
    frame=("e", "ou", "opcao", "numero", "o", "a", "por", "favor", "pfv", "obrigado", "obrigada", "escolho",
           "quero", "e", "ok"),
)
