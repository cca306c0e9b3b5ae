"""Calibrated confidence: how likely a search result is the right clause, and when to say "no good match".

A fused rank score says which clause is best, not whether any clause fits: gibberish still has a first
result. Confidence is the product of two logistic models fitted by benchmarks/calibrate.py:
- on topic: how close the question came to anything in the knowledge base (the best passage cosine) and
  how sure the clause classifier is from its words, fitted on the blind set's dev questions against
  inputs with no right clause of our own;
- right clause: the result's fused score and that cosine, fitted on dev questions only,
so that among on-topic questions about half the top results at 0.5 are right. A question none of whose
words occur in the catalogue or the documents (keyboard mashing, most off-topic chat) is no match at all.
"""

from __future__ import annotations

import math

from pydantic import BaseModel

NO_MATCH_BELOW = 0.15
"""Top confidence under which the answer is "no good match" and no clause is shown (chosen on blind dev and
our own no-answer inputs). It keeps fewer than 1 in 100 right first results on dev below it (4 of 628) and
takes the right clause out of the five shown for 10 of 841 dev questions; 0.12 would save three of those but
show a clause for three more of our 116 off-topic inputs, the review's weather question among them ("what's
the weather in Houston tomorrow": 0.148)."""


class Signals(BaseModel):
    """What one search saw, besides the ranking itself."""

    cosine: float = 0.0
    """Best cosine between the question as typed (without thesaurus expansion) and an allowed passage
    (0 in lexical-only mode)."""
    lexical_hits: int = 0
    """Passages sharing a word with the question."""
    exact: bool = False
    """The question names a clause by number."""
    word_lift: float | None = None
    """How many times likelier than a blind guess the clause classifier finds its first clause from the
    question's word pieces (its probability times the number of clauses; None without a classifier): near 1
    when the words are not our kind of words. Times the number of clauses, so a catalogue of another size
    reads the same."""


class Calibration(BaseModel):
    """Logistic-regression weights of the two models (see the module docstring)."""

    model: str = "all-MiniLM-L6-v2"
    """The embedding model the weights were fitted with; other embedders fall back to a cosine floor."""
    on_topic_intercept: float = -15.15
    on_topic_cosine: float = 31.04
    on_topic_words: float = 2.38
    """Weight of the log of `Signals.word_lift` (left out when there is none)."""
    right_intercept: float = -7.91
    right_score: float = 12.67
    right_cosine: float = -0.74


CALIBRATION = Calibration()


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _words_term(signals: Signals, c: Calibration) -> float:
    if signals.word_lift is None:
        return 0.0
    return c.on_topic_words * math.log(max(signals.word_lift, 1e-6))


def confidence(signals: Signals, score: float, calibration: Calibration = CALIBRATION) -> float:
    """Probability (0-1) that a result with this fused score is a right clause for the question."""
    if signals.exact and score >= 1.0:
        return 1.0
    c = calibration
    on_topic = _sigmoid(c.on_topic_intercept + c.on_topic_cosine * signals.cosine + _words_term(signals, c))
    right = _sigmoid(c.right_intercept + c.right_score * score + c.right_cosine * signals.cosine)
    return on_topic * right


def no_good_match(signals: Signals, top_confidence: float) -> bool:
    """No clause is worth showing: no word of the question is known, or the best result is too unsure."""
    if signals.exact:
        return False
    return signals.lexical_hits == 0 or top_confidence < NO_MATCH_BELOW
