"""Fixtures for the index tests: a small procedure, a synthetic licensed standard, a service on the fake embedder."""

from __future__ import annotations

import pytest

from index.embedder import HashingEmbedder
from index.search import SearchService
from knowledge.catalogue import load_catalogue

PROCEDURE = """---
doc_id: QP-99
title: Calibration of Measuring Equipment
revision: B
approved: T. Example, Quality Manager, 2025-01-10
---
# Calibration of Measuring Equipment

## 1 Purpose

How torque wrenches, pressure gauges, calipers and other measuring equipment are calibrated, labelled
and recalled, as API Q1 10th 5.8 and ISO 9001:2015 7.1.5 ask.

## 2 Calibration labels

Every gauge carries a calibration sticker with the due date. A gauge whose sticker has expired is taken
out of use and quarantined, and the product it measured since its last good calibration is assessed.

## 3 Records

The calibration register lists each gauge, its interval, its certificate and its traceability to
national standards.
"""

LICENSED = """# Synthetic text of a quality standard (made up for tests)

## 5.5 Purchasing

Zebra pelican text about buying things, invented for this test only.

### 5.5.1.2 Initial Supplier Evaluation—Critical Purchases

Quokka marmot invented wording: examine the new critical supplier before the first order.
"""


@pytest.fixture
def procedure_file(tmp_path):
    path = tmp_path / "docs" / "QP-99_calibration.md"
    path.parent.mkdir()
    path.write_text(PROCEDURE, encoding="utf-8")
    return path


@pytest.fixture
def licensed_file(tmp_path):
    path = tmp_path / "licensed" / "q1-10th.md"
    path.parent.mkdir()
    path.write_text(LICENSED, encoding="utf-8")
    return path


@pytest.fixture
def service(tmp_path):
    return SearchService(tmp_path / "knowledge.db", tmp_path / "index", load_catalogue(), HashingEmbedder())


@pytest.fixture
def fake_embedder_env(monkeypatch):
    """The CLI picks the hashing fake instead of loading the real model."""
    monkeypatch.setenv("Q1AUDIT_EMBEDDER", "hashing")
