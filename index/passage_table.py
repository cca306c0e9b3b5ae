"""What the ranker knows about every passage, as numpy arrays kept beside the faiss index.

Rows follow passage ids in ascending order. Each row has a group (the clauses of one edition, the
user's licensed text of one edition, or procedures: ranks count within a group), and the table keeps the
crosswalk / other-edition links between clause rows and the clauses each procedure cites, as pairs of
row arrays, so fusion is array arithmetic with no per-passage Python objects.
"""

from __future__ import annotations

import json
from typing import Literal

import numpy as np
import sqlite_utils

from index.store import CATALOGUE_DOC_ID
from knowledge.catalogue import Q1, Catalogue, ClauseKey

ResultKind = Literal["clause", "licensed-text", "procedure"]
Group = tuple[str | None, str | None, ResultKind]
"""(standard, edition, kind): standard and edition are None for procedures."""

_ROWS_SQL = """
select p.id, d.doc_id, d.kind, d.standard, d.edition, p.clause_refs
from passages p join documents d on d.id = p.document_id order by p.id
"""


def _pairs(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    array = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return array[:, 0].copy(), array[:, 1].copy()


class PassageTable:
    """Passage rows as arrays: ids, group codes, clause links and procedure citations."""

    def __init__(
        self,
        ids: np.ndarray,
        group: np.ndarray,
        groups: list[Group],
        clause_rows: dict[ClauseKey, int],
        links: tuple[np.ndarray, np.ndarray],
        cites: tuple[np.ndarray, np.ndarray],
    ):
        self.ids = ids
        """Passage ids, ascending."""
        self.group = group
        """Index into `groups` per row."""
        self.groups = groups
        self.clause_rows = clause_rows
        self.link_from, self.link_to = links
        """Clause row -> rows of its crosswalk counterparts and other-edition clause."""
        self.cite_from, self.cite_to = cites
        """Procedure row -> rows of the catalogue clauses it cites."""
        self.is_procedure = np.array([g[2] == "procedure" for g in groups], dtype=bool)[group]
        # Row by id as a plain array when ids are dense enough (they are SQLite rowids): a gather is
        # several times cheaper than a binary search when every passage's dense hit is looked up.
        top = int(ids[-1]) + 1 if len(ids) else 0
        self._row_by_id: np.ndarray | None = None
        if 0 < top <= 4 * len(ids) + 4096:
            self._row_by_id = np.full(top, -1, dtype=np.int64)
            self._row_by_id[ids] = np.arange(len(ids))

    @classmethod
    def load(cls, db: sqlite_utils.Database, catalogue: Catalogue) -> PassageTable:
        rows = db.execute(_ROWS_SQL).fetchall()
        codes: dict[Group, int] = {}
        group = np.empty(len(rows), dtype=np.int32)
        clause_rows: dict[ClauseKey, int] = {}
        refs_by_row: list[tuple[int, list[str]]] = []
        for row, (_, doc_id, kind, standard, edition, refs) in enumerate(rows):
            if doc_id == CATALOGUE_DOC_ID:
                key = ClauseKey(*json.loads(refs)[0].split(":", 2))
                clause_rows[key] = row
                entry: Group = (key.standard, key.edition, "clause")
            elif kind == "standard":
                entry = (standard, edition, "licensed-text")
            else:
                entry = (None, None, "procedure")
                if refs and refs != "[]":
                    refs_by_row.append((row, json.loads(refs)))
            group[row] = codes.setdefault(entry, len(codes))
        links: list[tuple[int, int]] = []
        for key, row in clause_rows.items():
            clause = catalogue.get(*key)
            # A clause with no established counterpart lends to its stand-ins (one way: ISO 6.1 is where an ISO
            # reader looks for contingency planning; a risk question should not pull contingency planning up).
            linked = [c.key for c in catalogue.counterparts(clause) + catalogue.stood_in_for(clause)]
            for move in catalogue.edition_moves(clause):
                linked += [ClauseKey(Q1, "9th", move.q1_9th), ClauseKey(Q1, "10th", move.q1_10th)]
            links += [(row, clause_rows[k]) for k in dict.fromkeys(linked) if k in clause_rows and k != key]
        cites = [
            (row, clause_rows[key])
            for row, refs in refs_by_row
            for key in dict.fromkeys(ClauseKey(*ref.split(":", 2)) for ref in refs)
            if key in clause_rows
        ]
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        return cls(ids, group, list(codes), clause_rows, _pairs(links), _pairs(cites))

    def __len__(self) -> int:
        return len(self.ids)

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Row of each passage id, -1 for ids not in the table."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(self.ids):
            return np.full(len(ids), -1, dtype=np.int64)
        if self._row_by_id is not None:
            inside = (ids >= 0) & (ids < self._row_by_id.size)
            return np.where(inside, self._row_by_id[np.where(inside, ids, 0)], -1)
        rows = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        return np.where(self.ids[rows] == ids, rows, -1)

    def allowed(self, editions: set[tuple[str, str]]) -> np.ndarray:
        """Per group code: procedures always, clauses and licensed text of the wanted editions only."""
        return np.array([g[2] == "procedure" or g[:2] in editions for g in self.groups], dtype=bool)
