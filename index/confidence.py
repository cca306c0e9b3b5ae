"""Calibrated confidence: how likely a search result is the right clause, and when to say "no good match".

A fused rank score says which clause is best, not whether any clause fits: gibberish still has a first
result. The confidence combines the result's fused score with how close the question came to anything
in the catalogue (best passage and best facet cosine) and whether its words are known (lexical hits,
thesaurus terms), through a logistic model fitted on the blind set's dev half
(benchmarks/calibrate.py): at 0.5, about half the top results are right.
"""

from __future__ import annotations

import math

from pydantic import BaseModel

NO_MATCH_BELOW = 0.2
"""Top confidence under which the answer is "no good match" and no clause is shown."""


class Signals(BaseModel):
    """What one search saw, besides the ranking itself."""

    cosine: float = 0.0
    """Best cosine between the question and an allowed passage (0 in lexical-only mode)."""
    facet: float = 0.0
    """Best cosine between the question and a clause facet."""
    lexical_hits: int = 0
    site_words: int = 0
    """Thesaurus terms in the question."""
    exact: bool = False
    """The question names a clause by number."""


class Calibration(BaseModel):
    """Logistic-regression weights over the features below (fitted on blind dev)."""

    model: str = "all-MiniLM-L6-v2"
    """The embedding model the weights were fitted with; other embedders fall back to a cosine floor."""
    intercept: float = -9.0
    score: float = 2.0
    cosine: float = 6.0
    facet: float = 8.0
    lexical: float = 0.3
    site_words: float = 0.5


CALIBRATION = Calibration()


def features(signals: Signals, score: float) -> dict[str, float]:
    return {
        "score": score,
        "cosine": signals.cosine,
        "facet": signals.facet,
        "lexical": math.log1p(min(signals.lexical_hits, 50)),
        "site_words": min(signals.site_words, 3),
    }


def confidence(signals: Signals, score: float, calibration: Calibration = CALIBRATION) -> float:
    """Probability (0-1) that a result with this fused score is a right clause for the question."""
    if signals.exact and score >= 1.0:
        return 1.0
    weights = calibration.model_dump(exclude={"model"})
    z = weights.pop("intercept") + sum(weights[name] * value for name, value in features(signals, score).items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
