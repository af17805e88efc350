"""The floor under the risk model: phrases that mean risk whatever surrounds them.

Applied to normalised text (`knowledge.text.plain`: lower case, SMS spellings and Scots
respelt, no punctuation). Each names a way of saying something, never one message: the model
(escalation/risk.py) reads everything else. A pattern that matches a single labelled message
and nothing like it is a defect. Defusers cut negations, idioms and careers out of the text
first, so they only defuse the words they cover.
"""

from __future__ import annotations

import re

_SELF = r"(?:myself|my self|masel|mysel|maself)"

CRISIS: dict[str, list[str]] = {
    "suicide": [
        rf"\b(?:kill|killing|top|topping|hang|hanging|end|ending) {_SELF}\b",
        r"\b(?:end|ending|take|taking) (?:my own life|my life|it all)\b",
        r"\b(?:i am|i feel|been|feeling|im) (?:so |really |quite )?suicidal\b",
        r"\bsuicide (?:note|plan|attempt)\b",
        r"\b(?:want|wanting|wanted|going|wish|wishing) (?:to )?(?:die|be dead)\b",
        r"\bwish (?:i was|i were|i had never been) (?:dead|born)\b",
        r"\b(?:dont|do not|no longer) (?:want|wish) (?:to )?(?:be alive|live|exist|wake up)\b",
        r"\bbetter off (?:dead|without me)\b",
        r"\btried to (?:kill|hang|end)\b",
    ],
    "self_harm": [
        rf"\b(?:cut|cutting|cuttin|burn|burning|hurt|hurting|harm|harming) {_SELF}\b",
        r"\bself ?harm(?:ing|ed)?\b",
        rf"\b(?:hit|hitting|bite|biting|starve|starving) {_SELF}\b",
        rf"\bpunch(?:ing|ed)? (?:my (?:own )?(?:legs?|arms?|thighs?|stomach|face|head)|{_SELF})\b",
    ],
    "medical": [
        r"\b(?:took|taken|swallowed|had) (?:a load of|loads of|too many|all (?:of )?(?:my|the)|"
        r"a whole (?:box|packet) of) (?:pills|tablets|paracetamol|meds)\b",
        r"\boverdos(?:e|ed|ing)\b",
        # A count no one takes for a headache: "took about 20 of my mums co codamol"
        r"\b(?:took|taken|take|taking|swallowed|had|necked|downed) (?:about |like |around |"
        r"maybe |over |nearly |almost |at least )?(?:[6-9]|[1-9]\d|ten|twelve|fifteen|twenty|"
        r"thirty|forty|fifty|a handful of|a bunch of|(?:a|the) whole (?:box|packet|bottle) of|"
        r"all (?:of )?(?:my|the|her|his)) (?:\w+ ){0,3}?(?:pills|tablets|paracetamol|"
        r"co ?codamol|ibuprofen|painkillers|sleeping pills|meds|antidepressants|codeine)\b",
    ],
    "abuse": [
        r"\b(?:raped|molested|sexually assaulted)\b",
        r"\b(?:dad|mum|step ?dad|step ?mum|uncle|brother|he|she) "
        r"(?:only |always |still |sometimes |just |even |keeps )?(?:hits|beats|batters|punches|"
        r"kicks|chokes|hitting|beating|battering|punching|kicking|choking) me\b",
    ],
    "exploitation": [r"\bcounty lines?\b(?! (?:documentary|project|essay|drama))"],
    "forced_marriage": [
        r"\b(?:make|making|force|forcing|forced|made) me (?:to )?(?:get )?marr(?:y|ied)\b",
        # "sending me to pakistan to get married", "taking me back home to marry"
        r"\b(?:send|sending|sent|take|taking|took|ship|shipping) me (?:back )?(?:\w+ ){0,3}"
        r"to (?:get )?marr(?:y|ied)\b",
    ],
    "homeless": [r"\bnowhere (?:to|i can) (?:sleep|stay) tonight\b"],
    "unsafe_home": [r"\b(?:scared|afraid|frightened|feart|terrified) to go (?:back )?home\b"],
}

NEEDS_PERSON: dict[str, list[str]] = {
    "asked_for_person": [
        r"\b(?:speak|talk|chat) (?:to|with) (?:a |an |some |my )?"
        r"(?:real |actual |live )?(?:human|person|adviser|advisor|someone|somebody|one)\b",
        r"\b(?:real|actual|live) (?:person|human)\b",
        r"\b(?:call|phone|ring) me back\b|\bcall ?back\b",
        r"^(?:agent|operator|adviser|advisor|human|person)$",
    ],
}

DEFUSERS: list[str] = [
    # Negations: "im not suicidal", "not going to hurt myself", "never wanted to die".
    r"\b(?:not|never|no|nae|wasnt|isnt|arent|dont|didnt) (?:\w+ ){0,2}(?:suicidal|"
    r"(?:going to |gonna |ever )?(?:kill|hurt|hurting|harm|cut|cutting|hit|hitting|starve|"
    r"starving|punch|punching) " + _SELF + r"|self harm\w*|"
    r"(?:want|wanted|wanting) to die)",
    # Careers, courses and causes: "suicide prevention", "self harm awareness".
    r"\b(?:suicide|self ?harm|overdose) (?:prevention|awareness|first aid|training|course|"
    r"research|charity|helpline|volunteer\w*|support worker|nurse|team)\b",
    # Idioms: "dying to start", "wanna die of embarrassment", "could die laughing".
    r"\b(?:die|dying|dead) (?:to|for|of|laughing|happy)\b",
    # The past, told as past: "used to self harm", "havent cut myself since s3". Only the
    # floor lets go: the model still reads "used to self harm and started again last week".
    r"\b(?:used|use) (?:to|tae) (?:\w+ ){0,2}?(?:self ?harm\w*|(?:cut|cutting|hurt|hurting|harm|"
    r"harming) " + _SELF + r")",
    r"\b(?:havent|hasnt|have not|has not|not) (?:\w+ ){0,2}?(?:self ?harmed|(?:cut|hurt|harmed) "
    + _SELF
    + r") (?:\w+ ){0,3}(?:since|in (?:years|ages|over|months))\b",
]

CRISIS_RE = {code: [re.compile(p) for p in pats] for code, pats in CRISIS.items()}
NEEDS_PERSON_RE = {code: [re.compile(p) for p in pats] for code, pats in NEEDS_PERSON.items()}
DEFUSERS_RE = [re.compile(p) for p in DEFUSERS]
