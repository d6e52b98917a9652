"""Words and their sounds: the pronouncing dictionary, everyday words, and phrase advice.

The pronunciations are CMUdict's, as shipped inside the pocketsphinx wheel.
They pick everyday words to learn as "not a phrase", find words that sound
almost like a phrase, and warn about phrases likely to be missed or confused,
or said by a television or a conversation: how common a word is in English
comes from ``wordfreq`` (subtitles, books, the web and speech; Apache-2.0, its
data CC BY-SA 4.0), read from the installed package.
"""
from __future__ import annotations

import numpy as np

from ..hearing.phonetic import edit_distance
from ..hearing.pocketsphinx import dictionary_path

#: Everyday English words: ordinary speech the engine learns is not a phrase.
COMMON = """the a an and or but of to in at by for with from as is are was were be been it this
that these those there here what which who when where why how all some any each every many much
more most other such only own same so than too very can will just should now then well also
back out over under again once about after before into through during between around while i
me my we our you your he him his she her they them their its one two three four five six seven
eight nine ten first last new old good great little long big small high low next early young
important few public bad same able time year people way day man thing woman life child world
school state family student group country problem hand part place case week company system
program question work government number night point home water room mother area money story
fact month lot right study book eye job word business issue side kind head house service
friend father power hour game line end member law car city community name president team
minute idea kid body information nothing ago lead social understand whether watch together
follow around parent stop face anything create public already speak others read level allow
add office spend door health person art sure such war history party within grow result open
change morning walk reason low win research girl guy early food before moment himself air
teacher force offer enough both education across although remember foot second boy maybe
toward able age off policy everything love process music including consider appear actually buy
probably human wait serve market die send expect home sense build stay fall oh nation plan cut
college interest death course someone experience behind reach local kill six remain effect use
yeah suggest class control raise care perhaps little late hard field else pass former sell
major sometimes require along development themselves report role better economic effort up
decide rate strong possible heart drug show leader light voice wife police mind finally pull
return free military price less according decision explain son hope even develop view
relationship carry town road drive arm true federal break better difference thank receive
value international building action full model join season society tax director position
player agree especially record pick wear paper special space ground form support event official
whose matter everyone center couple site project hit base activity star table need court
produce eat american teach oil half situation easy cost industry figure street image itself
phone either data cover quite picture clear practice piece land recent describe product
doctor wall patient worker news test movie certain north personal simply third technology catch
step baby computer type attention draw film tree source red nearly organization choose cause
hair look point century evidence window difficult listen soon culture billion chance brother
energy period summer realize hundred available plant likely opportunity term short letter
condition choice place single rule daughter administration south husband floor campaign
material population economy medical hospital church close thousand risk current fire future
wrong involve defense anyone increase security bank myself certainly west sport board seek per
subject officer private rest behavior deal performance fight throw top quickly past goal
bed order author fill represent focus foreign drop blood upon agency push nature color recently
store reduce sound note fine near movement page enter share than common poor natural race
concern series significant similar hot language usually response dead rise animal factor
decade article shoot east save seven artist away scene stock career despite central eight
thus treatment beyond happy exactly protect approach lie size dog fund serious occur media
ready sign thought list individual simple quality pressure accept answer resource identify
left meeting determine prepare disease whatever success argue cup particularly amount ability
staff recognize indicate character growth loss degree wonder attack herself region television
box training pretty trade election everybody physical lay general feeling standard bill message
fail outside arrive analysis benefit sex forward lawyer present section environmental glass
answer skill sister professor operation financial crime stage ok compare authority miss design
sort act ten knowledge gun station blue state strategy clearly discuss indeed force truth song
example democratic check environment leg dark various rather laugh guess executive set study
prove hang entire rock forget claim remove manager enjoy network legal religious cold form
final main science green memory card above seat cell establish nice trial expert spring firm
radio visit management avoid imagine tonight huge ball finish yourself theory impact respond
statement maintain charge popular traditional onto reveal direction weapon employee cultural
contain peace control base head pain apply play measure wide shake fly interview manage chair
fish particular camera structure politics perform bit weight suddenly discover candidate
production treat trip evening affect inside conference unit style adult worry range mention
deep edge specific writer trouble necessary throughout challenge fear shoulder institution
middle sea dream bar beautiful property instead improve stuff""".split()


