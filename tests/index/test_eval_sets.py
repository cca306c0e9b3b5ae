"""The evaluation sets load, cite only catalogue clauses, and the blind set's dev/test split is the recorded one."""

from __future__ import annotations

import hashlib
from collections import Counter

from index.evaluation import BLIND_FILE, load_no_match, load_questions
from knowledge.catalogue import load_catalogue


def test_blind_split_is_the_hash_split_stratified_by_group():
    questions = load_questions(load_catalogue(), BLIND_FILE)
    assert len(questions) >= 200
    assert {q.split for q in questions if q.batch == 2} == {"dev"}  # the later writers' questions are all dev
    questions = [q for q in questions if q.batch == 1]
    by_group: dict[str, list] = {}
    for question in questions:
        by_group.setdefault(question.group, []).append(question)
    for members in by_group.values():
        ordered = sorted(members, key=lambda q: hashlib.blake2b(q.q.encode(), digest_size=8).hexdigest())
        assert [q.split for q in ordered] == ["dev" if i % 2 == 0 else "test" for i in range(len(ordered))]
    halves = Counter((q.group, q.split) for q in questions)
    assert all(halves[(group, "dev")] and halves[(group, "test")] for group in by_group)


def test_no_match_set_has_at_least_fifty_inputs():
    assert len(set(load_no_match())) >= 50
