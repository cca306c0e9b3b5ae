"""The finding list as Markdown: audit header, summary by grade, then each finding with its cited and related clauses."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.exports.content import (
    EDITION_LABELS,
    GRADE_LABELS,
    GRADE_ORDER,
    TEAM_ONLY_NOTICE,
    FindingRow,
    ReportContent,
)
from assistant.exports.safety import clean_text

# Characters Markdown (and the HTML it may carry) would act on; escaped so user text stays text.
_MARKUP = re.compile(r"([\\`*_\[\]<>|~#&])")


def md(text: str) -> str:
    """User text as one inert Markdown line."""
    return _MARKUP.sub(r"\\\1", " ".join(clean_text(text).split()))


def render_markdown(content: ReportContent) -> str:
    title = f"Finding list: {md(content.header.title)}"
    out = [f"# {'DRAFT ' if content.draft else ''}{title}", ""]
    if content.draft:
        out += [f"**{md(content.draft_notice)}**", ""]
    if content.team:
        out += [f"**{md(TEAM_ONLY_NOTICE)}**", ""]
    out += ["| Field | Value |", "| --- | --- |"]
    out += [f"| {label} | {md(value)} |" for label, value in content.header_fields() if value]
    out += ["", "## Summary", "", "| Grade | Findings |", "| --- | ---: |"]
    out += [f"| {GRADE_LABELS[g]} | {content.grade_counts.get(g, 0)} |" for g in GRADE_ORDER]
    out += [""]
    if content.set_aside:
        out += [f"{len(content.findings)} findings count; {len(content.set_aside)} set aside (listed last).", ""]
    out += ["## Findings", ""]
    rows = [*content.findings, *content.set_aside]
    if not rows:
        out += ["No findings.", ""]
    else:
        columns = ["Audit", "Finding", "Grade", *(["Status"] if content.team else []), *EDITION_LABELS.values(), "Title"]
        out += ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
        for row in rows:
            ids = [md(row.clause_ids(label)) for label in EDITION_LABELS.values()]
            status = [md(row.status_label)] if content.team else []
            cells = [md(content.session.id), md(row.number or row.finding.id), row.grade_label, *status, *ids,
                     md(row.finding.title)]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
        for row in rows:
            out += _finding(row, content)
    if content.hints:
        out += ["## Points for the audit team", "", *(f"- {md(hint)}" for hint in content.hints), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _finding(row: FindingRow, content: ReportContent) -> list[str]:
    f = row.finding
    lines = [f"### {md(row.heading)}", "", f"- **Grade:** {md(row.meta(content.audience))}"]
    if f.dismiss_reason and content.team:
        lines.append(f"- **Dismissed because:** {md(f.dismiss_reason)}")
    for label, clauses in row.clauses.items():
        if clauses:
            lines.append(f"- **Cited, {label}:** " + "; ".join(f"{md(c.ref)} {md(c.title)}" for c in clauses))
    if row.related:
        lines.append("- **Related (crosswalk, not cited):** " + "; ".join(md(c.text) for c in row.related))
    statement = {"Requirement": f.statement.requirement, "Evidence": f.statement.evidence,
                 "Nonconformity": f.statement.nonconformity, "Records sampled": ", ".join(row.records)}
    lines += [f"- **{label}:** {md(value)}" for label, value in statement.items() if value.strip()]
    lines += [f"- **{label}:** {md(value)}" for label, value in row.action_fields().items() if value]
    return [*lines, ""]


def write_markdown(content: ReportContent, path: Path) -> None:
    path.write_text(render_markdown(content), encoding="utf-8", newline="\n")
