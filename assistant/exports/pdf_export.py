"""The audit report as PDF (reportlab platypus): title block, running header and footer, repeating table heads."""

from __future__ import annotations

from pathlib import Path

from assistant.exports.content import (
    GRADE_LABELS,
    GRADE_ORDER,
    SAMPLING_STATEMENT,
    FindingRow,
    ReportContent,
)
from assistant.exports.pdf_fonts import fonts, markup

NAVY = "#1F3864"
GRID = "#BFBFBF"
SHADE = "#E9EDF5"


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
                                textColor=colors.HexColor(NAVY), spaceAfter=6),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=13, leading=17, spaceAfter=10),
        "h1": ParagraphStyle("h1", parent=base, fontName=fs.bold, fontSize=14, leading=18, spaceBefore=14,
                             spaceAfter=6, textColor=colors.HexColor(NAVY)),
        "h2": ParagraphStyle("h2", parent=base, fontName=fs.bold, fontSize=11, leading=14, spaceBefore=10,
                             spaceAfter=3),
        "draft": ParagraphStyle("draft", parent=base, backColor=colors.HexColor("#FFF4CE"), borderPadding=4),
        "running": ParagraphStyle("running", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#555555")),
    }


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

    def p(self, text: str, style: str = "body"):
        from reportlab.platypus import Paragraph

        return Paragraph(markup(text), self.s[style])

    def heading(self, text: str, level: str = "h1"):
        from reportlab.platypus import Paragraph

        para = Paragraph(markup(text), self.s[level])
        para.outline = (level, text)  # picked up by the doc template for the PDF outline
        return para

    def table(self, head: list[str] | None, rows: list[list[str]], widths: list[float], label_col: bool = False):
        """A grid with a navy head row repeated on every page, wrapped cells and rows that may split."""
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        data = []
        if head:
            data.append([self.p(h, "head") for h in head])
        for row in rows:
            data.append([self.p(cell, "label" if label_col and i == 0 else "cell") for i, cell in enumerate(row)])
        if not data:
            return self.p("None.")
        total = sum(widths)
        table = Table(data, colWidths=[self.width * w / total for w in widths], repeatRows=1 if head else 0,
                      splitInRow=1, hAlign="LEFT", spaceBefore=2, spaceAfter=8)
        style = [
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
        return table

    def story(self) -> list:
        c, h = self.c, self.c.header
        story = [self.p("Audit report", "title"), self.p(h.title, "subtitle")]
        facts = [
            ["Audit", f"{c.session.id} ({h.audit_type} audit, status {c.session.status.value})"],
            ["Dates", " to ".join(str(d) for d in dict.fromkeys((h.start_date, h.end_date)) if d) or "not recorded"],
            ["Location", h.location or "not recorded"],
            ["Client", h.client or "not recorded"],
            ["Lead auditor", h.team.lead or "not recorded"],
        ]
        story.append(self.table(None, facts, [1, 3], label_col=True))
        story.append(self.heading("Audit details"))
        story.append(self.table(None, [[k, v or "—"] for k, v in c.header_fields()], [1, 3], label_col=True))
        story.append(self.heading("Audit criteria"))
        criteria = [[s.name, s.detail] for s in c.standards] + [[f"Procedure {p.name}", p.detail] for p in c.procedures]
        story.append(self.table(["Criterion", "Edition or revision"], criteria, [1, 3]) if criteria
                     else self.p("No standard or procedure recorded in the session header."))
        story += self.summary()
        story += self.findings()
        story.append(self.heading("Conclusions"))
        story.append(self.p(c.conclusions, "draft" if c.conclusions_drafted else "body"))
        story.append(self.p(SAMPLING_STATEMENT))
        story.append(self.heading("Diverging opinions"))
        story.append(self.p(c.diverging_opinions))
        story.append(self.heading("Not covered"))
        if c.gaps:
            story.append(self.table(["Process", "Question", "Why"], [[g.process_title, g.question, g.reason] for g in c.gaps],
                                    [1.2, 3, 1]))
        else:
            story.append(self.p("Every question asked in the processes audited was answered."))
        if c.out_of_scope:
            story.append(self.p(f"Processes outside the audit scope: {', '.join(c.out_of_scope)}."))
        return story

    def summary(self) -> list:
        c = self.c
        out = [self.heading("Summary of findings")]
        out.append(self.table(["Grade", "Findings"], [[GRADE_LABELS[g], str(c.grade_counts.get(g, 0))] for g in GRADE_ORDER],
                              [3, 1]))
        if c.by_clause:
            rows = [
                [row.q1.text if row.q1 else "—", "\n".join(i.text for i in row.iso) or "—",
                 ", ".join(f"{n} {g.value}" for g, n in row.grades.items()), ", ".join(row.finding_ids)]
                for row in c.by_clause
            ]
            out.append(self.table(["API Q1 clause", "ISO 9001:2015", "Grades", "Findings"], rows, [3, 3, 1.3, 1.3]))
        out.append(self.heading("Degree to which the criteria are met"))
        rows = [
            [p.title, str(p.asked), str(p.answered), str(p.not_applicable),
             ", ".join(f"{n} {g.value}" for g, n in p.grades.items()) or "none", p.verdict]
            for p in c.processes
        ]
        out.append(self.table(["Process", "Asked", "Answered", "N/A", "Findings", "Result"], rows, [2.2, 0.8, 1.1, 0.7, 1.5, 2.2]))
        return out

    def findings(self) -> list:
        from reportlab.platypus import KeepTogether

        c = self.c
        out = [self.heading("Findings")]
        if not c.counted:
            out.append(self.p("No findings."))
        for row in c.counted:
            out.append(KeepTogether([self.heading(f"{row.finding.id}: {row.finding.title}", "h2"), self.p(self._meta(row))]))
            out += self.finding(row)
        dismissed = [r for r in c.findings if not r.counts]
        if dismissed:
            out.append(self.heading("Dismissed findings", "h2"))
            out.append(self.table(["Finding", "Title", "Reason"],
                                  [[r.finding.id, r.finding.title, r.finding.dismiss_reason or ""] for r in dismissed],
                                  [1, 3, 3]))
        if c.hints:
            out.append(self.heading("Points for the audit team", "h2"))
            out += [self.p(f"• {hint}") for hint in c.hints]
        return out

    @staticmethod
    def _meta(row: FindingRow) -> str:
        f = row.finding
        regrade = f" (proposed {f.proposed_grade.value})" if f.regraded else ""
        process = f", process {f.process}" if f.process else ""
        return f"{row.grade_label}{regrade}, {f.status.value}, rule {row.rule}{process}"

    def finding(self, row: FindingRow) -> list:
        f, action = row.finding, row.finding.action
        clauses = [[label, cl.id, cl.title] for label, lines in row.clauses.items() for cl in lines]
        clauses += [[label, "—", "none cited"] for label, lines in row.clauses.items() if not lines]
        out = [self.table(["Standard", "Clause", "Title"], clauses, [1.2, 0.8, 4])]
        statement = [["Requirement", f.statement.requirement], ["Evidence", f.statement.evidence],
                     ["Nonconformity", f.statement.nonconformity]]
        if row.records:
            statement.append(["Records sampled", ", ".join(row.records)])
        out.append(self.table(None, statement, [1, 4], label_col=True))
        if row.evidence:
            answers = [[a.question, a.answer, a.record.note,
                        " ".join(x for x in (a.record.interviewee or "", f"({a.record.role})" if a.record.role else "") if x)]
                       for a in row.evidence]
            out.append(self.table(["Question", "Answer", "Note", "Interviewee"], answers, [3, 1.25, 3, 1.3]))
        if not action.empty:
            due = f", due {action.due_date}" if action.due_date else ""
            out.append(self.table(None, [["Correction", action.correction], ["Root cause", action.root_cause],
                                         ["Corrective action", action.corrective_action],
                                         ["Evidence of completion", action.evidence],
                                         ["Owner", f"{action.owner}{due}"]], [1, 4], label_col=True))
        return out


def write_pdf(content: ReportContent, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    report = _Report(content)
    page_w, page_h = report.page
    m = report.margin
    running = report.s["running"]
    made = f"made by q1audit on {content.generated_at:%Y-%m-%d}" if content.generated_at else "made by q1audit"

    class NumberedCanvas(Canvas):
        """Holds every page until the end so the footer can say `Page 3 of 12`."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
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
            self.setStrokeColor(colors.HexColor(NAVY))
            self.setLineWidth(0.6)
            self.line(m, page_h - m + 4, page_w - m, page_h - m + 4)
            self.line(m, m - 6, page_w - m, m - 6)
            head = Paragraph(markup(f"Audit report {content.session.id} · {content.header.title}"), running)
            head.wrapOn(self, page_w - 2 * m, 20)
            head.drawOn(self, m, page_h - m + 8)
            foot = Paragraph(markup(f"Audit {content.session.id} · {made}"), running)
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
        subject="Audit report", creator="q1audit",
    )
    frame = Frame(m, m + 4, page_w - 2 * m, page_h - 2 * m - 10, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(report.story(), canvasmaker=NumberedCanvas)
