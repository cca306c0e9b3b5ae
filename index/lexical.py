"""Lexical search: SQLite FTS5's BM25, with user text turned into safe quoted terms.

FTS5 scores every passage holding any term of the question, one row at a time: at 20,000 passages a
question in plain speech costs it ~17 ms. The index build therefore also writes `LexicalMatrix`, FTS5's own
BM25 weight of every (term, passage) read out of the FTS5 index, so a question is a few numpy additions.
Both paths give the same scores (tests/index/test_index_lexical.py); FTS5 answers while the matrix is
missing or older than the store (lexical-only mode, or before the first build).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import sqlite_utils

from index.stamped_arrays import load_stamped, save_stamped, saved_stamp

TOKENIZE = "porter unicode61"
"""The FTS5 tokenizer of the passage index (index/store.py) and of questions read for the matrix."""
COLUMN_WEIGHTS = (2.0, 1.0)
"""BM25 weight of a passage's heading and text: headings weigh double."""
K1, B = 1.2, 0.75
"""FTS5's BM25 parameters (fixed in SQLite)."""
MATRIX_FILE = "lexical.npz"

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


def query_terms(query: str) -> list[str]:
    """The question's words worth matching, lower-cased, once each, in order."""
    tokens = [t for t in _TOKEN.findall(query.lower()) if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]
    return list(dict.fromkeys(tokens))


def _quoted(token: str) -> str:
    # Inside FTS5 quotes only the double quote is special; the tokenizer splits 7.1.5 into a phrase.
    return '"' + token.replace('"', '""') + '"'


def match_expression(query: str) -> str | None:
    """An FTS5 OR-expression of quoted tokens (so `7.1.5` or `ISO-9001` cannot break MATCH); None if empty."""
    return " OR ".join(map(_quoted, query_terms(query))) or None


def _fts_search(db: sqlite_utils.Database, expression: str, limit: int) -> list[tuple[int, float]]:
    weights = ", ".join(map(str, COLUMN_WEIGHTS))
    rows = db.execute(
        f"select rowid, -bm25(passages_fts, {weights}) as score from passages_fts "
        "where passages_fts match ? order by score desc, rowid limit ?",
        (expression, limit),
    ).fetchall()
    return [(int(rowid), float(score)) for rowid, score in rows]


def search(
    db: sqlite_utils.Database, query: str, limit: int = 200, matrix: LexicalMatrix | None = None
) -> list[tuple[int, float]]:
    """Passage ids with a BM25 score (higher is better), best first; from `matrix` when given."""
    if matrix is not None:
        return matrix.search(db, query, limit)
    expression = match_expression(query)
    return _fts_search(db, expression, limit) if expression else []


_tokenizer = threading.local()


@lru_cache(maxsize=8192)
def _fts_terms(token: str) -> tuple[str, ...]:
    """The FTS5 terms of one question word (`7.1.5` gives three, a phrase), read by the index's own tokenizer."""
    db = getattr(_tokenizer, "db", None)
    if db is None:
        db = _tokenizer.db = sqlite3.connect(":memory:")
        db.execute(f"create virtual table words using fts5(word, tokenize='{TOKENIZE}')")
        db.execute("create virtual table word_terms using fts5vocab(words, instance)")
    with db:
        db.execute("delete from words")
        db.execute("insert into words(word) values (?)", (token,))
        return tuple(term for (term,) in db.execute("select term from word_terms order by offset"))


