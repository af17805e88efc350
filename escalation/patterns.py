"""Curated triage patterns, applied to normalised text (see `knowledge.text.normalise_query`).

Each pattern has a reason code that is shown to advisers and counted (never the text).
Patterns err towards catching: a false alarm costs an apology, a miss can cost a life.
"""

from __future__ import annotations

import re

_SELF = r"(?:myself|my self|masel|mysel)"

CRISIS: dict[str, list[str]] = {
    "suicide": [
        r"\bkill (?:herself|himself|themselves|themsel)\b",
        r"\bplan on being around\b|\bbe alive by\b",
        r"\b(?:meds|pills|tablets) away\b",
        r"\bbridge\b.*\bthinkin",
        rf"\b(?:kill|killing|killed|end|ending|top|topping|hang|hanging) {_SELF}\b",
        r"\b(?:end|ending|ended) (?:it all|my life|it tonight|things|it)\b",
        r"\bsuicid",
        r"\b(?:want|wanna|going|gonna|wish|plan|planning) (?:to )?(?:die|be dead)\b",
        r"\bwant to die\b",
        r"\b(?:dont|do not|dnt) (?:want|wanna|wnt) (?:to )?(?:be here|be alive|live|exist|wake up)",
        r"\bnot (?:be|being) (?:here|around|alive)\b",
        r"\b(?:wont|will not|not going to) be (?:here|around|alive)\b",
        r"\bstill be (?:here|around|alive)\b",
        r"\b(?:never|not) wake up\b",
        r"\bbetter off without me\b",
        r"\bbe happier if i (?:just )?(?:disappeared|was gone|wasnt here)",
        r"\b(?:if|when) i (?:was|am|were) gone\b",
        r"\bnot worth living\b|\bisnt worth living\b|\bno reason to live\b",
        r"\bways to die\b|\bhow (?:to|do i) die\b",
        r"\bhow many (?:pills|tablets|paracetamol)",
        r"\b(?:saving|stockpiling|hoarding) (?:up )?(?:my |the )?(?:pills|tablets|meds)",
        r"\bpills saved\b",
        r"\b(?:letters?|note) to (?:my )?(?:family|mum|everyone)\b.*\bjust in case\b",
        r"\bsuicide note\b",
        r"\bgave away (?:all )?(?:my|me) (?:stuff|things)|\bwont need it where i am going\b",
        r"\bsaid (?:bye|goodbye) to everyone\b|\bwont hear from me again\b",
        r"\b(?:on|at|standing on|off) (?:the|a) (?:bridge|roof|ledge)\b.*\b(?:jump|thinking)",
        r"\bgoing to jump\b|\bgonnae jump\b",
        r"\bgot a plan for how\b",
        r"\bcant (?:do|take) (?:this|it) any ?(?:more|mair)\b.*\b(?:stop|done|end|naebody|nobody)",
        r"\bwant it all to stop\b",
        r"\blast post\b",
        r"\btried to (?:kill|hang|overdose)",
    ],
    "self_harm": [
        r"\bburning my (?:arms|legs|skin)\b|\bcuttin\b|\bbeen cutting\b",
        r"\b(?:cutting|cuttin|cut|burning|burnt|hurting|hurt|harming|harm|hitting|hit|punish\w*|"
        r"scratch\w*|starv\w*) " + _SELF,
        r"\bself ?harm",
        r"\bsh again\b|\bfrom sh\b",
        r"\bstarted cutting\b|\bcannae stop cuttin|\bcant stop cutting\b|\bcutting again\b",
        r"\bmy cuts\b|\bcovered in cuts\b|\barms (?:all )?cut\b|\bmarks on my arms\b",
        r"\bcover my arms\b",
        r"\bwhat i do to " + _SELF,
        r"\bmake " + _SELF + r" sick\b",
        r"\bpunching walls\b|\bbang my head\b",
        r"\bblade\b",
        r"\bdeserve the pain\b",
    ],
    "abuse": [
        r"\btouches (?:her|him)\b",
        r"\bwont let me leave the house\b|\bif i tell anyone\b",
        r"\b(?:hits|hit|batters|battered|beats|beat|skelps|kicks|punches|slaps|chokes|grabs) "
        r"(?:me|us)\b",
        r"\bget hit at home\b|\bhitting me\b",
        r"\btouch(?:es|ed|ing)? me\b",
        r"\bmakes? me do (?:stuff|things)\b|\bmade me do (?:stuff|things)\b",
        r"\b(?:raped|rape|sexually assaulted|molested)\b",
        r"\bnot to tell\b|\bdont tell anyone\b|\bkeep (?:it|this) between us\b",
        r"\blocks? me in\b",
        r"\bwont let me eat\b|\bno food in the house\b|\bno one feeds us\b",
        r"\bbruises\b",
        r"\bwishes i was never born\b",
        r"\bis it abuse\b",
        r"\bthrows? (?:stuff|things) at me\b",
    ],
    "exploitation": [
        r"\bdeliveries for some\b|\bthink its drugs\b|\bscared to stop\b",
        r"\bkept in the house\b|\btaking all (?:her|his|my) wages\b",
        r"\b(?:hold|carry|hide|move|take|deliver) (?:stuff|bags|packages?|a package|drugs|things) "
        r"(?:for|up to|in)\b",
        r"\bpays? (?:you|u|me) to hold\b",
        r"\bwork it off\b|\bowe (?:them|him|the lads|the guys)\b|\bi owe him\b",
        r"\bgo country\b|\bcounty lines?\b|\btrap house\b|\brun for them\b",
        r"\bsend (?:pics|nudes|photos)\b|\bpics of me\b|\bshare my nudes\b|\bpost the old ones\b",
        r"\btook my passport\b|\bkeeps? my (?:id|passport|wages)\b",
        r"\b(?:cant|cannot) leave the (?:house|flat)\b",
        r"\buse my bank account\b",
        r"\bsell (?:stuff|drugs)\b|\bselling drugs\b|\bmade to sell\b",
        r"\bsleep with his (?:friends|pals)\b|\bsee his pals for money\b",
        r"\bmeet him at a hotel\b",
        r"\bthey(?:ll| will) hurt my\b",
        r"\bhave to answer it whenever\b",
    ],
    "domestic_violence": [
        r"\bpushed me\b|\bgoes for my (?:mum|maw|mam)\b|\bhitting (?:my )?(?:mum|maw|mam)\b",
        r"\b(?:hitting|hits|battering|batters|attacks|going for|strangl\w*) "
        r"my (?:mum|maw|mam|ma)\b",
        r"\bhands round her neck\b",
        r"\b(?:boyfriend|bf|girlfriend|gf|partner|husband|ex) (?:\w+ )?(?:hit|hits|hurts?|pushed|"
        r"controls|beats)\b",
        r"\b(?:kill|hurt) me if i leave\b|\bgoing to hurt me\b",
        r"\bscared of (?:him|her|my partner|my boyfriend|my dad)\b",
        r"\bgot a knife\b|\bpulled a knife\b",
    ],
    "homeless": [
        r"\bsleep in a\b.*\btonight\b",
        r"\bnowhere (?:to (?:stay|sleep|go|live)|else)\b",
        r"\b(?:kicked|thrown|threw) (?:me )?out\b.*\b(?:tonight|nowhere|freezing|street)\b",
        r"\b(?:kicked|threw|thrown) me out\b",
        r"\bsleep(?:ing|in)? (?:rough|in (?:my|the|a) (?:car|park|stairwell|tent|station|street))",
        r"\bon the streets?\b",
        r"\bwhere can i sleep\b|\bwhere do i sleep\b|\bsleep tonight\b",
        r"\bsofa surfing\b",
        r"\bno fixed address\b|\bdont have an address\b",
        r"\bevicted\b",
        r"\bhostel is full\b",
    ],
    "unsafe_home": [
        r"\b(?:scared|feart|frightened|afraid|terrified|dreading) (?:to |tae )?(?:go(?:ing)? )?"
        r"(?:home|hame|back)\b",
        r"\b(?:dont|do not|not) (?:feel )?safe (?:at home|when|at my|in my)\b",
        r"\bnot safe at (?:home|my)\b|\bhome isnt safe\b|\bits not safe\b",
        r"\b(?:dont|do not) have to go (?:home|back)\b",
        r"\bcant go back there\b",
        r"\b(?:chair|lock) (?:against|on) my door\b|\block my door\b",
        r"\bhide in the (?:cupboard|bathroom)\b|\bhiding in my room\b",
        r"\bterrified\b",
        r"\bdont want to be alone with him\b",
    ],
    "violence": [
        r"\b(?:jaw|nose|arm|ribs?) is broken\b|\bbroken (?:jaw|nose)\b|\bfollowed home\b",
        r"\b(?:jump|stab|batter|kill|do) me\b(?! a favour)",
        r"\bgoing to (?:jump|stab|batter|kill|do) me\b",
        r"\bgot (?:stabbed|jumped|battered)\b|\bgetting jumped\b",
        r"\bfollow(?:ing|ed)? (?:me|me home)\b",
        r"\bcoming for me\b|\bknows where i live\b|\bwaiting outside my\b",
        r"\bim bleeding\b|\bam bleeding\b|\bbleeding loads\b",
        r"\bthreaten\w* to\b",
    ],
    "medical": [
        r"\b(?:saying goodbye|not back)\b.*\bnot answering\b",
        r"\bhavent had (?:my )?insulin\b|\bskin is peeling\b|\bburnt really bad\b",
        r"\b(?:took|taken|swallowed) (?:a load of|loads of|too many|all) (?:pills|tablets)\b",
        r"\btook too much\b|\boverdos",
        r"\b(?:wont|will not) wake up\b|\bpassed out\b",
        r"\blips are (?:going )?blue\b|\bcant breathe\b",
        r"\bswallowed bleach\b|\bseizure\b|\bfitting\b",
        r"\btook some of my (?:mums|dads) tablets\b",
    ],
}

