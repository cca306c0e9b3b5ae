"""Word documents: the audit report and the API response pack, with real headings, tables and page numbers."""

from __future__ import annotations

from pathlib import Path

from assistant.exports.content import (
    GRADE_LABELS,
    GRADE_ORDER,
    NOT_CONFIRMED_NOTE,
    SAMPLING_STATEMENT,
    TEAM_ONLY_NOTICE,
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


def _keep_with_next(paragraph) -> None:
    """Keep the paragraph on the page of the next one. A fresh paragraph gets its properties built
    directly: python-docx's generic get-or-add looks up every possible sibling and made big reports slow."""
    from docx.oxml import OxmlElement

    p = paragraph._p
    if p.pPr is not None:
        paragraph.paragraph_format.keep_with_next = True
        return
    properties = OxmlElement("w:pPr")
    properties.append(OxmlElement("w:keepNext"))
    p.insert(0, properties)


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


WATERMARK = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    '<w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/>'
    '<v:textpath on="t" fitshape="t"/></v:shapetype>'
    '<v:shape id="q1audit-draft" o:spid="_x0000_s1025" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:460pt;height:150pt;rotation:315;z-index:-251654144;'
    'mso-position-horizontal:center;mso-position-horizontal-relative:margin;mso-position-vertical:center;'
    'mso-position-vertical-relative:margin" fillcolor="#f2c4c4" stroked="f">'
    '<v:fill opacity=".5"/><v:textpath style="font-family:&quot;Calibri&quot;;font-size:1pt" string="DRAFT"/>'
    '</v:shape></w:pict></w:r>'
)
"""Word's own kind of watermark (a VML text path in the page header), shown behind every page of a draft."""


