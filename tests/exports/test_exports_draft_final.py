"""From draft to final: what the auditee may see while findings are undecided, and a complete ISO 19011 report after."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.sessions.models import Auditee, AuditTeam, Criteria, Scope, SessionHeader
from knowledge import SAMPLE_QMS_DIR

SAMPLE_ANSWERS = SAMPLE_QMS_DIR.parent / "audits" / "2025-purchasing-calibration.yaml"
TEAM_ONLY = ["AUDIT TEAM ONLY", "Points for the audit team", "consider whether", "proposed", "rule ", "PUR-0",
             "CAL-0", "manual finding", "set aside"]


def _cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def sample_audit(service) -> str:
    """The sample purchasing and calibration audit: five rule findings proposed, none decided."""
    header = SessionHeader(
        title="Purchasing and calibration, March 2025", audit_type="supplier",
        objectives=["Verify supplier control and calibration against QP-07 and QP-12"],
        scope=Scope(processes=["purchasing", "calibration"], sites=["Houston plant"]),
        criteria=Criteria(standards=["API Q1:10th", "ISO 9001:2015"], procedures=["QP-07"]),
        team=AuditTeam(lead="Ingrid Halvorsen", members=["Øyvind Dahl"]),
        auditees=[Auditee(name="Dana Whitfield", role="Supply Chain Manager")],
        client="Supplier quality", location="Houston", start_date=date(2025, 3, 11),
    )
    sid = service.create(header).id
    service.load_answers(sid, SAMPLE_ANSWERS, by="ingrid")
    result = _cli("session", "edit", sid, "--organisation", "Brazos Forge & Valve Ltd", "--distribution",
                  "Dana Whitfield, Supply Chain Manager", "--distribution", "Quality file QF-2025-07",
                  "--approver", "Kari Nordmann:Quality manager", "--approved-on", "2025-03-14")
    assert result.exit_code == 0, result.output
    return sid


def _pdf_pages(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def _docx_text(path: Path) -> tuple[str, str]:
    import docx

    document = docx.Document(path)
    body = "\n".join(p.text for p in document.paragraphs)
    body += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    return body, document.sections[0].header._element.xml


def test_undecided_findings_make_a_draft_then_deciding_them_makes_the_final_report(service, sample_audit, tmp_path):
    sid = sample_audit
    undecided = [f.id for f in service.findings(sid) if f.status.value == "proposed"]
    assert len(undecided) >= 3

    # Draft: DRAFT on every page, nothing for the team only, no response pack, no closing.
    for fmt in ("pdf", "docx", "html"):
        result = _cli("export", sid, "--format", fmt, "-o", str(tmp_path / f"draft.{fmt}"))
        assert result.exit_code == 0, result.output
    pages = _pdf_pages(tmp_path / "draft.pdf")
    assert all("DRAFT" in page for page in pages), "every page of a draft says so"
    body, header_xml = _docx_text(tmp_path / "draft.docx")
    html = (tmp_path / "draft.html").read_text(encoding="utf-8")
    assert "DRAFT" in header_xml and 'string="DRAFT"' in header_xml, "Word header and watermark"
    assert "<h1>Audit report (DRAFT)</h1>" in html
    for text in ("\n".join(pages), body, html):
        for team_only in TEAM_ONLY:
            assert team_only not in text, team_only
    for fmt in ("response-xlsx", "response-docx"):
        refused = _cli("export", sid, "--format", fmt, "-o", str(tmp_path / f"r-{fmt}"))
        assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1
        assert "no response pack while findings are undecided" in refused.output
    refused = _cli("session", "close", sid)
    assert refused.exit_code == 1 and all(fid in refused.output for fid in undecided)

    # The team's draft keeps everything, marked as theirs.
    result = _cli("export", sid, "--format", "pdf", "--for", "team", "-o", str(tmp_path / "team.pdf"))
    assert result.exit_code == 0, result.output
    team_pages = _pdf_pages(tmp_path / "team.pdf")
    assert all("AUDIT TEAM ONLY" in page and "DRAFT" in page for page in team_pages)
    team_text = "\n".join(team_pages)
    assert all(fid in team_text for fid in undecided) and "Points for the audit team" in team_text

    # Decide every finding: confirm all but one, dismiss that one.
    for fid in undecided[:-1]:
        assert _cli("finding", "decide", sid, fid, "--confirm").exit_code == 0
    assert _cli("finding", "decide", sid, undecided[-1], "--dismiss", "duplicate of another finding").exit_code == 0
    assert _cli("session", "edit", sid, "--conclusions", "Supplier control partly effective.").exit_code == 0

    for fmt in ("pdf", "docx", "html", "response-docx"):
        result = _cli("export", sid, "--format", fmt, "-o", str(tmp_path / f"final.{fmt.replace('-', '.')}"))
        assert result.exit_code == 0, result.output
    pages = _pdf_pages(tmp_path / "final.pdf")
    body, header_xml = _docx_text(tmp_path / "final.docx")
    html = (tmp_path / "final.html").read_text(encoding="utf-8")
    response, _ = _docx_text(tmp_path / "final.response.docx")
    iso_19011 = [
        "Brazos Forge", "Verify supplier control", "Purchasing, Calibration (TMMDE)", "Supplier quality",
        "Ingrid Halvorsen", "Dana Whitfield", "2025-03-11", "Houston", "API Q1 10th edition", "Procedure QP-07",
        "F-01", "Supplier control partly effective.", "Degree to which the criteria are met", "Diverging opinions",
        "sample", "This report is confidential", "Dana Whitfield, Supply Chain Manager", "Quality file QF-2025-07", "Kari Nordmann", "Quality manager",
        "2025-03-14", "Signature", "Final, revision 1, issued",
    ]
    pdf_text = "\n".join(pages)
    for text in (pdf_text, body, html.replace("&amp;", "&")):
        assert "DRAFT" not in text
        for item in iso_19011:
            assert item in text, item
        for team_only in TEAM_ONLY:
            assert team_only not in text, team_only
    assert "DRAFT" not in header_xml
    assert all("Final, revision 1, issued" in page for page in pages), "issue date and revision on every page"
    assert "Final, revision 1, issued" in response and "duplicate of another finding" not in response
    assert pdf_text.index("Executive summary") < pdf_text.index("Audit details") < pdf_text.index("F-01:")

    closed = _cli("session", "close", sid)
    assert closed.exit_code == 0, closed.output