NEEDS_PERSON: dict[str, list[str]] = {
    "asked_for_person": [
        r"\bcall me back\b|\btalk to a bot\b|\bget hold of\b",
        r"\banyone i can (?:actually )?talk to\b",
        r"\b(?:real|actual|live) (?:person|human|people|one)\b",
        r"\b(?:speak|talk|chat) (?:to|tae|with) (?:a |an |some|my )?"
        r"(?:one|body|human|person|adviser|advisor|staff|someone|somebody)",
        r"\bhuman\b",
        r"\b(?:get|give|put) me (?:an? |through to )?(?:adviser|advisor|someone|person)",
        r"\bcareers adviser\b.*\b(?:phone|call|appointment)\b|\bcall ?back\b",
        r"\bface to face\b|\bbook an appointment\b",
        r"^(?:agent|operator|adviser|advisor)$",
        r"\btransfer me\b",
        r"\bnot? (?:a |2 |to )?(?:talk|speak) (?:to|2) a bot\b|\bdont want (?:to )?talk to a bot\b",
    ],
    "distress": [
        r"\bim just lost\b|\bscared about\b|\bcant focus\b|\bma heid\b",
        r"\boverwhelmed\b|\bpanick?ing\b|\bpanic attack\b|\bfreaking out\b",
        r"\b(?:cant|cannae|cannot) cope\b",
        r"\bcrying\b|\bgreetin\b|\bcry\b",
        r"\bso (?:stressed|lonely|anxious|low)\b|\bstress(?:ed|in)\b",
        r"\bfeel (?:so |really |such )?(?:lonely|low|useless|awful|lost|sick)\b",
        r"\bsuch a failure\b|\blet everyone down\b|\bburnt out\b",
        r"\banxiety\b|\banxious\b|\bstruggling\b|\bdrowning in\b(?! ucas)",
        r"\btoo much\b",
        r"\bgutted\b|\bmiserable\b|\bdreading\b|\bcant stop shaking\b",
        r"\bno (?:pals|friends)\b|\bon my own\b|\bnobody talks\b|\bno one (?:at \w+ )?talks\b",
    ],
    "complaint": [
        r"\bwasted an hour\b|\bdoesnt work\b|\blost all my\b|\bkept waiting\b|\bgot cancelled\b",
        r"\bcomplain",
        r"\b(?:was|were) (?:really )?rude\b",
        r"\bnot happy\b",
        r"\bnobody (?:phoned|called)\b|\bheard nothing\b",
        r"\bwrong (?:deadline|information|info|entry|answer)\b|\bout of date\b",
        r"\breport a problem\b",
        r"\bshared my (?:stuff|data|information)\b|\bsharing my data\b",
        r"\bcosting me money\b",
        r"\bin charge here\b",
    ],
    "frustration": [
        r"\buseless\b|\bpointless\b|\bwaste of time\b|\brubbish\b|\bmince\b",
        r"\b(?:not|no) (?:helping|help)\b|\bno help\b",
        r"\bnot what i asked\b|\bdont understand anything\b|\bsame thing\b",
        r"\basked \d+ times\b|\bthanks for nothing\b|\bdoing ma heid in\b",
        r"\bare you even listening\b|\bmaking this worse\b|\bwhats the point of you\b",
        r"\bjust answer the question\b|\bstraight answer\b|\bjust help\b|\bnevermind\b",
        r"\bforget it\b|\bstop giving me links\b",
    ],
}