class LexicalMatrix:
    """FTS5's BM25 weight of each term in each passage, as a sparse term-by-passage matrix (CSR).

    A passage's score for a question is the sum of its weights for the question's words, as in FTS5;
    a word of several terms (a clause number, a hyphenated word) is a phrase, scored by FTS5 itself.
    """

    def __init__(self, stamp: str, terms: np.ndarray, indptr: np.ndarray, columns: np.ndarray,
                 weights: np.ndarray, ids: np.ndarray):
        self.stamp = stamp
        """The store version (KnowledgeStore.version) the weights were read from."""
        self._row = {term: i for i, term in enumerate(terms.tolist())}
        self._terms, self._indptr, self._columns, self._weights, self.ids = terms, indptr, columns, weights, ids

    @staticmethod
    def stamp_of(version: tuple) -> str:
        return json.dumps(list(version))

    @classmethod
    def from_db(cls, db: sqlite_utils.Database, version: tuple) -> LexicalMatrix:
        """Read every term's occurrences out of the FTS5 index and weigh them as FTS5's bm25() does."""
        for kind in ("row", "instance"):
            db.execute(f"create virtual table if not exists temp.passage_terms_{kind} "
                       f"using fts5vocab(main, passages_fts, {kind})")
        # One read transaction: an import by another process cannot land between the three reads.
        db.execute("savepoint lexical_matrix")
        try:
            rows = db.execute("select count(*) from passages_fts_docsize").fetchone()[0]
            vocabulary = db.execute("select term, doc from temp.passage_terms_row order by term").fetchall()
            # Per (term, passage), in term order: weighted occurrences (heading, text) and plain occurrences.
            pairs = np.array(db.execute(
                "select doc, sum(iif(col = 'heading', ?, ?)), count(*) from temp.passage_terms_instance "
                "group by term, doc order by term, doc", COLUMN_WEIGHTS,
            ).fetchall(), dtype=np.float64).reshape(-1, 3)
        finally:
            db.execute("release lexical_matrix")
        terms = np.array([term for term, _ in vocabulary], dtype=str)
        hits = np.array([count for _, count in vocabulary], dtype=np.int64)
        docs, freq = pairs[:, 0].astype(np.int64), pairs[:, 1]
        ids, columns = np.unique(docs, return_inverse=True)
        # A passage's length in tokens, every column together (FTS5's xColumnSize(-1)), over the average.
        length = np.bincount(columns, weights=pairs[:, 2], minlength=len(ids))
        relative = length / (length.sum() / rows) if rows else length
        idf = np.log((rows - hits + 0.5) / (hits + 0.5))
        idf[idf <= 0.0] = 1e-6  # as FTS5: a term in half the passages or more still counts, barely
        weights = np.repeat(idf, hits) * freq * (K1 + 1) / (freq + K1 * (1 - B + B * relative[columns]))
        indptr = np.r_[0, np.cumsum(hits)].astype(np.int64)
        return cls(cls.stamp_of(version), terms, indptr, columns.astype(np.int32), weights, ids)

    def save(self, directory: Path) -> None:
        save_stamped(directory / MATRIX_FILE, self.stamp, terms=self._terms, indptr=self._indptr,
                     columns=self._columns, weights=self._weights, ids=self.ids)

    @staticmethod
    def saved_stamp(directory: Path) -> str | None:
        """The stamp of the matrix on disk without reading the rest (None: none, or unreadable)."""
        return saved_stamp(directory / MATRIX_FILE)

    @classmethod
    def load(cls, directory: Path, version: tuple) -> LexicalMatrix | None:
        """The matrix on disk if it was read from the store as it is now (None: missing, damaged or out of date:
        FTS5 answers)."""
        stamp = cls.stamp_of(version)
        saved = load_stamped(directory / MATRIX_FILE, stamp, ("terms", "indptr", "columns", "weights", "ids"))
        return cls(stamp, **saved) if saved is not None else None

    def search(self, db: sqlite_utils.Database, query: str, limit: int) -> list[tuple[int, float]]:
        scores = np.zeros(len(self.ids))
        phrases = []
        for token in query_terms(query):
            terms = _fts_terms(token)
            if len(terms) > 1:
                phrases.append(token)
            elif terms and (row := self._row.get(terms[0])) is not None:
                start, end = self._indptr[row], self._indptr[row + 1]
                scores[self._columns[start:end]] += self._weights[start:end]  # a passage once per term
        for phrase in phrases:  # a phrase's BM25 adds to the rest (FTS5 sums per phrase); FTS5 supplies it
            found = _fts_search(db, _quoted(phrase), -1)
            if found:
                pids, values = np.array(found).T
                scores[np.searchsorted(self.ids, pids.astype(np.int64))] += values
        hit = np.flatnonzero(scores > 0)
        ids, values = self.ids[hit], scores[hit]
        if 0 <= limit < len(hit):
            # The best `limit`, equal scores at the cut taken by lowest id (ids are ascending), as FTS5's order.
            kth = np.partition(values, len(values) - limit)[len(values) - limit]
            ties = np.flatnonzero(values == kth)[: limit - int((values > kth).sum())]
            top = np.r_[np.flatnonzero(values > kth), ties]
            ids, values = ids[top], values[top]
        order = np.lexsort((ids, -values))
        return [(int(i), float(v)) for i, v in zip(ids[order], values[order], strict=True)]

