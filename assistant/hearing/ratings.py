"""A rating from zero to ten, in what a check wrote down: the answer to a check-in.

Numbers are short words that a transcriber writes in many ways ("2", "two", "too",
"to"; "3", "three", "tree"), so a rating is read from the transcript rather than matched
by sound like a phrase. Only an answer that is the number and nothing else counts
("seven", "a seven", "maybe 6", "I'd say four", "eight out of ten"): ordinary talk, which
a television or a conversation is full of, says "one", "to" and "for" all the time.
"""
from __future__ import annotations

from .phonetic import words_of

#: The words of each rating, as a transcriber may write them.
NAMES = {"zero": 0, "nought": 0, "nil": 0, "one": 1, "two": 2, "three": 3, "four": 4,
         "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
#: Words that sound like a rating and are one only when they are the whole answer.
SOUNDS_LIKE = {"won": 1, "to": 2, "too": 2, "tu": 2, "tree": 3, "free": 3, "for": 4,
               "fore": 4, "ate": 8, "nein": 9, "tin": 10}
#: Words that may come with a rating and say nothing against it.
AROUND = frozenset("a an about around maybe probably like uh um er hmm i i'd id would say "
                   "think guess it's its is it at now right okay ok yeah yes so".split())
#: The most words an answer may have (besides "out of ten").
MOST = 6


def rating_in(text: str) -> int | None:
    """The rating ``text`` gives, if it is a short answer that gives exactly one."""
    words = words_of(text.replace("/", " out of "))
    # A number written two or three times is one saying ("seven, seven."). A longer loop
    # ("six, six, six, ...") is not read: a transcriber given the numbers as hints loops
    # like that on ordinary talk too (three false ratings in 28 minutes of reading).
    if 1 < len(words) <= 3 and len(set(words)) == 1:
        words = words[:1]
    for ending in (["out", "of", "ten"], ["out", "of", "10"]):
        if words[-3:] == ending and len(words) > 3:
            words = words[:-3]
    if not words or len(words) > MOST:
        return None
    rest = [w for w in words if w not in AROUND]  # the answer itself, without "maybe a"
    if len(rest) != 1:
        return None
    value = number(rest[0])
    return value if value is not None else SOUNDS_LIKE.get(rest[0])


def number(word: str) -> int | None:
    """The rating one word names: a number word, or 0 to 10 written in digits."""
    if word.isdigit():
        value = int(word)
        return value if 0 <= value <= 10 else None
    return NAMES.get(word)