# Idioms, negations and career phrases are cut out of the text before crisis patterns run, so
# they only defuse the words they cover: "this homework is killing me" loses "homework is
# killing", but "i want to be a nurse but i want to kill myself" keeps "kill myself".
DEFUSERS: list[str] = [
    r"\b(?:homework|essay|coursework|exam|shift|feet|legs|commute|queue|test|project|boss|"
    r"teacher|maths|mum|brother|traffic|interview|group project)\b(?: \w+){0,4} (?:is |are )?"
    r"(?:killing|kill|murder|murdered|the death|torture|a killer|gonna kill|going to kill)\b",
    r"\b(?:kill|killing|killed|die|dying|dead|deid|murder) (?:for|to (?:work|get|start|ask|be)|"
    r"it|of (?:boredom|embarrassment)|laughing|excited|nervous|set)\b",
    r"\b(?:im|i am|am|i m) (?:not|no|nae) (?:suicidal|in danger|in crisis|in trouble|being \w+|"
    r"going to \w+|gonna \w+|scared \w+|sleepin \w+|sleeping \w+|depressed|crying|"
    r"carrying \w+|homeless)",
    r"\bnot (?:thinking about )?(?:hurting|gonna hurt|going to hurt) " + _SELF + r"?",
    r"\b(?:no one|nobody|nothing|noone|nobodys) (?:hurts|is forcing|s forcing|forcing|"
    r"threatening|bad is|is threatening)\b",
    r"\bnot homeless\b|\bdont self harm\b|\bdye(?:d)? my hair\b|\bsaid i wanted to die\b",
    r"\b(?:dont|do not) feel unsafe\b|\bhome is fine\b|\bfine at home\b|\bnothing bad\b",
    r"\b(?:doesnt|dont|does not) hit me\b",
    r"\b(?:become|becoming|be|work as|work with|working with|jobs?|courses?|training|volunteer"
    r"\w*|careers?|study|studying|quals)\b(?: (?:a|an|in|on|with|helping|for|to be|at|"
    r"supporting|kids|people|who|have|been))* (?:suicide prevention|domestic abuse|self harm|"
    r"homeless|trafficking|crisis line|abused|trauma|criminal)\b",
    r"\b(?:gonna|going to|will|ll) (?:kill|murder) me (?:for|if i (?:drop|dont hand))\b",
    r"\b(?:nobody|no one|nobodys) (?:is )?touching me\b",
    r"\bkicked (?:out of|off) the (?:band|team|football team|game lobby)\b|\bkicked out the\b",
]

CRISIS_RE = {code: [re.compile(p) for p in pats] for code, pats in CRISIS.items()}
NEEDS_PERSON_RE = {code: [re.compile(p) for p in pats] for code, pats in NEEDS_PERSON.items()}
DEFUSERS_RE = [re.compile(p) for p in DEFUSERS]
