"""Q1-only requirements in ISO terms: their site questions train their nearest ISO clause, and search lends
their score to it, one way."""

from __future__ import annotations

import pytest

from index.facets import facet_sets
from index.passage_table import PassageTable
from knowledge.catalogue import ISO, Q1, ClauseKey, load_catalogue
from knowledge.site_questions import load_site_questions

ISO_6_1 = ClauseKey(ISO, "2015", "6.1")
CONTINGENCY = ClauseKey(Q1, "10th", "5.3.3")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_contingency_site_questions_also_speak_for_iso_6_1(catalogue):
    heard = facet_sets(catalogue, None)["heard"]
    contingency = {text for key, text in load_site_questions() if key == CONTINGENCY}
    for_iso = {text for key, text in heard if key == ISO_6_1}
    assert contingency and contingency <= for_iso
    assert [(key, text) for key, text in heard if key == CONTINGENCY] == [
        (key, text) for key, text in load_site_questions() if key == CONTINGENCY]  # Q1 gets nothing back
    assert len(heard) == len(set(heard))


def test_search_links_iso_6_1_to_contingency_planning_one_way(service, catalogue):
    table = PassageTable.load(service.store.db, catalogue)
    iso, q1 = table.clause_rows[ISO_6_1], table.clause_rows[CONTINGENCY]
    pairs = set(zip(table.link_from.tolist(), table.link_to.tolist(), strict=True))
    assert (iso, q1) in pairs  # 6.1 takes a share of contingency planning's score
    assert (q1, iso) not in pairs  # a risk-register question does not pull contingency planning up
