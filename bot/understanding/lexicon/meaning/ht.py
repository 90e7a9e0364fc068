"""Haitian Creole crisis and consent phrases by meaning (accents folded)."""

from bot.understanding.lexicon.meaning import HOURS, MANY, Meanings

MEANINGS = Meanings(
    urgent={
        "wish_dead": ("swete .. pa reveye", "pi byen san mwen|m", "pa vle viv", "vle mouri", "pito m|mwen mouri",
                      "lavi a pa vo anyen", "bouke viv", "mvle mouri"),
        "suicidal_thoughts": ("touye tet mwen|m", "fini ak lavi|tout+bagay", "panse .. fini|touye|mouri"),
        "method": ("pann tet", "kod la", "sote .. pon|bilding|tet", "koupe venn"),
        "intent_plan": ("plan pou m? .. touye|mouri", "aswe a .. pann|sote|touye|mouri"),
        "goodbye": ("mesi pou tout bagay .. orevwa|p+ap+bezwen", "orevwa .. mesi pou tout",
                    "ekri let .. pitit|fanmi", "p ap bezwen .. renouvelman|medikaman|grenn .. anko",
                    "let pou pitit .. orevwa"),
        "overdose_poisoning": (
            f"bwe|pran|vale {MANY} .. grenn", "bwe|pran|vale .. tout .. grenn|boutey",
            "bwe .. pwazon|klowoks|klorox|javel|kleren", "anpwazonnen", "pran twop grenn",
        ),
        "breathing": ("pa ka respire", "bouch .. ble"),
        "chest_pain": ("doule .. pwatrin .. bra", "swe fret", "pwatrin .. fe m mal"),
        "stroke": ("figi .. tode|kwochi", "pa ka pale byen"),
        "bleeding": ("senyen anpil", "san .. pa sispann", "senyen .. pa sispann"),
        "fainting": ("endispoze", "pa reveye", "san konesans"),
        "violence": ("touye m", "bat mwen|m", "di l ap touye"),
    },
    concern=("fatige anpil", "jis fatige", "pa gen sans", "pa gen espwa", "tris anpil", "deprime",
             "bay legen", "konbyen tan .. sipote", "tet vire", "voye bagay", "fe anyen ki mal"),
    not_urgent=("mouri ri", "grangou ap touye", "batri .. mouri", "chale a ap touye", "pye m ap touye",
                "domi ap touye", "blag sa a touye", "touye m nan jwet", "plant .. mouri",
                "mouri pou m konnen"),
    revoke=("pa ekri m anko", "sispann .. ekri|voye", "pa voye .. mesaj", "efase nimewo", "retire|wete m .. lis",
            "pa vle .. mesaj|resevwa", "kite m anpe", "pa janm kontakte", "dezab*", "ase mesaj",
            "pa rele ni ekri", "pa bezwen teks"),
    wrong_number=("move nimewo", "se pa li|li+menm", "pa gen .. moun|okenn .. ki rele|maria",
                  "move moun", "pa konnen pasyan", "pa konnen .. moun|pasyan"),
    preference={
        "time": (f"apre|anvan .. {HOURS}", "nan maten|aswe|apremidi", "pandan travay", "m ap travay",
                 "maten pi bon"),
        "channel": ("rele m", "pito pase ekri", "ekri|voye .. pitit|madanm|mari|manman|telefon"),
        "content": ("rapel .. selman|kenbe|kontinye", "pa sispann rapel", "kontinye voye rapel",
                    "bilten|sondaj"),
    },
    call=("rele",),
    contact=("ekri|voye|rele|mesaj|teks|rapel",),
    morning=("maten",), afternoon=("apremidi",), evening=("aswe", "diswa", "lannwit"),
    after=("apre",), before=("anvan",),
)
