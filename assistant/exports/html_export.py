"""The audit report as one self-contained HTML file, rendered with jinja2 and every value escaped."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from assistant.exports.content import (
    GRADE_LABELS,
    GRADE_ORDER,
    NOT_CONFIRMED_NOTE,
    SAMPLING_STATEMENT,
    TEAM_ONLY_NOTICE,
    ReportContent,
)
from assistant.exports.safety import clean_text

TEMPLATES = Path(__file__).parent / "templates"


def _data_uri(path: Path) -> str:
    """A photo inlined as a data URI, so the report stays one file; empty if it cannot be read."""
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    try:
        return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
    except OSError:
        return ""


def render_html(content: ReportContent) -> str:
    import jinja2
    from markupsafe import Markup

    from assistant.exports.charts import coverage_svg, findings_svg

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    html = env.get_template("report.html.j2").render(
        c=content,
        grades=GRADE_ORDER,
        labels=GRADE_LABELS,
        sampling=SAMPLING_STATEMENT,
        team_notice=TEAM_ONLY_NOTICE,
        not_confirmed=NOT_CONFIRMED_NOTE,
        # Built from escaped text by charts.py; the only markup not escaped here.
        findings_chart=Markup(findings_svg(content)) if content.findings else "",
        coverage_chart=Markup(coverage_svg(content)),
        photos={photo.path: _data_uri(photo.path) for row in content.findings for photo in row.photos},
    )
    return clean_text(html)


def write_html(content: ReportContent, path: Path) -> None:
    path.write_text(render_html(content), encoding="utf-8", newline="\n")
