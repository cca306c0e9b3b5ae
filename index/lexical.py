"""Lexical search with SQLite FTS5 (BM25), with user text turned into a safe MATCH expression."""

from __future__ import annotations

import re

import sqlite_utils

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.\-/][A-Za-z0-9]+)*")
# Words that match nearly every passage: they slow FTS5 down and dilute BM25 on questions in plain speech.
_STOPWORD_TEXT = """a about above after again all also am an and any are as at be been before being below between both
    but by can could did do does doing done down during each few for from further get got had has have
    having he her here hers him his how i if in into is it its itself just me might more most must my no
    nor not now of off on once only or other our ours out over own same shall she should so some such
    than that the their theirs them then there these they this those through to too under until up us
    very was we were what when where which while who whom why will with would you your yours
    clause clauses q1 iso 9001 api standard requirement requirements say says cover covers need needs
    whats"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def match_expression(query: str) -> str | None:
    """An FTS5 OR-expression of quoted tokens (so `7.1.5` or `ISO-9001` cannot break MATCH); None if empty."""
    tokens = []
    for token in _TOKEN.findall(query.lower()):
        if token in STOPWORDS or len(token) < 2 and not token.isdigit():
            continue
        # Inside FTS5 quotes only the double quote is special; the tokenizer splits 7.1.5 into a phrase.
        quoted = '"' + token.replace('"', '""') + '"'
        if quoted not in tokens:
            tokens.append(quoted)
    return " OR ".join(tokens) if tokens else None


PRUNE_FROM = 2000
"""Passages from which words found in half the library are left out of the MATCH (below, it saves nothing)."""


def _informative(db: sqlite_utils.Database, terms: list[str]) -> list[str]:
    """The terms that can move a BM25 score.

    FTS5 gives a term found in half the passages or more an IDF of 1e-6 (it clamps the negative
    value), so it adds nothing to any score, yet every passage holding it becomes a match to score:
    at 20,000 passages most of the query's time. Leaving such terms out keeps every score as it was.
    """
    total = db.execute("select count(*) from passages_fts_docsize").fetchone()[0]
    if total < PRUNE_FROM:
        return terms
    half = total // 2
    kept = [
        term for term in terms
        if db.execute(
            "select count(*) from (select 1 from passages_fts where passages_fts match ? limit ?)", (term, half + 1)
        ).fetchone()[0] * 2 < total
    ]
    return kept or terms


def search(db: sqlite_utils.Database, query: str, limit: int = 200) -> list[tuple[int, float]]:
    """Passage ids with a BM25 score (higher is better), best first; headings weigh double."""
    expression = match_expression(query)
    if expression is None:
        return []
    expression = " OR ".join(_informative(db, expression.split(" OR ")))
    rows = db.execute(
        "select rowid, -bm25(passages_fts, 2.0, 1.0) as score from passages_fts "
        "where passages_fts match ? order by score desc limit ?",
        (expression, limit),
    ).fetchall()
    return [(int(rowid), float(score)) for rowid, score in rows]
