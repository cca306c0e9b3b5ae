"""Word documents: the audit report and the API response pack, with real headings, tables and page numbers."""

from __future__ import annotations

from pathlib import Path

from assistant.exports.content import (
    GRADE_LABELS,
    GRADE_ORDER,
    SAMPLING_STATEMENT,
    FindingRow,
    ReportContent,
)
from assistant.exports.safety import clean_text

HEAD_FILL = "1F3864"
LABEL_FILL = "E9EDF5"
RESPONSE_INTRO = (
    "For each nonconformity below, state the correction made to the instance found, the root cause, the "
    "corrective action that stops it recurring, and the evidence that the action is complete, with an owner "
    "and a due date. Return the filled form to the lead auditor, who records whether the response is accepted."
)


def _t(text: str) -> str:
    return clean_text(text)


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays out the pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


class _Writer:
    def __init__(self, content: ReportContent, kind: str):
        import docx
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm, Pt

        self.c = content
        self.doc = docx.Document()
        self._style_ids: dict[str, str] = {}
        self._table_style = self.doc.styles["Table Grid"].style_id
        normal = self.doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10)
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(18))
        head = section.header.paragraphs[0]
        head.text = _t(f"{kind} {content.session.id} · {content.header.title}")
        foot = section.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        foot.add_run(f"Audit {content.session.id} · Page ")
        _field(foot, "PAGE")
        foot.add_run(" of ")
        _field(foot, "NUMPAGES")
        props = self.doc.core_properties
        props.title = _t(f"{kind} {content.session.id}: {content.header.title}")[:255]
        props.author = "q1audit"
        props.subject = kind
        if content.generated_at:
            props.created = props.modified = content.generated_at.replace(tzinfo=None)

    def styled(self, text: str, style: str | None = None):
        """A paragraph in a named style.

        The style id is set directly: python-docx's by-name lookup scans every style on each call,
        which made a large report take seconds.
        """
        paragraph = self.doc.add_paragraph(_t(text))
        if style is not None:
            if style not in self._style_ids:
                self._style_ids[style] = self.doc.styles[style].style_id
            paragraph._p.get_or_add_pPr().style = self._style_ids[style]
        return paragraph

    def heading(self, text: str, level: int = 1) -> None:
        self.styled(text, "Title" if level == 0 else f"Heading {level}")

    def para(self, text: str, style: str | None = None) -> None:
        self.styled(text, style)

    def table(self, head: list[str] | None, rows: list[list[str]], widths: list[float], label_col: bool = False):
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, RGBColor
        from docx.table import _Cell

        if not rows and not head:
            return None
        table = self.doc.add_table(rows=0, cols=len(widths))
        table._tbl.tblPr.style = self._table_style
        table.autofit = False
        total = sum(widths)
        usable = 210 - 2 * 18
        sizes = [Mm(usable * w / total) for w in widths]
        for column, size in zip(table.columns, sizes, strict=True):
            column.width = size

        def add_row(values: list[str], head_row: bool) -> None:
            row = table.add_row()
            # Cells from the row's own XML: `row.cells` walks the whole table each time (quadratic).
            # add_row gives each cell its column's width already.
            for i, (tc, text) in enumerate(zip(row._tr.tc_lst, values, strict=True)):
                cell = _Cell(tc, table)
                run = cell.paragraphs[0].add_run(_t(text))
                if head_row:
                    run.bold = True
                    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
                    _shade(cell, HEAD_FILL)
                elif label_col and i == 0:
                    run.bold = True
                    _shade(cell, LABEL_FILL)

        if head:
            add_row(head, head_row=True)
            # Repeat the head row at the top of every page the table runs onto.
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            table.rows[0]._tr.get_or_add_trPr().append(repeat)
        for values in rows:
            add_row(values, head_row=False)
        self.doc.add_paragraph()
        return table

    def title_block(self, title: str) -> None:
        c, h = self.c, self.c.header
        self.heading(title, 0)
        self.para(h.title, "Subtitle")
        dates = " to ".join(str(d) for d in dict.fromkeys((h.start_date, h.end_date)) if d) or "not recorded"
        self.table(None, [
            ["Audit", f"{c.session.id} ({h.audit_type} audit, status {c.session.status.value})"],
            ["Dates", dates],
            ["Location", h.location or "not recorded"],
            ["Client", h.client or "not recorded"],
            ["Lead auditor", h.team.lead or "not recorded"],
        ], [1, 3], label_col=True)

    def clauses(self, row: FindingRow) -> None:
        lines = [[label, cl.id, cl.title] for label, found in row.clauses.items() for cl in found]
        lines += [[label, "—", "none cited"] for label, found in row.clauses.items() if not found]
        self.table(["Standard", "Clause", "Title"], lines, [1.2, 0.8, 4])

    def statement(self, row: FindingRow) -> None:
        f = row.finding
        rows = [["Requirement", f.statement.requirement], ["Evidence", f.statement.evidence],
                ["Nonconformity", f.statement.nonconformity]]
        if row.records:
            rows.append(["Records sampled", ", ".join(row.records)])
        self.table(None, rows, [1, 4], label_col=True)

    def save(self, path: Path) -> None:
        self.doc.save(str(path))