class _Writer:
    def __init__(self, content: ReportContent, kind: str):
        import docx
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import parse_xml
        from docx.shared import Mm, Pt, RGBColor

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
        draft = "DRAFT · " if content.draft else ""
        copy = "AUDIT TEAM ONLY" if content.team else "Confidential"
        run = head.add_run(_t(f"{draft}{kind} {content.session.id} · {content.header.title} · {copy}"))
        if content.draft or content.team:
            run.bold = True
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        if content.draft:
            head._p.append(parse_xml(WATERMARK))
        foot = section.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        foot.add_run(_t(f"Audit {content.session.id} · {content.report_line} · Page "))
        _field(foot, "PAGE")
        foot.add_run(" of ")
        _field(foot, "NUMPAGES")
        props = self.doc.core_properties
        props.title = _t(f"{draft}{kind} {content.session.id}: {content.header.title}")[:255]
        props.author = "q1audit"
        props.subject = kind
        props.comments = ""
        props.revision = 1
        if content.generated_at:
            props.created = props.modified = content.generated_at.replace(tzinfo=None)

    def styled(self, text: str, style: str | None = None, keep_with_next: bool = False):
        """A paragraph in a named style.

        The style id is set directly: python-docx's by-name lookup scans every style on each call,
        which made a large report take seconds.
        """
        paragraph = self.doc.add_paragraph(_t(text))
        if style is not None:
            if style not in self._style_ids:
                self._style_ids[style] = self.doc.styles[style].style_id
            paragraph._p.get_or_add_pPr().style = self._style_ids[style]
        if keep_with_next:
            _keep_with_next(paragraph)
        return paragraph

    def heading(self, text: str, level: int = 1) -> None:
        self.styled(text, "Title" if level == 0 else f"Heading {level}", keep_with_next=True)

    def para(self, text: str, style: str | None = None, keep_with_next: bool = False):
        return self.styled(text, style, keep_with_next)

    def notice(self, text: str) -> None:
        from docx.shared import RGBColor

        paragraph = self.doc.add_paragraph()
        run = paragraph.add_run(_t(text))
        run.bold = True
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)

    def table(self, head: list[str] | None, rows: list[list[str]], widths: list[float], label_col: bool = False,
              keep: bool = False, keep_with_next: bool = False):
        """A grid; rows never split across pages; `keep` holds the whole table on one page (small tables)."""
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
        remaining = [len(rows) + (1 if head else 0)]

        def add_row(values: list[str], head_row: bool) -> None:
            row = table.add_row()
            tr_pr = row._tr.trPr
            if tr_pr is None:
                tr_pr = OxmlElement("w:trPr")
                row._tr.insert(0, tr_pr)
            tr_pr.append(OxmlElement("w:cantSplit"))
            remaining[0] -= 1
            last = remaining[0] == 0
            # Cells from the row's own XML: `row.cells` walks the whole table each time (quadratic).
            # add_row gives each cell its column's width already.
            for i, (tc, text) in enumerate(zip(row._tr.tc_lst, values, strict=True)):
                cell = _Cell(tc, table)
                paragraph = cell.paragraphs[0]
                run = paragraph.add_run(_t(text))
                if (keep and not last) or keep_with_next:
                    _keep_with_next(paragraph)
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
        c = self.c
        self.heading(f"{title} (DRAFT)" if c.draft else title, 0)
        self.para(c.header.title, "Subtitle")
        self.table(None, [list(pair) for pair in c.title_facts()], [1, 3], label_col=True, keep=True)
        if c.team:
            self.notice(TEAM_ONLY_NOTICE)
        if c.draft:
            self.notice(c.draft_notice)
        self.para(c.confidentiality)

    def finding_block(self, row: FindingRow) -> None:
        """Heading, grade, clauses and statement, held on one page."""
        f = row.finding
        self.heading(row.heading, 2)
        self.para(row.meta(self.c.audience), keep_with_next=True)
        clauses = [["Cited", cl.label, cl.title] for cl in row.cited]
        clauses += [["Related (crosswalk)", cl.label, cl.title] for cl in row.related]
        self.table(["Clauses", "Standard and clause", "Title"], clauses, [1.3, 2.1, 3.2], keep_with_next=True)
        rows = [["Requirement", f.statement.requirement], ["Evidence", f.statement.evidence],
                ["Nonconformity", f.statement.nonconformity]]
        if row.records:
            rows.append(["Records sampled", ", ".join(row.records)])
        self.table(None, rows, [1, 4], label_col=True, keep=True)

    def photos(self, row: FindingRow) -> None:
        from docx.shared import Mm

        for photo in row.photos:
            try:
                self.doc.add_picture(str(photo.path), width=Mm(90))
                self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
            except Exception:  # a damaged picture is named, not drawn
                self.para(f"(the file {photo.path.name} could not be read)")
            self.para(f"Photo: {photo.caption}", "Caption")

    def approval(self) -> None:
        c = self.c
        self.heading("Report approval and distribution")
        self.para(c.confidentiality)
        self.para(f"Report: {c.report_line}.")
        self.table(["Copy", "Distribution list"], [[str(i), name] for i, name in enumerate(c.distribution, start=1)],
                   [0.5, 4], keep=True)
        self.table(None, [[label, value] for label, value in c.approval], [1, 4], label_col=True, keep=True)
        self.table(["Lead auditor", "Signature and date", "Auditee representative", "Signature and date"],
                   [[c.header.team.lead or "", "", "", ""]], [1.5, 1.5, 1.5, 1.5], keep=True)

    def save(self, path: Path) -> None:
        self.doc.save(str(path))


def _action_rows(row: FindingRow) -> list[list[str]]:
    a = row.finding.action
    return [["Correction", a.correction], ["Root cause", a.root_cause], ["Corrective action", a.corrective_action],
            ["Evidence of completion", a.evidence], ["Owner", a.owner],
            ["Due date", a.due_date.isoformat() if a.due_date else ""]]


