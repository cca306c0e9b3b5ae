"""Calibrated confidence: how likely a search result is the right clause, and when to say "no good match".

A fused rank score says which clause is best, not whether any clause fits: gibberish still has a first
result. The confidence combines the result's fused score with how close the question came to anything
in the knowledge base (the best passage cosine), through a logistic model fitted on the blind set's dev
half plus inputs with no right clause (benchmarks/calibrate.py): at 0.5, about half the top results are
right. Lexical hits, thesaurus terms and the best facet cosine were tried as features and got no weight.
"""

from __future__ import annotations

import math

from pydantic import BaseModel

NO_MATCH_BELOW = 0.25
"""Top confidence under which the answer is "no good match" and no clause is shown (on blind dev this
drops 1.6% of right top results and keeps about a quarter of gibberish and off-topic inputs, all below 0.5)."""


class Signals(BaseModel):
    """What one search saw, besides the ranking itself."""

    cosine: float = 0.0
    """Best cosine between the question and an allowed passage (0 in lexical-only mode)."""
    exact: bool = False
    """The question names a clause by number."""


class Calibration(BaseModel):
    """Logistic-regression weights (fitted on blind dev and our own no-answer inputs)."""

    model: str = "all-MiniLM-L6-v2"
    """The embedding model the weights were fitted with; other embedders fall back to a cosine floor."""
    intercept: float = -5.92
    score: float = 5.45
    cosine: float = 5.19


CALIBRATION = Calibration()


def features(signals: Signals, score: float) -> dict[str, float]:
    return {"score": score, "cosine": signals.cosine}


def confidence(signals: Signals, score: float, calibration: Calibration = CALIBRATION) -> float:
    """Probability (0-1) that a result with this fused score is a right clause for the question."""
    if signals.exact and score >= 1.0:
        return 1.0
    weights = calibration.model_dump(exclude={"model"})
    z = weights.pop("intercept") + sum(weights[name] * value for name, value in features(signals, score).items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