def _meta(row: FindingRow) -> str:
    f = row.finding
    regrade = f" (proposed {f.proposed_grade.value})" if f.regraded else ""
    process = f", process {f.process}" if f.process else ""
    return f"{row.grade_label}{regrade}, {f.status.value}, rule {row.rule}{process}"


def _action_rows(row: FindingRow) -> list[list[str]]:
    a = row.finding.action
    return [["Correction", a.correction], ["Root cause", a.root_cause], ["Corrective action", a.corrective_action],
            ["Evidence of completion", a.evidence], ["Owner", a.owner],
            ["Due date", a.due_date.isoformat() if a.due_date else ""]]


def write_report_docx(content: ReportContent, path: Path) -> None:
    c = content
    w = _Writer(c, "Audit report")
    w.title_block("Audit report")
    w.heading("Audit details")
    w.table(None, [[k, v or "—"] for k, v in c.header_fields()], [1, 3], label_col=True)
    w.heading("Audit criteria")
    criteria = [[s.name, s.detail] for s in c.standards] + [[f"Procedure {p.name}", p.detail] for p in c.procedures]
    if criteria:
        w.table(["Criterion", "Edition or revision"], criteria, [1, 3])
    else:
        w.para("No standard or procedure recorded in the session header.")
    w.heading("Summary of findings")
    w.table(["Grade", "Findings"], [[GRADE_LABELS[g], str(c.grade_counts.get(g, 0))] for g in GRADE_ORDER], [3, 1])
    if c.by_clause:
        w.table(["API Q1 clause", "ISO 9001:2015", "Grades", "Findings"], [
            [row.q1.text if row.q1 else "—", "\n".join(i.text for i in row.iso) or "—",
             ", ".join(f"{n} {g.value}" for g, n in row.grades.items()), ", ".join(row.finding_ids)]
            for row in c.by_clause
        ], [3, 3, 1.3, 1.3])
    w.heading("Degree to which the criteria are met")
    w.table(["Process", "Asked", "Answered", "N/A", "Findings", "Result"], [
        [p.title, str(p.asked), str(p.answered), str(p.not_applicable),
         ", ".join(f"{n} {g.value}" for g, n in p.grades.items()) or "none", p.verdict]
        for p in c.processes
    ], [2.2, 0.8, 1.1, 0.7, 1.5, 2.2])
    w.heading("Findings")
    if not c.counted:
        w.para("No findings.")
    for row in c.counted:
        w.heading(f"{row.finding.id}: {row.finding.title}", 2)
        w.para(_meta(row))
        w.clauses(row)
        w.statement(row)
        if row.evidence:
            w.table(["Question", "Answer", "Note", "Interviewee"], [
                [a.question, a.answer, a.record.note,
                 " ".join(x for x in (a.record.interviewee or "", f"({a.record.role})" if a.record.role else "") if x)]
                for a in row.evidence
            ], [3, 1, 3, 1.3])
        if not row.finding.action.empty:
            w.table(None, _action_rows(row), [1, 4], label_col=True)
    dismissed = [r for r in c.findings if not r.counts]
    if dismissed:
        w.heading("Dismissed findings", 2)
        w.table(["Finding", "Title", "Reason"],
                [[r.finding.id, r.finding.title, r.finding.dismiss_reason or ""] for r in dismissed], [1, 3, 3])
    if c.hints:
        w.heading("Points for the audit team", 2)
        for hint in c.hints:
            w.para(hint, "List Bullet")
    w.heading("Conclusions")
    w.para(c.conclusions)
    w.para(SAMPLING_STATEMENT)
    w.heading("Diverging opinions")
    w.para(c.diverging_opinions)
    w.heading("Not covered")
    if c.gaps:
        w.table(["Process", "Question", "Why"], [[g.process_title, g.question, g.reason] for g in c.gaps], [1.2, 3, 1])
    else:
        w.para("Every question asked in the processes audited was answered.")
    if c.out_of_scope:
        w.para(f"Processes outside the audit scope: {', '.join(c.out_of_scope)}.")
    w.save(path)


def write_response_docx(content: ReportContent, path: Path) -> None:
    c = content
    w = _Writer(c, "Nonconformity response")
    w.title_block("Nonconformity response")
    w.para(RESPONSE_INTRO)
    if not c.nonconformities:
        w.para("No nonconformities to answer.")
    for row in c.nonconformities:
        w.heading(f"{row.finding.id}: {row.finding.title}", 1)
        w.para(_meta(row))
        w.clauses(row)
        w.statement(row)
        w.heading("Response", 2)
        w.table(None, _action_rows(row), [1, 4], label_col=True)
        w.heading("Auditor's verification", 2)
        w.table(None, [["Accepted (yes/no)", ""], ["Verified by, date", ""], ["Comment", ""]], [1, 4], label_col=True)
    w.save(path)
