"""A company procedure passage: document, revision, section, page, score and an excerpt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from index.search import SearchResult


def procedure_content(result: SearchResult) -> Content:
    revision = f" rev {result.revision}" if result.revision else ""
    where = [f"§ {result.section}"] if result.section else []
    if result.page:
        where.append(f"p. {result.page}")
    cites = ", ".join(c.replace(":", " ", 2) for c in result.clauses[:3])
    return Content.assemble(
        (f"{result.doc}{revision}", "bold $accent"),
        (f"  {result.title or ''}", "bold"),
        (f"  {result.score:.2f}", "dim"),
        "\n",
        (" · ".join(where), "italic"),
        (f"   cites {cites}" if cites else "", "dim"),
        "\n",
        result.text,
    )


class ProcedureCard(Static):
    """One passage of a company procedure that answers the question."""

    def __init__(self, result: SearchResult, **kwargs):
        super().__init__(procedure_content(result), **kwargs)
        self.result = result
