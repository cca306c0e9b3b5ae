"""Two report charts, worked out once: findings by process and grade, and questions answered per process.

The PDF draws them with reportlab's own graphics; the HTML report inlines them as SVG (no plotting stack).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from assistant.exports.content import GRADE_LABELS, GRADE_ORDER, ReportContent
from rules.models import Grade

GRADE_COLOURS = {Grade.major: "#A00000", Grade.minor: "#D9822B", Grade.nonconformity: "#B35900",
                 Grade.observation: "#4472C4", Grade.ofi: "#70AD47"}
ANSWERED, OPEN = "#1F3864", "#D9D9D9"
ROW = 16
LABEL_W = 150


def findings_by_process(content: ReportContent) -> tuple[list[str], dict[Grade, list[int]]]:
    """Process titles (those in scope with findings, then other processes findings cite, then "Other" for
    findings with no process) and, per grade, the counts."""
    titles = [p.title for p in content.processes if p.grades]
    titles += dict.fromkeys(r.process_title for r in content.findings if r.process_title and r.process_title not in titles)
    if any(not r.process_title for r in content.findings):
        titles.append("Other")
    series: dict[Grade, list[int]] = {}
    for grade in GRADE_ORDER:
        counts = [sum(1 for r in content.findings if r.finding.grade == grade and (r.process_title or "Other") == title)
                  for title in titles]
        if any(counts):
            series[grade] = counts
    return titles, series


def coverage(content: ReportContent) -> list[tuple[str, int, int]]:
    """(process title, questions answered, questions asked) for each process in scope."""
    return [(p.title, p.answered, p.asked) for p in content.processes]


# --- PDF -------------------------------------------------------------------------------------------


def _bar_drawing(width: float, labels: list[str], series: list[tuple[str, str, list[float]]], unit: str):
    """A horizontal stacked bar chart with a legend, as a reportlab Drawing."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    from assistant.exports.pdf_fonts import fonts, visual_line

    height = max(len(labels), 1) * ROW + 50
    drawing = Drawing(width, height, initialFontName=fonts().regular)
    chart = HorizontalBarChart()
    chart.x, chart.y = LABEL_W, 30
    chart.width, chart.height = width - LABEL_W - 20, height - 45
    chart.data = [values[::-1] for _, _, values in series]
    chart.categoryAxis.categoryNames = [visual_line(label[:34]) for label in labels[::-1]]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = fonts().regular
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.labels.fontName = fonts().regular
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin = 0
    top = max((sum(v) for v in zip(*(values for _, _, values in series), strict=True)), default=1) or 1
    step = max(1, round(top / 5))
    chart.valueAxis.valueStep = step
    chart.valueAxis.valueMax = step * -(-top // step)
    chart.barWidth = ROW * 0.7
    for i, (_, colour, _) in enumerate(series):
        chart.bars[i].fillColor = colors.HexColor(colour)
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = LABEL_W, 12
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = fonts().regular
    legend.fontSize = 7.5
    legend.dx = legend.dy = 7
    legend.deltax = 95
    legend.colorNamePairs = [(colors.HexColor(colour), name) for name, colour, _ in series]
    drawing.add(legend)
    drawing.add(String(width - 20, 2, unit, fontName=fonts().regular, fontSize=7, textAnchor="end"))
    return drawing


def findings_drawing(content: ReportContent, width: float):
    labels, series = findings_by_process(content)
    return _bar_drawing(width, labels, [(GRADE_LABELS[g], GRADE_COLOURS[g], v) for g, v in series.items()], "findings")


def coverage_drawing(content: ReportContent, width: float):
    rows = coverage(content)
    return _bar_drawing(width, [t for t, _, _ in rows], _coverage_series(rows), "questions")


def _coverage_series(rows: list[tuple[str, int, int]]) -> list[tuple[str, str, list[int]]]:
    open_questions = [max(asked - answered, 0) for _, answered, asked in rows]
    return [("Answered", ANSWERED, [answered for _, answered, _ in rows]),
            *([("Not answered", OPEN, open_questions)] if any(open_questions) else [])]


# --- SVG -------------------------------------------------------------------------------------------


def _bar_svg(title: str, labels: list[str], series: list[tuple[str, str, list[int]]]) -> str:
    width, bar_area = 640, 640 - LABEL_W - 20
    top = max((sum(v) for v in zip(*(values for _, _, values in series), strict=True)), default=0) or 1
    height = len(labels) * (ROW + 4) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             f"<title>{escape(title)}</title>"]
    for i, label in enumerate(labels):
        y = 8 + i * (ROW + 4)
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + ROW - 4}" text-anchor="end">{escape(label)}</text>')
        x = float(LABEL_W)
        for name, colour, values in series:
            w = bar_area * values[i] / top
            if w:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW}" fill="{colour}">'
                             f"<title>{escape(name)}: {values[i]}</title></rect>")
            x += w
        total = sum(values[i] for _, _, values in series)
        parts.append(f'<text x="{x + 4:.1f}" y="{y + ROW - 4}">{total}</text>')
    x, y = float(LABEL_W), height - 12
    for name, colour, _ in series:
        parts.append(f'<rect x="{x:.0f}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14:.0f}" y="{y}">{escape(name)}</text>')
        x += 30 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def findings_svg(content: ReportContent) -> str:
    labels, series = findings_by_process(content)
    return _bar_svg("Findings by process and grade", labels,
                    [(GRADE_LABELS[g], GRADE_COLOURS[g], v) for g, v in series.items()])


def coverage_svg(content: ReportContent) -> str:
    rows = coverage(content)
    return _bar_svg("Questions answered per process", [t for t, _, _ in rows], _coverage_series(rows))
