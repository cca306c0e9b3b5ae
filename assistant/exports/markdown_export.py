"""The finding list as Markdown: audit header, summary by grade, then each finding with both standards."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.exports.content import EDITION_LABELS, GRADE_LABELS, GRADE_ORDER, FindingRow, ReportContent
from assistant.exports.safety import clean_text

# Characters Markdown (and the HTML it may carry) would act on; escaped so user text stays text.
_MARKUP = re.compile(r"([\\`*_\[\]<>|~#&])")


def md(text: str) -> str:
    """User text as one inert Markdown line."""
    return _MARKUP.sub(r"\\\1", " ".join(clean_text(text).split()))


def render_markdown(content: ReportContent) -> str:
    out = [f"# Finding list: {md(content.header.title)}", ""]
    out += ["| Field | Value |", "| --- | --- |"]
    out += [f"| {label} | {md(value)} |" for label, value in content.header_fields() if value]
    out += ["", "## Summary", "", "| Grade | Findings |", "| --- | ---: |"]
    out += [f"| {GRADE_LABELS[g]} | {content.grade_counts.get(g, 0)} |" for g in GRADE_ORDER]
    dismissed = len(content.findings) - len(content.counted)
    out += ["", f"{len(content.counted)} findings count; {dismissed} dismissed (listed below for the record).", ""]
    out += ["## Findings", ""]
    if not content.findings:
        out += ["No findings.", ""]
    else:
        columns = ["Finding", "Grade", "Status", *EDITION_LABELS.values(), "Title"]
        out += ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
        for row in content.findings:
            f = row.finding
            ids = [md(row.clause_ids(label)) for label in EDITION_LABELS.values()]
            out.append(f"| {md(f.id)} | {f.grade.value} | {f.status.value} | {' | '.join(ids)} | {md(f.title)} |")
        out.append("")
        for row in content.findings:
            out += _finding(row)
    return "\n".join(out).rstrip("\n") + "\n"


def _finding(row: FindingRow) -> list[str]:
    f = row.finding
    regrade = f" (proposed {f.proposed_grade.value})" if f.regraded else ""
    lines = [f"### {md(f.id)}: {md(f.title)}", ""]
    lines.append(f"- **Grade:** {f.grade.value}{regrade}; **status:** {f.status.value}; **rule:** {md(row.rule)}")
    if f.dismiss_reason:
        lines.append(f"- **Dismissed because:** {md(f.dismiss_reason)}")
    if f.process:
        lines.append(f"- **Process:** {md(f.process)}")
    for label, clauses in row.clauses.items():
        cited = "; ".join(f"{md(c.id)} {md(c.title)}" for c in clauses) or "none cited"
        lines.append(f"- **{label}:** {cited}")
    lines.append(f"- **Requirement:** {md(f.statement.requirement)}")
    lines.append(f"- **Evidence:** {md(f.statement.evidence)}")
    lines.append(f"- **Nonconformity:** {md(f.statement.nonconformity)}")
    if row.records:
        lines.append(f"- **Records sampled:** {md(', '.join(row.records))}")
    lines += [f"- **{label}:** {md(value)}" for label, value in row.action_fields().items() if value]
    return [*lines, ""]


def write_markdown(content: ReportContent, path: Path) -> None:
    path.write_text(render_markdown(content), encoding="utf-8", newline="\n")
