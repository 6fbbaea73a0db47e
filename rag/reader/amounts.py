"""The how-many / how-much rule of the answerability check (rag/reader/answerability.py, whose docstring
says what it caught on dev): a question that asks for a figure is unanswered when its best sentences give
none, none about what is counted, or no sum of money when a sum is asked for."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rag.citations.facts import AMOUNT_KINDS, extract_facts
from rag.reader.question import question_type
from rag.reader.subject import about, asked_words, on_subject, subject_names
from rag.text.tokenize import STOP_WORDS, tokenize

__all__ = ["amount_missing", "counted_noun", "split_missing", "tally_missing", "threshold_missing"]

# "How often must they publish them?" is answered "for all new significant releases" or "annually" as often
# as with a figure: no amount is asked for.
_HOW_OFTEN = re.compile(r"\bhow often\b", re.I)
# What a "how many/much" question counts: the noun after it ("how many jobs", "how much funding").
# "the number / count / tally of non-member countries" counts the same way (users dev u-nm-035).
_COUNTED = re.compile(
    r"\b(?:how (?:many|much)|(?:number|count|tally|headcount) of)\s+((?:[a-z-]+\s+){0,3}[a-z-]+)", re.I
)
# Words that name a measure, not a thing counted: "over what period", "how much time".
_MEASURES = frozenset(
    "amount number share percentage proportion period time duration size kind sort type money".split()
)


# What a translated counter counts, as token roots (rag/translate/translator.py): 何か国, 何社, 何人.
_COUNTERS = {
    "How many countries": ("country", "state", "nation", "economy"),
    "How many companies": ("company", "firm", "corporation", "business"),
    "How many people": (
        "people", "person", "participant", "member", "expert", "attendee", "individual", "employee",
        "specialist", "staff", "worker", "representative",
    ),
    "How many votes": ("vote", "ballot"),
}  # fmt: skip

# A how-much asked of what a text says: "will it tell us how much…", "does it specify how many…".
_SAYS_HOW_MUCH = re.compile(
    r"^\W*(?:will|would|does|do|did|can|is|are)\b[^?]*?\b(?:tells?|says?|specif(?:y|ies)|sets? out|states?"
    r"|defines?|prescribes?|decides?|explains?)\b(?:\s+[\w'’-]+){0,3}\s+how (?:much|many)\b",
    re.I,
)


def amount_missing(
    question: str, top_sentences: Sequence[str], translated: bool = False, titles: Sequence[str] = ()
) -> bool:
    """A how-many/how-much question that the best sentences do not answer with a figure (see above).
    `translated`: the question is a Japanese one's English terms after a made-up "How many", so the word
    after it is no counted noun; only the figure is asked of the best sentence. `titles`: the passages'
    titles and headings (rag/reader/subject.py)."""
    if _MONEY_ASKED.search(question) and question_type(question) != "number" and top_sentences:
        # "did the summit come with a dollar pledge?": a sum is asked for in a yes/no question too. After the
        # best sentence, of what the question asks about: Japan's AI Safety Institute has no budget in a
        # sentence on other investments in Japan (probes written blind, 2026-12-06).
        words, names = asked_words(question, _MONEY_WORDS), subject_names(question, top_sentences[0], titles)
        own = _amounts(question)
        # …and naming every name the best sentence shares with the question: the Mineta exchange's "$12
        # million", announced "on the sidelines of the G7 Leaders' Summit in Hiroshima", is no pledge for GPAI
        # (users dev u-nm-019)
        return not any(
            _amounts(s, {"money"}) - own
            and (i == 0 or (on_subject(s, words, names) and about(s, names, True)))
            for i, s in enumerate(top_sentences[:3])
        )
    if question_type(question) != "number" or not top_sentences or _HOW_OFTEN.search(question):
        return False
    if _SAYS_HOW_MUCH.search(question) and not translated:
        # "Will the framework tell my company how much risk is acceptable?" asks whether it says, and is
        # answered "it does not prescribe risk tolerance" as well as by a figure (dev u-para-082)
        return False
    asked = _amounts(question)
    # A translated question's terms have lost their order, and the reader's first sentence is less sure:
    # any of the three best, all quoted, may give the figure (ja dev, stop 34: two declined answerable
    # questions answered, one near miss lost).
    first = top_sentences[:3] if translated else top_sentences[:1]
    if not any(_amounts(s) - asked for s in first):
        return True
    # A sum of money, not "within 60 days" or "Executive Order 14091"; a translated "How much" asks only
    # that (rag/translate/translator.py: いくら, 金額, 予算, 費用).
    if _MONEY_ASKED.search(question) or (translated and question.startswith("How much")):
        # of what the question names, less the texts' names: ASPIRE's budget is not the subsea cables'
        # "joint funding" of "the United States and Japan", whom the fact sheet's title names (ja-562)
        named = subject_names(question, top_sentences[0], titles)
        return not any(_amounts(s, {"money"}) - asked and about(s, named) for s in top_sentences[:3])
    if translated:
        # only a counter names what is counted (何か国, 何社, 何人): the word order is lost
        counted = next((roots for asked, roots in _COUNTERS.items() if question.startswith(asked)), ())
        top = top_sentences[:3]
        return bool(counted) and not any(_counted_with_figure(c, s) for c in counted for s in top)
    counted = counted_noun(question)
    if counted is None or counted in _MEASURES:
        return False
    # A figure about something else is no answer. Not less the texts' names, as for a day: Amazon's jobs
    # are in "AWS estimates … 30,500 … jobs", about Japan, which the fact sheet's title names (u-para-034).
    names = subject_names(question, top_sentences[0])
    # "how many people" are counted as the texts count them, in experts or members, as a translated 何人 is
    # ("over 50 experts": dev probes pg6-055); any other noun stands for itself.
    alike = next((roots for roots in _COUNTERS.values() if counted in roots[:1]), (counted,))
    return not any(_counted_with_figure(c, s) and about(s, names) for c in alike for s in top_sentences[:3])


def counted_noun(question: str) -> str | None:
    """What a how-many question counts: the word before the verb when one comes within three words ("how
    many AI specialists did they hire" counts specialists, not AI), else the first ("how many people
    actually got hired")."""
    found = _COUNTED.search(question)
    if found and found.group(0).lower().startswith("headcount"):
        return "people"  # "the headcount of the panel" counts its people (the probes' dev half, pg4-002)
    words = found.group(1).lower().split() if found else []
    head = next((i for i, w in enumerate(words) if w in STOP_WORDS), None)
    word = words[0] if head is None and words else words[head - 1] if head else None
    roots = tokenize(word) if word else []  # the token root the sentences are matched on
    return roots[-1] if roots else None


# A figure beside the counted word: "160 new jobs", "funding of $110 million", "27 Member States". Not a
# reference number: "the right to vote enshrined in Article 39" counts no votes (dev u-nm-042).
_FIGURE = re.compile(
    r"(?:[$€£¥]?\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|forty|fifty|tens|hundreds?|thousands?|millions?|billions?|several|dozens?)",
    re.I,
)
_CODE = re.compile(r"\(\d+\)")
_REFERENCE_WORDS = frozenset("article articles regulation directive no paragraph point annex section".split())
_FIGURE_WINDOW = 3  # words either side


def _counted_with_figure(counted: str, sentence: str) -> bool:
    """The counted word (a token root) stands within a few words of a figure that is not a reference."""
    words, roots = _words(sentence)
    for i, word_roots in enumerate(roots):
        if counted not in word_roots:
            continue
        lo, hi = max(0, i - _FIGURE_WINDOW), min(len(words), i + _FIGURE_WINDOW + 1)
        for j in (*range(lo, i), *range(i + 1, hi)):
            after_reference = j > 0 and words[j - 1].lower().rstrip(".") in _REFERENCE_WORDS
            if _FIGURE.fullmatch(words[j].rstrip(",.")) and not after_reference:
                return True
    return False


@lru_cache(maxsize=1024)
def _words(sentence: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The sentence's words and each word's token roots, once per sentence: a how-many question looks for
    each of its counted words (a dozen for "people") in each of three sentences. A number in brackets is a
    code: "IT Specialist (2210)" is a job series, not 2,210 specialists (users dev u-nm-841); "twenty (20)
    experts" still counts by its word."""
    words = tuple(re.findall(r"[$€£¥]?[\w][\w,.'’-]*", _CODE.sub(" ", sentence)))
    return words, tuple(tuple(tokenize(w)) for w in words)


# A figure given as a magnitude, which the fact extractor (exact values, for checking) leaves out: "at least
# tens of billions of parameters" answers "roughly how many parameters" (dev u-para-603).
_MAGNITUDE = re.compile(
    r"\b(?:tens|hundreds|thousands|millions|billions|dozens) of(?= (?:thousands|millions|billions|\w+s)\b)"
    r"|\b(?:a|one|two|three|several|half a) dozen\b",
    re.I,
)


# The figure without its currency: a translated question's "110 million" (1億1000万ドル) is the text's "$110
# million", not a new figure (Japanese probes written blind, 2026-12-06).
_CURRENCY = re.compile(r"[$€£¥]|\b(?:usd|eur|jpy|us\$|dollars?|euros?|yen)\b|\s+", re.I)


def _amounts(text: str, kinds: frozenset[str] | set[str] = AMOUNT_KINDS) -> set[str]:
    found = {_CURRENCY.sub("", f.display).lower() for f in extract_facts(text) if f.kind in kinds}
    if "number" in kinds:
        found |= {m.group(0).lower() for m in _MAGNITUDE.finditer(text)}
    return found


_MONEY_WORDS = frozenset(tokenize("budget price cost money funding annual pledge sum amount dollar"))
# "how much money / funding / did it cost", "how many dollars": a sum is asked for. So is "how much … is
# Japan putting into / does it have to chip in / will they spend" (up to six words between: users dev,
# 2026-12-06), and "what's the budget".
_MONEY_ASKED = re.compile(
    r"\bhow much (?:money|funding|cash|budget|did (?:it|they) (?:cost|spend|pay|invest))\b"
    # (up to ten words: "how much does a non-member state like the US have to pay", fresh users dev, stop 54)
    r"|\bhow much\b(?:\s+[\w'’-]+){0,10}?\s+(?:costs?|spend(?:ing)?|spent|pay(?:ing)?|paid|invest(?:ing|ed)?"
    r"|contribut(?:e|ing)|chip(?:ping)? in|put(?:ting)? (?:in|into)|pour(?:ing)?|allocat(?:e|ed|ing)"
    r"|earmark(?:ed|ing)?|set aside)\b"
    r"|\bwhat(?:['’]s| is| was) the (?:[\w-]+ ){0,2}?(?:budget|price|cost)\b"
    r"|\bhow many (?:dollars|euros|yen)\b|\b(?:dollar|euro|yen|money) (?:pledge|amount|figure|sum)s?\b"
    r"|\bprice tag\b"
    # "is there a set yearly budget for the AI Office?" (a probe written blind, stop 44)
    r"|\b(?:a|any|set|its|their)\s+(?:[\w-]+\s+){0,2}?budget\b"
    # "is there a recommended payout per reported vulnerability?" (the probes' dev half, pg3-005)
    r"|\b(?:a|any|set|its|their)\s+(?:[\w-]+\s+){0,2}?payouts?\b"
    # a fragment: "Japan AI Safety Institute budget?" (the dev half of a third batch of probes, 2026-12-06)
    r"|\bbudget\W*$"
    # "funding amount for Italy's AI Hub?" (a fourth batch of probes)
    r"|\bfunding (?:amount|level|figure)s?\b|\bamount of (?:funding|money)\b"
    # other words for a sum (stop 51, from paraphrases of the shapes above, not from a question's failure)
    r"|\bwhat did\b[^?]{0,60}?\bcost\b|\b(?:total|overall)\s+(?:investment|funding|budget|cost|price)\b"
    r"|\bsize of (?:the|its|their|that) (?:fund|budget|investment|grant|pledge)\b",
    re.I,
)


# "how is the $110 million split between…", "how much of it goes to each", "by country": a share of a
# total is asked for. Its best sentences must give two figures beyond the question's own: the corpus gives
# totals ("$110 million in new AI research partnerships") and no shares (users dev u-nm-847, and the dev
# half of a third batch of probes written blind, 2026-12-06: 2 more).
_SPLIT_ASKED = re.compile(
    r"\b(?:split|broken down|break(?:s)? down|breakdown|divided|divvied up|apportioned)\b"
    r"|\bhow much (?:of (?:it|that|the|this)\b[^?]*\b(?:go(?:es)?|went) to|does each|did each|each)\b"
    r"|\b(?:by|per|for each) (?:country|member|partner|university|project|state)\b",
    re.I,
)


def split_missing(question: str, top_sentences: Sequence[str]) -> bool:
    """A question about how a total is shared whose top three sentences give fewer than two figures of
    its kind beyond the question's own: sums for a sum, counts for a count ("how were the 50-plus experts
    split between governments, industry…?": a fourth batch of probes)."""
    if not _SPLIT_ASKED.search(question) or not top_sentences:
        return False
    kinds = {"money"} if _amounts(question, {"money"}) else AMOUNT_KINDS
    own = _amounts(question, kinds)
    if not own:
        return False
    # After the best sentence, only figures of what the question asks about: JUMPP's "$5 million … $35
    # million" in the third sentence split no partnership's $110 million (users dev u-nm-847, stop 54).
    asked = asked_words(question, _SPLIT_WORDS)
    about_it = [s for i, s in enumerate(top_sentences[:3]) if i == 0 or on_subject(s, asked, set())]
    given = set().union(*(_amounts(s, kinds) for s in about_it)) - own
    return len(given) < 2


# The words that ask for a split, and the words of figures, say nothing of what is split.
_SPLIT_WORDS = frozenset(
    tokenize("split broken break breakdown divided divvied apportioned each per million billion thousand")
)


# "Is there a compute cutoff for an 'advanced AI system'?", "what user-count threshold…", "a minimum age":
# a figure is asked for without "how many". The texts that set one state it ("greater than 10^26
# operations"); the Hiroshima texts and the Japanese guidelines name advanced systems by no figure (users dev
# u-nm-007 and the probes' dev half, pg7-027). "Is the 10^26 cutoff set in stone?" asks of a figure it
# gives, so only "is there / what / any … cutoff" asks for one.
_THRESHOLD_ASKED = re.compile(
    r"\b(?:is there|are there|any|what(?:['’]s| is| are)?|which)\b[^?.]{0,40}?"
    r"\b(?:thresholds?|cut-?offs?|minimum age|age limits?)\b",
    re.I,
)


def threshold_missing(question: str, top_sentences: Sequence[str]) -> bool:
    """A question for a threshold or a cutoff whose best sentence gives no figure beyond its own: the
    order's "greater than 10^26 … operations" is no cutoff of the Hiroshima texts' (u-nm-007), and a figure
    of a sentence after it is of something else, as for "how many" (`amount_missing`)."""
    if not _THRESHOLD_ASKED.search(question) or not top_sentences:
        return False
    return not (_amounts(top_sentences[0]) - _amounts(question))


# "What was the final vote tally when Parliament passed the AI Act?": votes counted, which a text records only
# as a figure beside "votes" (the probes' dev half, pg8-022; "how many votes" already asked so).
_TALLY_ASKED = re.compile(
    r"\b(?:vote|voting)\s+(?:tally|tallies|count|counts|breakdown|margin|split)\b", re.I
)


def tally_missing(question: str, top_sentences: Sequence[str]) -> bool:
    """A question for a vote's tally whose top three sentences give no figure beside a vote."""
    if not _TALLY_ASKED.search(question) or not top_sentences:
        return False
    return not any(_counted_with_figure(c, s) for c in _COUNTERS["How many votes"] for s in top_sentences[:3])
