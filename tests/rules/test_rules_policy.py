"""Every rule follows the written grading policy (rules/GRADING.md): grades, bases, impacts, suppression."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import rules
from rules.engine import RuleEngine
from rules.grading import POLICY_BASIS, policy_grade
from rules.models import AnswerValue, AuditContext
from rules.packs import RuleEntry

ENGINE = RuleEngine.load()
ACTIVE = ENGINE.active_rules()
BY_ID = {r.id: r for r in ENGINE.rules}
CTX = AuditContext(audit_date=date(2025, 6, 30))
# The review's R-1 list: "no documented procedure" rules, minor unless the process is absent as well.
PROCEDURE_RULES = ["RSK-001", "CON-001", "MOC-001", "EXT-001", "MON-001", "DOC-001", "REC-001", "TRN-001",
                   "CTR-001", "PUR-001", "RCV-001", "CAL-003", "NCP-001", "IA-005", "CAR-006"]
# The review's R-2 list: each states a missed requirement, so each is at least minor.
MISSED_REQUIREMENT_RULES = ["PUR-003", "TRN-005", "RCV-004", "CAR-002"]


@pytest.mark.parametrize("rule", ACTIVE, ids=lambda r: r.id)
def test_every_grade_is_the_policy_grade(rule):
    assert rule.entry.grade == policy_grade(rule.entry.basis, rule.entry.impact), rule.source


def test_every_major_is_absence_breakdown_or_product_impact():
    for rule in ACTIVE:
        if rule.entry.grade == "major":
            assert rule.entry.basis in ("absence", "breakdown") or rule.entry.impact in ("shipped", "monogram"), rule.id


@pytest.mark.parametrize(
    ("basis", "impact", "grade"),
    [("lapse", "shipped", "major"), ("lapse", "monogram", "major"), ("procedure", "shipped", "major"),
     ("absence", "contained", "minor"), ("lapse", "contained", "minor"), ("weakness", "shipped", "observation"),
     ("improvement", None, "ofi"), ("breakdown", None, "major"), ("lapse", "corrected", "observation")],
)
def test_impact_moves_grades(basis, impact, grade):
    assert policy_grade(basis, impact) == grade


@pytest.mark.parametrize("basis", ["procedure", "breakdown", "absence", "weakness"])
def test_only_a_lapse_can_be_corrected(basis):
    entry = {"id": "TST-001", "slug": "test-rule", "title": "A rule for the test", "grade": policy_grade(basis),
             "basis": basis, "impact": "corrected", "clauses": {"iso": ["8.5.3"]}, "status": "retired"}
    with pytest.raises(ValueError, match="only for a `lapse`"):
        RuleEntry.model_validate(entry)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"rsk_register": "yes", "rsk_actions_tracked": "partial", "rsk_open_high": "1", "rsk_overdue_replanned": "yes"},
         [("RSK-009", "observation")]),
        ({"rsk_register": "yes", "rsk_actions_tracked": "partial", "rsk_open_high": "1", "rsk_overdue_replanned": "no"},
         [("RSK-005", "minor")]),
        ({"ext_latest_addendum": "partial", "ext_addendum_no_change": "yes"}, [("EXT-006", "observation")]),
        ({"ext_latest_addendum": "partial", "ext_addendum_no_change": "no"}, [("EXT-004", "minor")]),
        ({"ext_latest_addendum": "no"}, [("EXT-004", "minor")]),
        ({"pm_program": "yes", "pm_equipment_list": "partial", "pm_unlisted_maintained": "yes"}, [("PM-006", "observation")]),
        ({"pm_program": "yes", "pm_equipment_list": "partial", "pm_unlisted_maintained": "no"}, [("PM-002", "minor")]),
    ],
)
def test_a_slip_corrected_or_a_requirement_met_another_way_is_an_observation(given, expected):
    assert [(f.id, f.grade.value) for f in ENGINE.evaluate(_answers(**given), CTX)] == expected


def test_policy_names_every_basis():
    policy = (Path(rules.__file__).parent / "GRADING.md").read_text()
    for basis in POLICY_BASIS:
        assert f"`{basis}`" in policy


@pytest.mark.parametrize("rule_id", PROCEDURE_RULES)
def test_missing_procedure_is_minor_and_absence_is_major(rule_id):
    rule = BY_ID[rule_id]
    assert (rule.entry.grade, rule.entry.basis) == ("minor", "procedure")
    absent = [r for r in ACTIVE if rule_id in r.entry.suppresses]
    assert [r.entry.grade for r in absent] == ["major"]
    assert absent[0].entry.basis == "absence"


@pytest.mark.parametrize("rule_id", MISSED_REQUIREMENT_RULES)
def test_missed_requirements_are_at_least_minor(rule_id):
    assert BY_ID[rule_id].entry.grade == "minor"


def _answers(**values: str) -> dict[str, AnswerValue]:
    return {k: AnswerValue(question_id=k, value=v) for k, v in values.items()}


def test_procedure_missing_but_work_done_is_one_minor():
    found = ENGINE.evaluate(_answers(cal_procedure="no", cal_practised="yes"), CTX)
    assert [(f.id, f.grade.value) for f in found] == [("CAL-003", "minor")]


def test_process_absent_is_one_major():
    found = ENGINE.evaluate(_answers(cal_procedure="no", cal_practised="no"), CTX)
    assert [(f.id, f.grade.value) for f in found] == [("CAL-008", "major")]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"cal_oot_found": "yes", "cal_oot_assessed": "no", "cal_oot_product_shipped": "no"}, [("CAL-006", "minor")]),
        ({"cal_oot_found": "yes", "cal_oot_assessed": "no", "cal_oot_product_shipped": "yes"}, [("CAL-009", "major")]),
        ({"cal_oot_found": "yes", "cal_oot_assessed": "yes", "cal_oot_product_shipped": "yes"}, []),
        ({"mon_licensed": "yes", "mon_nonconforming_marked": "yes", "mon_marked_shipped": "no"}, [("MON-007", "minor")]),
        ({"mon_licensed": "yes", "mon_nonconforming_marked": "yes", "mon_marked_shipped": "yes"}, [("MON-004", "major")]),
    ],
)
def test_product_impact_answers_move_the_grade(given, expected):
    assert [(f.id, f.grade.value) for f in ENGINE.evaluate(_answers(**given), CTX)] == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"cal_gauge_in_use": "yes", "cal_due_date": "2025-05-01", "cal_sampled": "10", "cal_overdue": "1"}, ["CAL-001"]),
        ({"prd_traceability": "no", "prd_trace_sampled": "4", "prd_trace_failed": "4"}, ["PRD-001"]),
        ({"mr_held": "no", "mr_last_date": "2023-01-10"}, ["MR-001"]),
        ({"sup_initial_method": "none", "sup_sampled": "4", "sup_evaluated": "0"}, ["SUP-011"]),
    ],
)
def test_one_event_gives_one_finding(given, expected):
    assert [f.id for f in ENGINE.evaluate(_answers(**given), CTX)] == expected


# Every count taken from a sample ("How many did you sample? Of those, how many ...?"): (sample, failed) answers.
SAMPLE_COUNTS = [
    ({"doc_sampled": "{n}", "doc_obsolete_found": "{k}"}), ({"trn_sampled": "{n}", "trn_gaps": "{k}"}),
    ({"ctr_sampled": "{n}", "ctr_reviewed": "{ok}"}), ({"pur_reeval": "no", "pur_reeval_sampled": "{n}", "pur_reeval_done": "{ok}"}),
    ({"rcv_sampled": "{n}", "rcv_unverified": "{k}"}), ({"prd_trace_sampled": "{n}", "prd_trace_failed": "{k}"}),
    ({"ins_sampled": "{n}", "ins_missing": "{k}"}), ({"cal_sampled": "{n}", "cal_overdue": "{k}"}),
    ({"ncp_sampled": "{n}", "ncp_incomplete": "{k}"}), ({"car_sampled": "{n}", "car_no_root_cause": "{k}"}),
    ({"pm_program": "yes", "pm_sampled": "{n}", "pm_overdue": "{k}"}),
    ({"sup_sampled": "{n}", "sup_evaluated": "{ok}"}),
]


@pytest.mark.parametrize("template", SAMPLE_COUNTS, ids=lambda t: next(iter(t)))
@pytest.mark.parametrize(("n", "k", "grade"), [(4, 2, "major"), (6, 3, "major"), (5, 5, "major"), (6, 2, "minor"),
                                               (4, 1, "minor"), (1, 1, "minor")])
def test_a_failure_through_half_the_sample_is_a_breakdown(template, n, k, grade):
    given = {q: v.format(n=n, k=k, ok=n - k) for q, v in template.items()}
    found = ENGINE.evaluate(_answers(**given), CTX)
    assert len(found) == 1, [f.id for f in found]
    assert found[0].grade.value == grade, found[0].id


def test_a_review_missed_once_is_a_lapse_not_an_absence():
    late = ENGINE.evaluate(_answers(mr_held="no", mr_last_date="2024-04-20"), CTX)
    assert [(f.id, f.grade.value) for f in late] == [("MR-010", "minor")]
    never = ENGINE.evaluate(_answers(mr_held="no"), CTX)
    assert [(f.id, f.grade.value) for f in never] == [("MR-001", "major")]


def test_suppression_stays_inside_a_process_and_never_loops():
    for rule in ACTIVE:
        for other in rule.entry.suppresses:
            assert BY_ID[other].process == rule.process, (rule.id, other)
            assert rule.id not in BY_ID[other].entry.suppresses, (rule.id, other)
