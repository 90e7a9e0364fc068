"""Spanish topics (Latin American usage first)."""

from bot.understanding.lexicon.topics import Topics

TOPICS = Topics(
    locale="es",
    topics={
        "side_effects": (
            "efecto*|reaccion* secundari*|adversa*", "mare*", "nausea*", "asco", "vomit*", "devolv*",
            "dolor* de cabeza|estomago|panza|barriga", "me duele* .. cabeza|estomago|panza",
            "jaqueca", "migrana", "sarpullido", "ronchas", "granitos", "picazon", "comezon",
            "me pica*", "me cae*|caen mal", "me hace*|hacen|da|dan|pone|ponen .. mal|mareo|sueno|nauseas",
            "me siento|sentia|senti mal|rar*|peor|debil", "cansad*", "cansancio", "debilidad",
            "diarrea", "estrenimiento", "reaccion", "hinchaz*", "hinchad*", "tos", "me enferm*",
            "sintoma*", "no me sienta* bien",
        ),
        "ran_out": (
            "se me acab*", "se acab*", "me acabe", "acabe", "me quede sin", "sin .. pastillas|medicina*|medicamento*|pildoras",
            "no me queda*|quedan", "ya no tengo|hay", "no tengo mas", "no hay mas",
            "termin* .. pastillas|medicina*|medicamento*|pildoras|frasco", "ya no me queda*",
            "se termino|terminaron", "ultima pastilla|dosis", "quedan? .. pastillas|pildoras",
        ),
        "cost": (
            "cost*", "dinero", "pagar", "pago", "caro", "cara", "carisimo", "precio*", "copago*",
            "seguro", "aseguranza", "no me alcanza", "plata", "dolar*", "cobr*", "lana", "feria",
            "deducible", "cuenta", "factura",
        ),
        "transport": (
            "transporte", "raite", "ride", "aventon", "carro", "coche", "auto", "autobus", "camion",
            "bus", "llegar", "como ir", "ir a la farmacia", "manejar", "lejos", "taxi", "uber",
            "quien me lleve", "llevarme", "gasolina",
        ),
        "food": ("comida", "alimento*", "hambre", "comer", "despensa", "mandado", "cupones de? alimento*"),
        "housing": ("vivienda", "casa", "renta", "alquiler", "desalojo", "desaloj*", "sin hogar",
                    "donde vivir|dormir|quedarme", "albergue", "refugio", "apartamento", "departamento"),
        "medicines": ("medicina*", "medicamento*", "farmacia", "receta*", "pastillas", "remedio*"),
        "talk": ("hablar", "platicar", "alguien con quien hablar", "me siento solo|sola",
                 "soledad", "triste", "tristeza", "deprimid*", "ansiedad", "estres", "estresad*"),
        "feel_better": ("mejor", "me siento bien", "ya estoy bien", "me recupere", "sane"),
        "other_doctor": ("otro|otra doctor*|medico*|clinica|proveedor", "con alguien mas"),
        "call_me": ("llam*", "telefono", "marcar*"),
        "doing_well": ("bien", "muy bien", "bastante bien", "todo bien", "excelente", "de maravilla"),
        "feeling_awful": ("terrible", "horrible", "fatal", "muy mal", "malisimo", "malisima", "pesimo", "pesima", "muy enfermo|enferma", "de lo peor"),
        "feeling_bad": ("mal", "no muy bien", "no estoy bien", "no me siento bien", "enfermo", "enferma"),
        "something_else": ("otra cosa", "otro", "otra razon", "otro motivo", "algo mas", "otra"),
    },
    hedges=("creo que si", "tal vez", "quizas", "quiza", "a lo mejor", "probablemente",
            "espero que si", "ojala", "voy a intentar", "intentare", "tratare", "si puedo",
            "puede ser", "depende"),
    negations=("todavia no", "aun no", "no puedo", "ahorita no", "hoy no", "mas tarde",
               "no creo"),
    #: joiners let "1 and 2" read as two answers (asked back), not as a sentence
    frame=("un", "una", "y", "o", "opcion", "numero", "num", "el", "la", "por", "favor", "porfa", "gracias", "elijo",
           "escojo", "quiero", "la opcion", "es", "ok", "si", "seria"),
)
