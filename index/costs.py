"""What an import or an index update will cost before it starts, so nothing long happens silently."""

from __future__ import annotations

from index.clause_classifier import TRAINING_SECONDS
from index.facets import hashed_texts
from index.store import KnowledgeStore
from index.vectors import cached_vectors
from knowledge.catalogue import ClauseKey
from knowledge.errors import Q1AuditError

EMBED_PASSAGES_PER_SECOND = 20.0
"""MiniLM on a 2-core laptop CPU, long passages (the reliability review measured 20/s; the sample
QMS embeds at about 35/s). Deliberately the slow figure: an estimate that is too short is worse."""
LARGE_IMPORT_PASSAGES = 5_000
"""A file with more passages than this is asked about before it is stored (a procedure has a few hundred)."""
LONG_REBUILD_PASSAGES = 1_000
"""`ask` refuses to embed more than this inline (about a minute); `index build` does it with progress."""


def embed_seconds(passages: int, model: str) -> float:
    """Estimated seconds to embed `passages` texts with `model` (the hashing test embedder is instant)."""
    return 0.0 if model.startswith("hashing") else passages / EMBED_PASSAGES_PER_SECOND


def duration_words(seconds: float) -> str:
    """"about 90 minutes", "about 2 hours", "under a minute"."""
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    return f"about {seconds / 3600:.0f} hours"


def pending_embeddings(store: KnowledgeStore, model: str, facets: list[tuple[ClauseKey, str]] = ()) -> int:
    """Passages and clause facets whose text has no cached vector for `model`: what the next index
    build must embed (a fresh data directory embeds a few thousand facets besides its passages)."""
    passages = store.db.execute(
        "select count(distinct p.content_hash) from passages p "
        "left join embeddings e on e.model = ? and e.content_hash = p.content_hash "
        "where e.content_hash is null",
        (model,),
    ).fetchone()[0]
    hashes = list(dict(hashed_texts(list(facets))))
    return passages + len(hashes) - len(cached_vectors(store.db, model, hashes))


class LongRebuildError(Q1AuditError):
    title = "Index out of date"


def check_inline_rebuild(
    store: KnowledgeStore, model: str, facets: list[tuple[ClauseKey, str]] = (), classifier_current: bool = True
) -> str | None:
    """Before a search that would bring the index up to date inline: a note saying so when it is short,
    LongRebuildError pointing to `q1audit index build` when it would take long; None when nothing to do.
    `classifier_current`: False when the clause classifier must be trained again (index/clause_classifier.py)."""
    pending = pending_embeddings(store, model, facets)
    if not pending and classifier_current:
        return None
    if not pending:
        return f"updating the search index first: the clause classifier to train (about {TRAINING_SECONDS:.0f} s)"
    cost = duration_words(embed_seconds(pending, model) + (0.0 if classifier_current else TRAINING_SECONDS))
    if pending > LONG_REBUILD_PASSAGES and embed_seconds(pending, model) > 60:
        raise LongRebuildError(
            f"the search index is {pending:,} passages and clause facets behind the knowledge base ({cost} to embed); "
            "run `q1audit index build` first (it shows progress)"
        )
    return f"updating the search index first: {pending:,} passages and clause facets to embed ({cost})"
