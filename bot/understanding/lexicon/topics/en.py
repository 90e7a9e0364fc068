"""English topics. Also tried for every other locale: patients often answer in English."""

from bot.understanding.lexicon.topics import Topics

TOPICS = Topics(
    locale="en",
    topics={
        "side_effects": (
            "side+effect*", "sideeffect*", "dizz*", "lightheaded", "light+headed", "nause*",
            "queasy", "vomit*", "throw*|threw up", "headache*", "head .. hurts|aches|pounding",
            "rash*", "hives", "itch*", "sick", "makes|made|making me .. sick|dizzy|tired|sleepy|nauseous|weird|ill",
            "upset stomach", "stomach .. hurt*|ache*|upset|pain|problems", "diarrh*", "constipat*",
            "fatigue*", "exhausted", "sleepy", "drowsy", "weak", "shaky",
            "feel|feeling|felt .. bad|awful|terrible|weird|funny|worse|off|horrible|ill",
            "bad reaction", "reaction to", "swell*", "swollen", "cough*", "cramp*", "muscle .. pain|ache*",
            "symptom*", "doesnt|dont agree with me", "hurts me", "bother* me", "not working for me",
        ),
        "ran_out": (
            "ran|run|running|runs out", "runout", "out of .. pills|meds|medicine*|medication*|tablets|insulin|inhaler",
            "no|zero more? pills|meds|medicine*|medication*|tablets left", "none left", "nothing left",
            "no more pills|meds|medicine*|medication*|tablets", "finished .. pills|meds|medicine*|medication*|bottle",
            "used .. up", "bottle .. empty", "empty bottle", "all gone", "dont|didnt|do+not have .. any left", "last pill|dose",
            "pill|pills|dose|doses|tablet|tablets left", "have|had none",
        ),
        "cost": (
            "cost*", "money", "pay", "paying", "afford*", "price*", "pricey", "expensive", "copay*",
            "co+pay*", "insurance", "bill*", "too much", "dollar*", "bucks", "cash", "broke",
            "charge*", "deductible", "cheap*", "funds", "budget",
        ),
        "transport": (
            "ride", "rides", "transport*", "bus", "car", "drive", "driving", "get|getting|go|going there",
            "get|getting to .. pharmacy|store|clinic|drugstore", "taxi", "cab", "uber", "lyft", "far",
            "train", "gas", "walk", "walking", "no way to get", "pick+me up", "someone to take me",
        ),
        "food": ("food", "hungry", "hunger", "groceries", "grocery", "eat", "eating", "meal*",
                 "food+stamps", "snap", "ebt", "pantry"),
        "housing": ("housing", "rent", "place to stay|live|sleep", "homeless*", "evict*",
                    "shelter", "apartment", "house", "utilit*", "landlord", "mortgage"),
        "medicines": ("medicine*", "medication*", "meds", "pharmacy", "prescription*", "pills",
                      "refill*", "drugstore", "insulin", "inhaler"),
        "talk": ("talk", "someone to talk to", "lonely", "alone", "sad", "depress*", "anxious",
                 "anxiety", "stress*", "counsel*", "therap*", "feeling|feel down"),
        "feel_better": ("better", "feel|feeling fine|good|well", "recovered", "all better", "healed"),
        "other_doctor": ("other|another|different|new doctor|dr|clinic|provider|physician",
                         "seeing|see someone else", "my own doctor", "switched doctors"),
        "call_me": ("call", "call+me", "phone", "ring me", "give me a call"),
        "doing_well": ("good", "great", "fine", "doing well", "all good", "well", "ok", "okay", "not bad", "pretty good", "excellent"),
        "feeling_awful": ("terrible", "awful", "horrible", "very|really|so bad", "the worst", "miserable", "very|really sick", "not good at all", "not well at all", "lousy"),
        "feeling_bad": ("bad", "not good", "not well", "not great", "not so good", "not too good", "not feeling well", "unwell", "poorly", "sick", "rough"),
        "something_else": ("other", "something else", "another reason", "different reason", "other reason"),
    },
    hedges=(
        "i? think so", "probably", "i guess", "i hope so", "hopefully", "we will see", "well see",
        "try", "trying", "if i can", "not sure yet", "might", "maybe", "possibly", "kind+of",
        "sort+of", "depends", "hope to",
    ),
    negations=("not yet", "not today", "no can do", "later", "cant|cannot make it", "unable",
               "none", "nothing", "nothing new"),
    #: joiners let "1 and 2" read as two answers (asked back), not as a sentence
    frame=("and", "or", "&",
        "option", "opt", "number", "num", "nr", "no", "choice", "choose", "pick", "i", "id", "say",
        "would", "its", "it", "is", "a", "an", "please", "pls", "plz", "thanks", "thank", "you", "thx",
        "ok", "okay", "the", "answer", "reply", "my", "for", "press", "pressed", "hi", "hello",
        "is", "im", "am", "go", "with", "#",
    ),
)
