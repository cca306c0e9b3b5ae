"""Checklists, the answer parser, rule packs and the deterministic rule engine that proposes findings."""