def dictionary() -> dict[str, tuple[str, ...]]:
    """PocketSphinx's pronouncing dictionary: word to phones (first pronunciation)."""
    words: dict[str, tuple[str, ...]] = {}
    for line in dictionary_path().read_text(encoding="utf-8", errors="replace").splitlines():
        word, *phones = line.split()
        if word.isalpha() and word not in words:
            words[word] = tuple(phones)
    return words


def neighbours(word: str, words: dict[str, tuple[str, ...]], limit: int = 12,
               rng: np.random.Generator | None = None) -> list[str]:
    """Words that sound almost like ``word``: one phone changed, added or removed."""
    target = words.get(word)
    if not target:
        return []
    near = []
    for other, phones in words.items():
        if other == word or phones == target or abs(len(phones) - len(target)) > 1:
            continue
        if edit_distance(phones, target) == 1:
            near.append(other)
    if rng is not None and len(near) > limit:
        near = list(rng.choice(near, limit, replace=False))
    return near[:limit]


VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}


#: A phrase of several words whose rarest word is this common or more is everyday speech: on
#: wordfreq's Zipf scale (6 is once in a thousand words of English, 5 once in a hundred
#: thousand), "what can i say" has 5.9, "one more time" 6.3 and "i need help" 5.8; "stop
#: everything" 5.5, "check in with me" 5.3 and "pause right now" 4.0 do not count.
EVERYDAY = 5.7


def everyday(phrase: str) -> bool:
    """Whether every word of ``phrase`` (two or more) is among the commonest of English."""
    from wordfreq import zipf_frequency  # its word list loads in a moment: only when asked

    words = phrase.split()
    return len(words) > 1 and min(zipf_frequency(w, "en") for w in words) >= EVERYDAY


def phrase_warnings(words: dict[str, tuple[str, ...]]) -> list[tuple[str, int, str]]:
    """(intent, index, advice) for phrases likely to be missed or to start by themselves."""
    lexicon = dictionary()
    common = set(COMMON)

    def phones(phrase: str) -> tuple[str, ...]:
        return tuple(p.rstrip("012") for w in phrase.split() for p in lexicon.get(w, ()))

    found = []
    every = [(intent, i, p) for intent, ps in words.items() for i, p in enumerate(ps)]
    for intent, i, phrase in every:
        if everyday(phrase):
            found.append((intent, i, f"'{phrase}' is everyday speech (each of its words is "
                          "among the commonest in English), so a television, a radio or a "
                          "conversation nearby may say it and start this; a phrase with a "
                          "rarer word in it, such as one of the shipped ones, is said by "
                          "accident far less often."))
        if not all(w in lexicon for w in phrase.split()):
            continue  # a word it has no pronunciation for: nothing to judge by
        sound = phones(phrase)
        syllables = sum(p in VOWELS for p in sound)
        if syllables == 1:
            found.append((intent, i, f"'{phrase}' is one short syllable, easily missed or heard "
                          f"in other words; a phrase of two or three words, such as "
                          f"'{phrase} right now', is heard far more reliably."))
        elif len(phrase.split()) == 1 and phrase in common:
            found.append((intent, i, f"'{phrase}' is a common word in ordinary speech; a phrase "
                          "of two or three words starts things by accident far less often."))
        for other_intent, j, other in every:
            if (other_intent, j) <= (intent, i) or other_intent == intent:
                continue
            if sound and edit_distance(sound, phones(other)) <= max(1, len(sound) // 4):
                found.append((intent, i, f"'{phrase}' sounds much like '{other}' "
                              f"({other_intent.replace('_', ' ')}); choose phrases that sound "
                              "different."))
    return found

