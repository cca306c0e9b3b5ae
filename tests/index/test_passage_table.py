"""Passage ids to table rows: the same answer whether ids are dense (array lookup) or sparse (binary search)."""

from __future__ import annotations

import numpy as np
import pytest

from index.passage_table import PassageTable

NO_PAIRS = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


@pytest.mark.parametrize("ids", [[1, 2, 3, 5, 8], [3, 10**6, 10**9]], ids=["dense", "sparse"])
def test_rows_of_finds_each_id_and_marks_unknown_ones(ids):
    table = PassageTable(
        np.array(ids, dtype=np.int64), np.zeros(len(ids), dtype=np.int64), [("", "", "procedure")], {}, NO_PAIRS, NO_PAIRS
    )
    asked = np.array([ids[-1], 4, ids[0], -7, 10**12, ids[1]], dtype=np.int64)
    assert table.rows_of(asked).tolist() == [len(ids) - 1, -1, 0, -1, -1, 1]
