"""The audit report as PDF (reportlab platypus): one title block, DRAFT marking, charts, findings kept whole.

Export time grows linearly with the text: long values never sit in a table cell that reportlab would
re-wrap at every page break. A cell shows the start of a long value, and the whole value follows the
table as paragraphs of bounded size.
"""

from __future__ import annotations

import re
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
from assistant.exports.pdf_fonts import fonts, markup

NAVY = "#1F3864"
GRID = "#BFBFBF"
SHADE = "#E9EDF5"
CELL_LIMIT = 1200
"""Characters a table cell shows; the rest of a longer value follows the table in full."""
CHUNK = 2000
"""Characters per paragraph of a long value (bounded, so each page break re-wraps little)."""


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    fs = fonts()
    base = ParagraphStyle("body", fontName=fs.regular, fontSize=9.5, leading=12.5, spaceAfter=4)
    return {
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "head": ParagraphStyle("head", parent=base, fontName=fs.bold, fontSize=8.5, leading=10.5, spaceAfter=0,
                               textColor=colors.white),
        "label": ParagraphStyle("label", parent=base, fontName=fs.bold, fontSize=8.5, leading=10.5, spaceAfter=0),
        "title": ParagraphStyle("title", parent=base, fontName=fs.bold, fontSize=22, leading=27,
                                textColor=colors.HexColor(NAVY), spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=13, leading=17, spaceAfter=8),
        "h1": ParagraphStyle("h1", parent=base, fontName=fs.bold, fontSize=14, leading=18, spaceBefore=12,
                             spaceAfter=6, textColor=colors.HexColor(NAVY), keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=base, fontName=fs.bold, fontSize=11, leading=14, spaceBefore=10,
                             spaceAfter=3, keepWithNext=1),
        "meta": ParagraphStyle("meta", parent=base, textColor=colors.HexColor("#444444")),
        "caption": ParagraphStyle("caption", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#444444")),
        "draft": ParagraphStyle("draft", parent=base, backColor=colors.HexColor("#FFF4CE"), borderPadding=4,
                                spaceBefore=4, spaceAfter=8),
        "notice": ParagraphStyle("notice", parent=base, fontName=fs.bold, backColor=colors.HexColor("#FCE4E4"),
                                 borderPadding=4, spaceBefore=4, spaceAfter=8),
        "running": ParagraphStyle("running", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#555555")),
    }


_LONG_WORD = re.compile(r"(\S{80})(?=\S)")


def chunks(text: str, size: int = CHUNK) -> list[str]:
    """Text in pieces of at most `size` characters, cut at a line break or space where there is one.

    A run of more than 80 characters without a space (a pasted log line, a hash) is broken every 80
    characters: reportlab would otherwise measure it character by character at each line break.
    """
    text = _LONG_WORD.sub(r"\1 ", text)
    pieces = []
    while len(text) > size:
        cut = max(text.rfind("\n", 0, size), text.rfind(" ", 0, size))
        cut = cut if cut > size // 2 else size
        pieces.append(text[:cut])
        text = text[cut:].lstrip(" \n")
    return [*pieces, text] if text else pieces


class _Report:
    """Builds the flowables of one report; `styles` and page geometry are shared by its tables."""

    def __init__(self, content: ReportContent):
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm

        self.c = content
        self.s = _styles()
        self.page = A4
        self.margin = 18 * mm
        self.width = A4[0] - 2 * self.margin
        self.mm = mm

    def p(self, text: str, style: str = "body"):
        from reportlab.platypus import Paragraph

        return Paragraph(markup(text), self.s[style])

    def long(self, text: str, style: str = "body") -> list:
        return [self.p(piece, style) for piece in chunks(text)]

    def heading(self, text: str, level: str = "h1"):
        from reportlab.platypus import Paragraph

        para = Paragraph(markup(text), self.s[level])
        para.outline = (level, text)  # picked up by the doc template for the PDF outline
        return para

    def table(self, head: list[str] | None, rows: list[list[str]], widths: list[float], label_col: bool = False,
              overflow_label: str = "") -> list:
        """A grid with a navy head row repeated on every page and rows that never split.

        Returns the table, then the full text of any cell longer than `CELL_LIMIT`.
        """
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        data, overflow = [], []
        if head:
            data.append([self.p(h, "head") for h in head])
        for row in rows:
            cells = []
            for i, cell in enumerate(row):
                if len(cell) > CELL_LIMIT:
                    name = row[0] if label_col else (head[i] if head else "")
                    cells.append(self.p(f"{cell[:CELL_LIMIT // 2].rstrip()} … (continued in full below)", "cell"))
                    overflow.append(self.p(f"{overflow_label}{name}, in full:", "label"))
                    overflow += self.long(cell, "cell")
                else:
                    cells.append(self.p(cell, "label" if label_col and i == 0 else "cell"))
            data.append(cells)
        if not data:
            return [self.p("None.")]
        total = sum(widths)
        table = Table(data, colWidths=[self.width * w / total for w in widths], repeatRows=1 if head else 0,
                      hAlign="LEFT", spaceBefore=2, spaceAfter=6)
        style = [
            ("FONT", (0, 0), (-1, -1), fonts().regular, 8.5),  # the cells' default, else reportlab names Helvetica
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if head:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(NAVY)))
        if label_col:
            style.append(("BACKGROUND", (0, 1 if head else 0), (0, -1), colors.HexColor(SHADE)))
        table.setStyle(TableStyle(style))
        return [table, *overflow]

    def kept(self, *parts) -> list:
        """Flowables kept on one page (a small table with its heading)."""
        from reportlab.platypus import KeepTogether

        flat = [f for part in parts for f in (part if isinstance(part, list) else [part])]
        return [KeepTogether(flat)]

    # --- sections ------------------------------------------------------------------------------------

    def story(self) -> list:
        story = self.title_block()
        story += self.executive_summary()
        story += self.details()
        story += self.summary()
        story += self.findings()
        story += self.closing()
        return story

    def title_block(self) -> list:
        c = self.c
        title = "Audit report" + (" (DRAFT)" if c.draft else "")
        out = [self.p(title, "title"), self.p(c.header.title, "subtitle")]
        out += self.table(None, [list(pair) for pair in c.title_facts()], [1, 3], label_col=True)
        if c.team:
            out.append(self.p(TEAM_ONLY_NOTICE, "notice"))
        if c.draft:
            out.append(self.p(c.draft_notice, "notice"))
        out.append(self.p(c.confidentiality, "meta"))
        return out

    def executive_summary(self) -> list:
        c = self.c
        out = [self.heading("Executive summary"), self.p(c.executive_summary)]
        out.append(self.heading("Audit conclusions", "h2"))
        out.append(self.p(c.conclusions, "draft" if c.conclusions_drafted and c.team else "body"))
        out.append(self.p(SAMPLING_STATEMENT))
        grades = [[GRADE_LABELS[g], str(c.grade_counts[g])] for g in GRADE_ORDER if g in c.grade_counts]
        out += self.kept(self.heading("Findings by grade", "h2"),
                         self.table(["Grade", "Findings"], grades or [["No findings", "0"]], [3, 1]))
        out += self.charts()
        return out

    def charts(self) -> list:
        from assistant.exports.charts import coverage_drawing, findings_drawing

        c = self.c
        out = []
        if c.findings and c.processes:
            out += self.kept(self.heading("Findings by process and grade", "h2"), findings_drawing(c, self.width))
        if c.processes:
            out += self.kept(self.heading("Questions answered per process", "h2"), coverage_drawing(c, self.width))
        return out

    def details(self) -> list:
        c = self.c
        out = [self.heading("Audit details")]
        out += self.table(None, [[k, v or "—"] for k, v in c.detail_fields()], [1, 3], label_col=True)
        criteria = [[s.name, s.detail] for s in c.standards] + [[f"Procedure {p.name}", p.detail] for p in c.procedures]
        out += self.kept(self.heading("Audit criteria", "h2"),
                         self.table(["Criterion", "Edition or revision"], criteria, [1, 3]) if criteria
                         else [self.p("No standard or procedure recorded in the session header.")])
        return out

    def summary(self) -> list:
        c = self.c
        out = [self.heading("Summary of findings")]
        if c.by_clause:
            rows = [[row.q1.text if row.q1 else "—", "\n".join(i.text for i in row.iso) or "—", row.grades_text,
                     ", ".join(row.numbers)] for row in c.by_clause]
            out += self.kept(self.p("Findings by the API Q1 clause they cite first, with the ISO 9001 clauses they cite."),
                             self.table(["API Q1 clause", "ISO 9001:2015", "Grades", "Findings"], rows, [3, 3, 1.3, 1.3]))
        else:
            out.append(self.p("No findings."))
        rows = [[p.title, str(p.asked), str(p.answered), str(p.not_applicable), p.grades_text, p.verdict]
                for p in c.processes]
        out += self.kept(self.heading("Degree to which the criteria are met", "h2"),
                         self.table(["Process", "Asked", "Answered", "N/A", "Findings", "Result"], rows,
                                    [2.2, 0.8, 1.1, 0.7, 1.5, 2.2]))
        return out

    def findings(self) -> list:
        c = self.c
        out = [self.heading("Findings")]
        if c.unconfirmed_clauses:
            out.append(self.p(NOT_CONFIRMED_NOTE, "meta"))
        if not c.findings:
            out.append(self.p("No findings." if not c.draft else "No decided findings yet."))
        for row in c.findings:
            out += self.finding(row)
        if c.set_aside:
            out.append(self.heading("Findings set aside (audit team only)", "h2"))
            out += self.table(["Finding", "Title", "Status", "Reason"],
                              [[r.finding.id, r.finding.title, r.status_label, r.finding.dismiss_reason or ""]
                               for r in c.set_aside], [1, 3, 1.5, 3])
        if c.hints:
            out.append(self.heading("Points for the audit team", "h2"))
            out += [self.p(f"• {hint}") for hint in c.hints]
        return out

    def finding(self, row: FindingRow) -> list:
        f, action = row.finding, row.finding.action
        label = f"{row.number} "
        clauses = [["Cited", cl.label, cl.title] for cl in row.cited]
        clauses += [["Related (crosswalk)", cl.label, cl.title] for cl in row.related]
        statement = [["Requirement", f.statement.requirement], ["Evidence", f.statement.evidence],
                     ["Nonconformity", f.statement.nonconformity]]
        if row.records:
            statement.append(["Records sampled", ", ".join(row.records)])
        block = [self.heading(row.heading, "h2"), self.p(row.meta(self.c.audience), "meta"),
                 *self.table(["Clauses", "Standard and clause", "Title"], clauses, [1.3, 2.1, 3.2]),
                 *self.table(None, statement, [1, 4], label_col=True, overflow_label=label)]
        out = self.kept(block)
        if row.evidence:
            answers = [[a.question, a.answer, a.record.note, a.interviewee] for a in row.evidence]
            out += self.table(["Question", "Answer", "Note", "Interviewee"], answers, [3, 1.25, 3, 1.3],
                              overflow_label=label)
        out += self.photos(row)
        if not action.empty:
            due = f", due {action.due_date}" if action.due_date else ""
            out += self.kept(self.table(None, [["Correction", action.correction], ["Root cause", action.root_cause],
                                               ["Corrective action", action.corrective_action],
                                               ["Evidence of completion", action.evidence],
                                               ["Owner", f"{action.owner}{due}"]], [1, 4], label_col=True,
                                        overflow_label=label))
        return out

    def photos(self, row: FindingRow) -> list:
        from reportlab.lib.utils import ImageReader
        from reportlab.platypus import Image

        out = []
        max_w, max_h = 90 * self.mm, 70 * self.mm
        for photo in row.photos:
            try:
                w, h = ImageReader(str(photo.path)).getSize()
            except Exception:  # a damaged picture is named, not drawn
                out.append(self.p(f"Photo {photo.caption} (the file could not be read)", "caption"))
                continue
            scale = min(max_w / w, max_h / h, 1.0)
            image = Image(str(photo.path), width=w * scale, height=h * scale, hAlign="LEFT")
            out += self.kept(image, self.p(f"Photo: {photo.caption}", "caption"))
        return out

    def closing(self) -> list:
        c = self.c
        out = [self.heading("Diverging opinions"), self.p(c.diverging_opinions)]
        out.append(self.heading("Not covered"))
        if c.gaps:
            out += self.table(["Process", "Question", "Why"], [[g.process_title, g.question, g.reason] for g in c.gaps],
                              [1.2, 3, 1])
        else:
            out.append(self.p("Every question asked in the processes audited was answered."))
        if c.out_of_scope:
            out.append(self.p(f"Processes outside the audit scope: {', '.join(c.out_of_scope)}."))
        distribution = [[str(i), name] for i, name in enumerate(c.distribution, start=1)]
        out += self.kept(
            self.heading("Report approval and distribution"),
            self.p(c.confidentiality),
            self.p(f"Report: {c.report_line}."),
            self.table(["Copy", "Distribution list"], distribution, [0.5, 4]),
            self.table(None, [[label, value] for label, value in c.approval], [1, 4], label_col=True),
            self.table(["Lead auditor", "Signature and date", "Auditee representative", "Signature and date"],
                       [[c.header.team.lead or "", "", "", ""]], [1.5, 1.5, 1.5, 1.5]),
        )
        return out


def write_pdf(content: ReportContent, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    report = _Report(content)
    page_w, page_h = report.page
    m = report.margin
    running = report.s["running"]
    state = "DRAFT" if content.draft else "Final"
    copy = "AUDIT TEAM ONLY" if content.team else "Confidential"
    head_text = f"{'DRAFT · ' if content.draft else ''}Audit report {content.session.id} · {content.header.title}"

    class NumberedCanvas(Canvas):
        """Holds every page until the end so the footer can say `Page 3 of 12`."""

        def __init__(self, *args, **kwargs):
            # The embedded body font from the first page on: no unembedded Helvetica in the file at all.
            super().__init__(*args, **(kwargs | {"initialFontName": fonts().regular}))
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(len(self._pages))
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            self.saveState()
            if content.draft:
                self.setFillColor(colors.HexColor("#C00000"))
                self.setFillAlpha(0.10)
                self.setFont(fonts().bold, 120)
                self.translate(page_w / 2, page_h / 2)
                self.rotate(50)
                self.drawCentredString(0, -40, "DRAFT")
                self.rotate(-50)
                self.translate(-page_w / 2, -page_h / 2)
                self.setFillAlpha(1)
            self.setStrokeColor(colors.HexColor(NAVY))
            self.setLineWidth(0.6)
            self.line(m, page_h - m + 4, page_w - m, page_h - m + 4)
            self.line(m, m - 6, page_w - m, m - 6)
            head = Paragraph(markup(head_text), running)
            head.wrapOn(self, page_w - 2 * m - 110, 20)
            head.drawOn(self, m, page_h - m + 8)
            self.setFont(fonts().bold, 8)
            self.setFillColor(colors.HexColor("#C00000") if content.draft or content.team else colors.black)
            self.drawRightString(page_w - m, page_h - m + 8, f"{state} · {copy}")
            self.setFillColor(colors.black)
            foot = Paragraph(markup(f"Audit {content.session.id} · {content.report_line}"), running)
            foot.wrapOn(self, page_w - 2 * m - 80, 20)
            foot.drawOn(self, m, m - 18)
            self.setFont(fonts().regular, 8)
            self.drawRightString(page_w - m, m - 16, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    class Doc(BaseDocTemplate):
        def afterFlowable(self, flowable):
            outline = getattr(flowable, "outline", None)
            if outline:
                level, text = outline
                key = f"h{id(flowable)}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(text, key, level=0 if level == "h1" else 1, closed=level != "h1")

    doc = Doc(
        str(path), pagesize=report.page, leftMargin=m, rightMargin=m, topMargin=m + 6, bottomMargin=m + 4,
        title=f"Audit report {content.session.id}: {content.header.title}", author="q1audit",
        subject=f"Audit report ({state.lower()}, {'audit team' if content.team else 'auditee'})", creator="q1audit",
        lang="en",
    )
    frame = Frame(m, m + 4, page_w - 2 * m, page_h - 2 * m - 10, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(report.story(), canvasmaker=NumberedCanvas)
