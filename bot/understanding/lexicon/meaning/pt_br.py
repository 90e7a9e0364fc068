"""Brazilian Portuguese crisis and consent phrases by meaning (accents folded)."""

from bot.understanding.lexicon.meaning import HOURS, MANY, Meanings

_PILLS = "comprimidos|comprimido|remedio|remedios|pilulas|capsulas"

MEANINGS = Meanings(
    urgent={
        "wish_dead": (
            "queria|quero|gostaria .. nao acordar", "nao acordar mais", "melhor sem mim",
            "ficaria|ficariam|seria|seriam .. melhor sem mim", "nao quero .. viver", "quero|qero|kero morrer|sumir|desaparecer",
            "melhor eu? morrer", "peco|rezo .. nao acordar", "pra|para nao acordar mais|nunca", "quero|qero morer|moorer", "cansado|cansada de viver", "a vida nao tem sentido", "vida sem sentido",
        ),
        "suicidal_thoughts": ("me matar", "acabar com .. vida|tudo", "tirar .. vida", "suicid*",
                              "pensando|penso em .. morrer|acabar|me+matar"),
        "method": ("corda", "me enforc*", "enforcar", "pular|me+jogar|jogar .. ponte|predio|janela|viaduto",
                   "me jogar", "cortar os pulsos", "remedio .. pra|para morrer"),
        "intent_plan": ("plano .. me matar|morrer|suicid*", "hoje|hoje+a+noite .. me enforco|me mato|pular|vou+me+matar"),
        "goodbye": ("adeus .. obrigad*|a+todos|pra+sempre|para+sempre", "obrigad* por tudo .. adeus",
                    "escrevi .. cartas|carta", "cartas .. filhos|familia", "nao vou mais precisar .. remedio|receita",
                    "adeus"),
        "overdose_poisoning": (
            f"tomei|engoli|tomou .. {MANY} .. {_PILLS}", "tomei|engoli|tomou .. vidro|caixa|cartela .. inteiro|inteira|todo|toda",
            f"tomei|engoli todos os {_PILLS}",
            "bebeu|bebi|tomei|tomou .. veneno|agua+sanitaria|cloro|chumbinho|soda", "envenen*", "overdose",
        ),
        "breathing": ("nao consigo respirar", "nao .. respirando|respira", "labios .. roxos", "nao consegue respirar"),
        "chest_pain": ("dor .. peito .. braco", "suor frio"),
        "stroke": ("rosto|boca .. torto|entortou|caido", "nao consegue falar"),
        "bleeding": ("sangrando muito", "sangramento .. nao para", "nao para de sangrar", "muito sangue"),
        "fainting": ("desmaiou", "nao acorda", "inconsciente"),
        "violence": ("vai me matar", "me mata se", "me bateu|bate|espancou", "ameacou|ameaca .. matar"),
    },
    concern=("besteira", "muito cansad*", "nada faz sentido", "sem esperanca", "muito triste",
             "deprimid*", "depressao", "desistir", "quanto tempo .. aguentar", "tont*", "joga coisas",
             "bravo|brava"),
    not_urgent=("morri de rir", "celular morreu", "piada .. matou", "pes .. matando", "calor .. matando",
                "matando tempo", "me mataram no jogo", "planta morreu", "raio x", "morrendo de"),
    revoke=("me tirem|tira+meu+nome .. lista", "sair da lista", "apaguem|removam|apague .. meu numero",
            "nao me mandem|mande|enviem .. mais", "chega de mensagens", "nao quero .. receber|mensagens",
            "parem de .. enviar|mandar|escrever", "para de me mandar", "me deixem em paz",
            "nunca mais .. contato", "descadastr*", "cancelar inscricao"),
    wrong_number=("numero errado", "e engano", "nao sou ela|ele", "nao tem .. ninguem|nenhuma|maria",
                  "pessoa errada", "nao conheco .. paciente|pessoa|ninguem"),
    preference={
        "time": (f"antes|depois .. das? {HOURS}", "de manha|a noite|a tarde", "horario de trabalho",
                 "to|estou trabalhando", "manha .. melhor"),
        "channel": ("me liguem|ligue", "liguem", "em vez de mandar|mensagem", "mandem .. filho|filha|celular"),
        "content": ("lembretes .. so|continuem|mantem|nao+parem", "continuem os lembretes",
                    "nao parem os lembretes", "newsletter|pesquisa"),
    },
    call=("lig*",),
    contact=("mand*|envi*|mensag*|lig*|lembrete*|escrev*",),
    morning=("manha",), afternoon=("tarde",), evening=("noite",),
    after=("depois",), before=("antes",),
)
