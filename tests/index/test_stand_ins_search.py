"""Stand-ins in search: a clause's site questions train its stand-ins (the nearest ISO clause of a Q1-only
requirement, the other edition's home of an unmapped Q1 clause), and search lends its score to them, one way."""

from __future__ import annotations

import pytest

from index.facets import facet_sets
from index.passage_table import PassageTable
from knowledge.catalogue import ISO, Q1, ClauseKey, load_catalogue
from knowledge.site_questions import load_site_questions

ISO_6_1 = ClauseKey(ISO, "2015", "6.1")
CONTINGENCY = ClauseKey(Q1, "10th", "5.3.3")
VALIDATION_9TH = ClauseKey(Q1, "9th", "5.7.1.5")
PRODUCTION_10TH = ClauseKey(Q1, "10th", "5.6")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_contingency_site_questions_also_speak_for_iso_6_1(catalogue):
    heard = facet_sets(catalogue, None)["heard"]
    contingency = {text for key, text in load_site_questions() if key == CONTINGENCY}
    for_iso = {text for key, text in heard if key == ISO_6_1}
    assert contingency and contingency <= for_iso
    iso_own = {text for key, text in load_site_questions() if key == ISO_6_1}
    assert not iso_own & {text for key, text in heard if key == CONTINGENCY}  # one way: nothing comes back
    assert len(heard) == len(set(heard))


def test_9th_process_validation_questions_also_speak_for_the_10th_home(catalogue):
    heard = facet_sets(catalogue, None)["heard"]
    validation = {text for key, text in load_site_questions() if key == VALIDATION_9TH}
    assert validation and validation <= {text for key, text in heard if key == PRODUCTION_10TH}


@pytest.mark.parametrize("stand_in, lender", [(ISO_6_1, CONTINGENCY), (PRODUCTION_10TH, VALIDATION_9TH)])
def test_search_links_a_stand_in_to_what_it_stands_in_for_one_way(service, catalogue, stand_in, lender):
    table = PassageTable.load(service.store.db, catalogue)
    to, of = table.clause_rows[stand_in], table.clause_rows[lender]
    pairs = set(zip(table.link_from.tolist(), table.link_to.tolist(), strict=True))
    assert (to, of) in pairs  # ISO 6.1 takes a share of contingency planning's score
    assert (of, to) not in pairs  # a risk-register question does not pull contingency planning up