def write_report_docx(content: ReportContent, path: Path) -> None:
    c = content
    w = _Writer(c, "Audit report")
    w.title_block("Audit report")
    w.heading("Executive summary")
    w.para(c.executive_summary)
    w.heading("Audit conclusions", 2)
    w.para(c.conclusions)
    w.para(SAMPLING_STATEMENT)
    w.heading("Findings by grade", 2)
    grades = [[GRADE_LABELS[g], str(c.grade_counts[g])] for g in GRADE_ORDER if g in c.grade_counts]
    w.table(["Grade", "Findings"], grades or [["No findings", "0"]], [3, 1], keep=True)
    w.heading("Audit details")
    w.table(None, [[k, v or "—"] for k, v in c.detail_fields()], [1, 3], label_col=True)
    w.heading("Audit criteria", 2)
    criteria = [[s.name, s.detail] for s in c.standards] + [[f"Procedure {p.name}", p.detail] for p in c.procedures]
    if criteria:
        w.table(["Criterion", "Edition or revision"], criteria, [1, 3], keep=True)
    else:
        w.para("No standard or procedure recorded in the session header.")
    w.heading("Summary of findings")
    if c.by_clause:
        w.table(["API Q1 clause", "ISO 9001:2015", "Grades", "Findings"], [
            [row.q1.text if row.q1 else "—", "\n".join(i.text for i in row.iso) or "—", row.grades_text,
             ", ".join(row.numbers)]
            for row in c.by_clause
        ], [3, 3, 1.3, 1.3], keep=True)
    w.heading("Degree to which the criteria are met", 2)
    w.table(["Process", "Asked", "Answered", "N/A", "Findings", "Result"], [
        [p.title, str(p.asked), str(p.answered), str(p.not_applicable), p.grades_text, p.verdict]
        for p in c.processes
    ], [2.2, 0.8, 1.1, 0.7, 1.5, 2.2], keep=True)
    w.heading("Findings")
    if c.unconfirmed_clauses:
        w.para(NOT_CONFIRMED_NOTE)
    if not c.findings:
        w.para("No decided findings yet." if c.draft else "No findings.")
    for row in c.findings:
        w.finding_block(row)
        if row.evidence:
            w.table(["Question", "Answer", "Note", "Interviewee"],
                    [[a.question, a.answer, a.record.note, a.interviewee] for a in row.evidence], [3, 1, 3, 1.3])
        w.photos(row)
        if not row.finding.action.empty:
            w.table(None, _action_rows(row), [1, 4], label_col=True, keep=True)
    if c.set_aside:
        w.heading("Findings set aside (audit team only)", 2)
        w.table(["Finding", "Title", "Status", "Reason"],
                [[r.finding.id, r.finding.title, r.status_label, r.finding.dismiss_reason or ""] for r in c.set_aside],
                [1, 3, 1.5, 3])
    if c.hints:
        w.heading("Points for the audit team", 2)
        for hint in c.hints:
            w.para(hint, "List Bullet")
    w.heading("Diverging opinions")
    w.para(c.diverging_opinions)
    w.heading("Not covered")
    if c.gaps:
        w.table(["Process", "Question", "Why"], [[g.process_title, g.question, g.reason] for g in c.gaps], [1.2, 3, 1])
    else:
        w.para("Every question asked in the processes audited was answered.")
    if c.out_of_scope:
        w.para(f"Processes outside the audit scope: {', '.join(c.out_of_scope)}.")
    w.approval()
    w.save(path)


def write_response_docx(content: ReportContent, path: Path) -> None:
    c = content
    w = _Writer(c, "Nonconformity response")
    w.title_block("Nonconformity response")
    w.para(RESPONSE_INTRO)
    if not c.nonconformities:
        w.para("No nonconformities to answer.")
    for row in c.nonconformities:
        w.finding_block(row)
        w.heading("Response", 3)
        w.table(None, _action_rows(row), [1, 4], label_col=True, keep=True)
        w.heading("Auditor's verification", 3)
        w.table(None, [["Accepted (yes/no)", ""], ["Verified by, date", ""], ["Comment", ""]], [1, 4], label_col=True,
                keep=True)
    w.table(["Auditee representative", "Signature and date"], [["", ""]], [1, 1], keep=True)
    w.save(path)
