"""The audit report as one self-contained HTML file, rendered with jinja2 and every value escaped."""

from __future__ import annotations

from pathlib import Path

from assistant.exports.content import GRADE_LABELS, GRADE_ORDER, SAMPLING_STATEMENT, ReportContent
from assistant.exports.safety import clean_text

TEMPLATES = Path(__file__).parent / "templates"


def render_html(content: ReportContent) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    header = content.header
    dates = " to ".join(str(d) for d in dict.fromkeys((header.start_date, header.end_date)) if d)
    html = env.get_template("report.html.j2").render(
        c=content,
        grades=GRADE_ORDER,
        labels=GRADE_LABELS,
        dismissed=[row for row in content.findings if not row.counts],
        sampling=SAMPLING_STATEMENT,
        dates=dates,
    )
    return clean_text(html)


def write_html(content: ReportContent, path: Path) -> None:
    path.write_text(render_html(content), encoding="utf-8", newline="\n")
