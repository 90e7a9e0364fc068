"""Spanish crisis and consent phrases by meaning (syntax: bot/lexicon/patterns.py)."""

from bot.understanding.lexicon.meaning import HOURS, MANY, Meanings

_PILLS = "pastillas|pildoras|tabletas|medicinas|medicamentos|capsulas|pastilla"

MEANINGS = Meanings(
    urgent={
        "wish_dead": (
            "ojala|quisiera|quiero|deseo .. no despertar|despertara|despertarme|amanecer",
            "dormir y no despertar", "mejor|mejores .. sin mi", "estarian|estaria|estaran|seria mejor sin mi",
            "quiero|kiero|qiero|quisiera|deseo desaparecer|morirme|morir|dejar+de+existir|estar+muerto|estar+muerta",
            "kiero|qiero|quiero morir*", "cansado|cansada|harto|harta de vivir|la+vida",
            "no tiene sentido vivir|seguir|la+vida", "la vida no tiene sentido",
            "sin razon|razones para vivir|seguir", "no quiero seguir viviendo",
            "prefiero morir|estar+muerto|estar+muerta", "rezo|pido|ruego|ojala .. no despertar|amanecer",
            "no despertar|amanecer mas|nunca", "mejor me muero",
        ),
        "suicidal_thoughts": (
            "matarme", "suicid*", "quitarme la vida", "kiero|qiero matarme",
            "pienso|pensando|pense|pensar|pensamientos en .. matarme|morir|suicidarme|quitarme|acabar",
            "me quiero|voy+a matar", "hacerme dano", "acabar con todo|mi+vida",
        ),
        "method": (
            "pistola|arma|escopeta|revolver .. contra mi|usarla|matarme|cabeza",
            "tirar|aventar|lanzar|tirarme|aventarme|lanzarme .. del|de+un|desde|al .. puente|edificio|techo|azotea|balcon|ventana|tren",
            "me voy a tirar|aventar|lanzar", "ahorcar*", "compre|tengo|consegui .. soga|cuerda|pistola|arma", "colgarme", "soga|cuerda .. cuello|colgar*|ahorcar*",
            "cortar|cortarme|cortare .. venas|munecas", f"{_PILLS} .. matarme|morir|acabar",
        ),
        "intent_plan": (
            "plan|planeado|planee|planeando .. matarme|morir|suicid*|ahorcarme|acabar",
            "esta noche|hoy|manana .. me mato|me+voy+a+matar|me+tiro|me+ahorco|acabo+con+todo",
        ),
        "goodbye": (
            "adios .. gracias por todo", "gracias por todo .. adios", "esto es un adios|una+despedida",
            "adios para siempre|a+todos", "me despido de todos|ustedes",
            "escribi|deje|escribiendo .. cartas|carta|notas|nota .. para|a .. hijos|familia|esposo|esposa|todos",
            "regale|regalando .. mis cosas|perro|gato",
            "ya no voy a necesitar|no+necesitare .. receta|medicina|pastillas|recordatorios",
            "cuiden a mis hijos",
        ),
        "overdose_poisoning": (
            f"tome|tomo|trague|tragué|me+tome|me+trague|se+tomo {MANY} .. {_PILLS}",
            f"tome|tomo|trague|me+tome|me+trague|se+tomo .. todo|toda|todas .. frasco|bote|caja|{_PILLS}|medicina",
            "tome|tomo|bebi|bebio|me+tome|trague|se+tomo .. veneno|cloro|blanqueador|insecticida|raticida|pesticida|anticongelante|lejia|clorox",
            "sobredosis", "envenen*",
        ),
        "breathing": ("no puedo|puede respirar", "labios .. morados|azules", "se esta ahogando",
                      "no respira", "me ahogo"),
        "chest_pain": ("pecho .. brazo|mandibula|sudor|sudando", "duele mucho el pecho",
                       "dolor .. pecho"),
        "stroke": ("torcio|torcida|caida|chueca .. cara|boca", "cara|boca .. torcida|caida|chueca",
                   "no puede hablar bien"),
        "bleeding": (
            "sangrando|sangro|sangra .. mucho|muchisimo|sin+parar|no+para", "sangrado .. no para|no+se+detiene|mucho",
            "no para de sangrar", "mucha sangre", "perdiendo .. sangre",
        ),
        "fainting": ("se desmayo", "me desmaye", "no despierta|reacciona|responde", "inconsciente",
                     "se desplomo", "perdio el conocimiento"),
        "violence": (
            "me va|van a matar", "amenazo|amenaza|amenazan con matarme|matar",
            "dice|dijo que me va+a matar|mata", "me pego|golpeo|ahorco|estrangulo|pateo|pega|golpea",
        ),
    },
    concern=(
        "no voy a hacer nada malo|tonto|estupido|loco", "cansado|cansada de todo",
        "no le veo sentido", "sin esperanza", "deprimid*", "depresion", "rendirme",
        "no se cuanto .. aguantar|mas", "no aguanto mas", "no es que .. morir|matarme|suicid*",
        "se enoja|enojado|enojada .. avienta|tira|rompe|grita", "me grita", "miedo de|a mi? esposo|pareja|el",
        "mareo|mareada|mareado|mareos", "no puedo mas",
    ),
    not_urgent=(
        "me mato|mata la? curiosidad|risa", "me mato de risa", "video|chiste|eso .. me mato",
        "trafico .. matando", "matar|matamos|matando el tiempo", "se me murio|murio el? .. celular|telefono|planta",
        "murio mi planta", "radiografia", "me muero por saber|ver", "me muero de ganas",
        "pies .. matando", "me mata el calor", "ya paro el sangrado",
    ),
    revoke=(
        "ya no me escriban|escribas|manden|envien|contacten|llamen",
        "no me vuelvan a escribir|mandar|llamar|contactar", "borren|borra|eliminen|quiten|saquen .. mi numero",
        "saquenme|sacame|quitenme|borrenme .. lista", "desuscrib*", "darme de baja", "quiero darme de baja",
        "no me manden|envien nada mas", "dejen de mandarme|escribirme|enviarme", "dejenme en paz",
        "no mas mensajes", "ya no quiero .. mensajes|recibir", "paren de escribirme|mandarme",
        "baja por favor",
    ),
    wrong_number=(
        "numero equivocado|incorrecto", "se equivoco|equivocaron|equivocado de numero|persona",
        "no soy el|ella", "aqui no vive|hay .. nadie|ninguna|ningun", "nadie con ese nombre",
        "no conozco .. paciente|persona", "no es el? .. telefono|numero de", "equivocaron de persona",
    ),
    preference={
        "time": (
            f"antes|despues|desde|partir .. de? las? {HOURS}", f"a las {HOURS}",
            "en|por la manana|tarde|noche", "prefiero las? mananas|tardes|noches",
            "mananas|tardes|noches .. mejor", "cuando estoy en el trabajo", "en el trabajo",
            "horario de trabajo", "despues del trabajo",
        ),
        "channel": (
            "llamenme|llameme|llamame|marquenme", "mejor llam*", "en vez de .. escribir|mensajes",
            "escribanle|manden|envien|mandenle .. a mi|al .. hija|hijo|esposa|esposo|mama|papa|telefono|celular",
            "al telefono|celular de mi",
        ),
        "content": (
            "solo .. recordatorios", "sigan|mantengan|no+dejen+de|no+paren .. recordatorios|mensajes",
            "boletin|encuestas|promociones", "no dejen de mandar",
        ),
    },
    call=("llam*", "marquen*"),
    contact=("escrib*|mensaj*|llam*|mand*|envi*|text*|recordatorio*|contact*",),
    morning=("manana", "mananas"), afternoon=("tarde", "tardes"), evening=("noche", "noches"),
    after=("despues", "desde", "partir"), before=("antes", "hasta"),
)
