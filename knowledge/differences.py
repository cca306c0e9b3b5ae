"""What API Q1 asks beyond ISO 9001: the differences view by theme, comparison questions, and transitions."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from knowledge.catalogue import ISO, Q1, Catalogue, Clause, ClauseKey, load_catalogue
from knowledge.clause_detail import ClauseRef
from knowledge.clause_refs import find_clause_refs, parse_clause_ref, resolve_clause_ref
from knowledge.crosswalk import Change, CrosswalkLink, Relation, Theme
from knowledge.errors import ClauseNotFoundError, Q1AuditError

SCHEMA_VERSION = 1
"""Bumped when a field of the JSON output is renamed or removed (adding one keeps the version)."""
Q1_EDITIONS = ("10th", "9th")
ISO_2015 = ClauseKey(ISO, "2015", "")

WHOLE_TABLE = "all"
"""The topic of a comparison question that names no topic ("difference between API Q1 and ISO 9001")."""
EDITION_CHANGES = "9th->10th"
"""The topic of a question about the 10th edition's changes ("what's new in the 10th edition")."""
FROM_ISO = "ISO 9001:2015->API Q1"
"""The topic of a question about moving an ISO 9001 system to Q1 ("what must an ISO 9001 company add for Q1?")."""

# What people call each theme, besides its own name and label.
_THEME_ALIASES = {
    Theme.scope: ("scope", "industry focus", "industry focus and scope", "industry"),
    Theme.risk: ("risk", "risks", "risk management", "risk management and contingency"),
    Theme.documentation: ("documentation", "documented procedures", "procedures and records"),
    Theme.product: ("product", "product specificity", "product and service specificity", "service specificity"),
    Theme.suppliers: ("suppliers", "supplier management", "supply chain"),
    Theme.certification: ("certification", "compliance", "compliance and certification", "monogram"),
    Theme.management: ("management", "management system", "qms"),
}
# Words that carry no topic in "how does Q1 differ from ISO 9001 on purchasing?".
_STOP_WORDS = """a an and are as at be between by can compare compared comparing comparison compares concerning
    differ differs differed difference differences different do does for from has have how in into is it
    its of on or over regarding than that the their them there these this to under versus vs vs. what
    what's whats when where which who why with wrt terms respect about add adds added adding beyond extra
    stricter more asks ask require requires requirement requirements demand demands say says
    api spec specification q1 iso 9001 2015 standard standards me us our we i you tell show give list
    gap gaps top over above against side edition 9th 10th ninth tenth must need needs company companies organization organisation
    certified get go going move moving upgrade upgrading transition migrate switch should have"""
_STOP = frozenset(_STOP_WORDS.split())


class CitedClause(ClauseRef):
    """A clause cited by a statement, with how well its number and title are established."""

    confidence: str | None = None

    @classmethod
    def of(cls, key: ClauseKey, catalogue: Catalogue) -> CitedClause:
        clause = catalogue.get(*key)
        return cls(
            standard=key.standard, edition=key.edition, id=key.id,
            title=clause.title if clause else None, confidence=clause.confidence.value if clause else None,
        )

    @property
    def label(self) -> str:
        edition = f" {self.edition}" if self.standard == Q1 else ""
        return f"{self.standard}{edition} {self.id}"


class DifferenceRow(BaseModel):
    """One crosswalk link seen from the Q1 side: what Q1 asks, its ISO counterpart, and what Q1 adds."""

    theme: str
    q1: CitedClause
    """The Q1 clause in the view's edition, or in the other edition where its home there is not established."""
    q1_other_edition: CitedClause | None = None
    iso: list[CitedClause]
    iso_closest: list[CitedClause] = Field(default_factory=list)
    """For Q1-only requirements: the nearest ISO clauses, which do not cover them."""
    relation: str
    relation_plain: str
    q1_only: bool
    beyond_iso: str
    """What Q1 asks beyond ISO, our words ("" when equal or ISO broader)."""
    rationale: str
    confidence: str
    """How sure the mapping judgement is (verified, likely, unverified)."""
    note: str | None = None


class ThemeGroup(BaseModel):
    theme: str
    label: str
    rows: list[DifferenceRow]


class DifferencesView(BaseModel):
    """The differences table for a topic, a clause or everything (`q1audit diff --json`)."""

    schema_version: int = SCHEMA_VERSION
    topic: str | None
    edition: str
    matched_by: Literal["all", "theme", "clause", "words"]
    groups: list[ThemeGroup]

    @property
    def rows(self) -> list[DifferenceRow]:
        return [row for group in self.groups for row in group.rows]


class DifferencesError(Q1AuditError):
    """A topic matched nothing, or an edition or transition is not known."""

    title = "No differences found"


def _id_order(clause_id: str) -> tuple:
    if clause_id.startswith("Annex"):
        return (999, clause_id)
    return tuple(int(part) for part in clause_id.split("."))


def _link_q1(link: CrosswalkLink, edition: str) -> tuple[ClauseKey, ClauseKey | None, str | None]:
    """The link's Q1 clause for `edition`, the other edition's, and a note where the edition lacks it."""
    ids = link.q1_ids()
    other = next(e for e in Q1_EDITIONS if e != edition)
    if edition in ids:
        other_key = ClauseKey(Q1, other, ids[other]) if other in ids else None
        return ClauseKey(Q1, edition, ids[edition]), other_key, None
    if edition == "10th":
        note = "10th-edition home not established; the 9th-edition clause is shown"
    else:
        note = "new in the 10th edition: no 9th-edition clause"
    return ClauseKey(Q1, other, ids[other]), None, note


def _row(link: CrosswalkLink, edition: str, catalogue: Catalogue) -> DifferenceRow:
    q1, other, note = _link_q1(link, edition)
    return DifferenceRow(
        theme=link.theme.value,
        q1=CitedClause.of(q1, catalogue),
        q1_other_edition=CitedClause.of(other, catalogue) if other else None,
        iso=[CitedClause.of(ISO_2015._replace(id=i), catalogue) for i in link.iso],
        iso_closest=[CitedClause.of(ISO_2015._replace(id=i), catalogue) for i in link.iso_closest],
        relation=link.relation.value,
        relation_plain=link.relation.plain,
        q1_only=link.q1_only,
        beyond_iso=link.beyond_iso,
        rationale=link.rationale,
        confidence=link.confidence,
        note=note,
    )


def _group(links: list[CrosswalkLink], edition: str, catalogue: Catalogue) -> list[ThemeGroup]:
    groups = []
    for theme in Theme:  # the enum's order is the order people read the themes in
        rows = [_row(link, edition, catalogue) for link in links if link.theme == theme]
        rows.sort(key=lambda r: (r.note is not None, _id_order(r.q1.id)))
        if rows:
            groups.append(ThemeGroup(theme=theme.value, label=theme.label, rows=rows))
    return groups


def _theme_of(topic: str) -> Theme | None:
    wanted = " ".join(topic.lower().replace("-", " ").split())
    for theme in Theme:
        if wanted in (theme.value, theme.label.lower(), *_THEME_ALIASES[theme]):
            return theme
    return None


def _clause_topic(topic: str, catalogue: Catalogue) -> Clause | None:
    """The clause a topic names ("5.5", "ISO 8.4", "9th 5.6.1"); a bare number is read as Q1 first."""
    try:
        query = parse_clause_ref(topic)
    except ClauseNotFoundError:
        return None
    if query.words:
        return None
    if query.standard is None and query.edition is None:
        for key in (ClauseKey(Q1, "10th", query.id), ClauseKey(Q1, "9th", query.id), ISO_2015._replace(id=query.id)):
            if catalogue.get(*key) is not None:
                return catalogue.get(*key)
    return resolve_clause_ref(topic, catalogue)


def _within(clause_id: str | None, root: str) -> bool:
    return clause_id is not None and (clause_id == root or clause_id.startswith(root + "."))


def _links_for_clause(clause: Clause, catalogue: Catalogue) -> list[CrosswalkLink]:
    """Links of the clause and of its sub-clauses (a heading like Q1 5.5 brings in all of purchasing)."""
    if clause.standard == Q1:
        return [link for link in catalogue.crosswalk.links if _within(link.q1_ids().get(clause.edition), clause.id)]
    return [
        link
        for link in catalogue.crosswalk.links
        if any(_within(i, clause.id) for i in [*link.iso, *link.iso_closest])
    ]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9][a-z0-9'-]*", text.lower())


def _has(text_words: set[str], wanted: str) -> bool:
    return any(w.startswith(wanted) for w in text_words)


def _link_texts(link: CrosswalkLink, catalogue: Catalogue) -> tuple[set[str], set[str]]:
    """Words that name the link's topic (titles, keywords, section headings) and words that mention it."""
    strong: list[str] = []
    weak: list[str] = [link.beyond_iso, link.rationale]
    for edition, clause_id in link.q1_ids().items():
        clause = catalogue.get(Q1, edition, clause_id)
        if clause is None:
            continue
        strong += [clause.title, *clause.keywords]
        # Section headings below the top level (5.5 Purchasing) name the topic of every sub-clause.
        strong += [a.title for a in catalogue.ancestors(clause) if "." in a.id]
        weak.append(clause.summary)
    strong_words = {w for text in strong for w in _words(text)}
    return strong_words, strong_words | {w for text in weak for w in _words(text)}


def _links_for_words(topic: str, catalogue: Catalogue) -> list[CrosswalkLink]:
    wanted = [_stem(w) for w in _words(topic) if w not in _STOP and len(w) > 1]
    if not wanted:
        return []
    scored = []
    for link in catalogue.crosswalk.links:
        strong, anywhere = _link_texts(link, catalogue)
        scored.append(
            (link, sum(_has(strong, w) for w in wanted), sum(_has(anywhere, w) for w in wanted))
        )
    # Prefer links whose titles or keywords name every word; then links that mention them all; then the best.
    for chosen in (
        [link for link, s, _ in scored if s == len(wanted)],
        [link for link, _, a in scored if a == len(wanted)],
    ):
        if chosen:
            return chosen
    best = max(a for _, _, a in scored)
    return [link for link, _, a in scored if a == best] if best else []


def differences(topic_or_clause: str | None, catalogue: Catalogue, edition: str = "10th") -> DifferencesView:
    """The differences table for a theme, a clause (with its sub-clauses), words, or everything (None/"all")."""
    if edition not in Q1_EDITIONS:
        raise DifferencesError(f"--edition: API Q1 has editions {', '.join(Q1_EDITIONS)}, not {edition!r}")
    topic = " ".join((topic_or_clause or "").split()) or None
    links = catalogue.crosswalk.links
    if topic is None or topic.lower() == WHOLE_TABLE:
        return DifferencesView(topic=None, edition=edition, matched_by="all", groups=_group(links, edition, catalogue))
    theme = _theme_of(topic)
    if theme is not None:
        chosen = [link for link in links if link.theme == theme]
        return DifferencesView(topic=topic, edition=edition, matched_by="theme", groups=_group(chosen, edition, catalogue))
    clause = _clause_topic(topic, catalogue)
    if clause is not None:
        chosen = _links_for_clause(clause, catalogue)
        if not chosen:
            raise DifferencesError(
                f"{clause.label} {clause.title}: the crosswalk records no requirement to compare there"
                " (q1audit diff --all lists every one)"
            )
        return DifferencesView(topic=topic, edition=edition, matched_by="clause", groups=_group(chosen, edition, catalogue))
    chosen = _links_for_words(topic, catalogue)
    if not chosen:
        themes = ", ".join(t.value for t in Theme)
        raise DifferencesError(
            f"no Q1 requirement matches {topic!r}: try a theme ({themes}), a clause such as 5.5, or --all"
        )
    return DifferencesView(topic=topic, edition=edition, matched_by="words", groups=_group(chosen, edition, catalogue))


# --- comparison questions in the chat ---------------------------------------------------------------

_Q1_MENTION = re.compile(r"\b(?:api|q1)\b", re.I)
_ISO_MENTION = re.compile(r"\biso\b|\b9001\b", re.I)
_BOTH_CUES = re.compile(
    r"\b(?:differ\w*|vs\.?|versus|compar\w*|beyond|add(?:s|ed)?|extra|stricter|more\s+than|"
    r"gaps?|on\s+top\s+of|over\s+and\s+above|contrast)\b",
    re.I,
)
# With only Q1 named, the question must ask what Q1 adds ("what does API add for calibration?").
_Q1_ONLY_CUES = re.compile(r"\b(?:add(?:s|ed)?|extra|beyond|on\s+top)\b", re.I)
_MOVE_CUES = re.compile(r"\b(?:certified|must|need\w*|mov\w+|upgrad\w+|transition\w*|migrat\w+|switch\w*)\b", re.I)
_TENTH = re.compile(r"\b(?:10th|tenth)\b|\bnew\s+edition\b", re.I)
_CHANGE_CUES = re.compile(
    r"\bwhat(?:'s|\s+is|\s+are)?\s+(?:new|changed|different)\b|\bnew\s+in\b|\bchang(?:e|es|ed)\b|\bdiffer\w*"
    r"|\bmoved\b|\brenumber\w*|\btransition\w*|\bvs\b|\bversus\b|\bcompar\w*",
    re.I,
)


def comparison_topic(question: str, catalogue: Catalogue | None = None) -> str | None:
    """The topic of a comparison question, or WHOLE_TABLE, EDITION_CHANGES, FROM_ISO; None for no comparison.

    "how does Q1 differ from ISO on purchasing?" -> "purchasing"; "difference between API Q1 and ISO
    9001" -> WHOLE_TABLE; "what's new in the 10th edition" -> EDITION_CHANGES; "which clause covers
    purchasing?" -> None. A clause the question cites comes back as its key ("API Q1:10th:5.5.1.2").
    """
    text = question.strip()
    q1, iso = bool(_Q1_MENTION.search(text)), bool(_ISO_MENTION.search(text))
    if _TENTH.search(text) and _CHANGE_CUES.search(text) and not iso:
        return EDITION_CHANGES
    if not ((q1 and iso and _BOTH_CUES.search(text)) or (q1 and not iso and _Q1_ONLY_CUES.search(text))):
        return None
    catalogue = catalogue or load_catalogue()
    cited = find_clause_refs(text, catalogue)
    if cited:
        return str(cited[0])
    words = [w for w in _words(text) if w not in _STOP]
    if words:
        return " ".join(words)
    return FROM_ISO if iso and _MOVE_CUES.search(text) else WHOLE_TABLE


def comparison_view(question: str, catalogue: Catalogue, edition: str = "10th") -> DifferencesView | TransitionView | None:
    """What the chat shows for a comparison question (None when the question is not one)."""
    topic = comparison_topic(question, catalogue)
    if topic is None:
        return None
    if topic == EDITION_CHANGES:
        return transition("API Q1:9th", "API Q1:10th", catalogue)
    if topic == FROM_ISO:
        return transition("ISO 9001:2015", f"API Q1:{edition}", catalogue)
    return differences(topic, catalogue, edition)


# --- transitions ------------------------------------------------------------------------------------

_SYSTEMS = {
    "iso 9001 2015": (ISO, "2015"), "iso 9001": (ISO, "2015"), "iso": (ISO, "2015"), "iso 2015": (ISO, "2015"),
    "api q1 10th": (Q1, "10th"), "q1 10th": (Q1, "10th"), "api q1 tenth": (Q1, "10th"), "q1 tenth": (Q1, "10th"),
    "api q1": (Q1, "10th"), "q1": (Q1, "10th"),
    "api q1 9th": (Q1, "9th"), "q1 9th": (Q1, "9th"), "api q1 ninth": (Q1, "9th"), "q1 ninth": (Q1, "9th"),
}


class TransitionItem(BaseModel):
    """One thing to add or to re-check when moving between two systems, citing the clauses on both sides."""

    from_clauses: list[CitedClause]
    to_clauses: list[CitedClause]
    change: str
    """For ISO -> Q1 the relation in plain words; for 9th -> 10th the kind of change."""
    statement: str
    """What to do or what changed, our words."""
    theme: str | None = None
    documented_procedure: bool = False
    confidence: str


class TransitionSection(BaseModel):
    key: str
    title: str
    items: list[TransitionItem]


class TransitionView(BaseModel):
    """What changes for a company moving from one system to another (`q1audit diff --from --to --json`)."""

    schema_version: int = SCHEMA_VERSION
    source: str
    target: str
    notes: list[str]
    sections: list[TransitionSection]
    unchanged: int = 0
    """9th -> 10th: clauses that kept their number and title (not listed one by one)."""

    @property
    def items(self) -> list[TransitionItem]:
        return [item for section in self.sections for item in section.items]


def _system(text: str, option: str) -> tuple[str, str]:
    key = " ".join(re.sub(r"[:/_,-]|\bedition\b|\bspec\b", " ", text.lower()).split())
    if key not in _SYSTEMS:
        raise DifferencesError(f"{option}: unknown system {text!r} (use 'ISO 9001:2015', 'API Q1:9th' or 'API Q1:10th')")
    return _SYSTEMS[key]


def _system_name(system: tuple[str, str]) -> str:
    standard, edition = system
    return f"{standard}:{edition}"


def _from_iso(edition: str, catalogue: Catalogue) -> tuple[list[TransitionSection], list[str]]:
    """Every Q1-only, Q1-stricter and partial requirement, documented procedures first."""
    sections = {
        "procedures": ("Documented procedures Q1 requires", []),
        "q1_only": ("Requirements ISO 9001 does not have", []),
        "stricter": ("Where Q1 asks more than ISO 9001", []),
        "partial": ("Partial overlaps: what Q1 adds", []),
    }
    kind_of = {Relation.none: "q1_only", Relation.superset: "stricter", Relation.intersect: "partial"}
    covered: set[str] = set()
    for link in catalogue.crosswalk.links:
        if link.relation not in kind_of:
            continue
        q1, _, note = _link_q1(link, edition)
        clause = catalogue.get(*q1)
        procedure = bool(clause and clause.documented_procedure)
        key = "procedures" if procedure else kind_of[link.relation]
        iso = link.iso or link.iso_closest
        statement = link.beyond_iso + (f" ({note}.)" if note else "")
        sections[key][1].append(
            TransitionItem(
                from_clauses=[CitedClause.of(ISO_2015._replace(id=i), catalogue) for i in iso],
                to_clauses=[CitedClause.of(q1, catalogue)],
                change=link.relation.plain, statement=statement, theme=link.theme.label,
                documented_procedure=procedure, confidence=link.confidence,
            )
        )
        if q1.edition == edition:
            covered.add(q1.id)
    # A documented procedure the crosswalk links only as "equal" is still one to write: ISO asks for none.
    for clause in catalogue.clauses(Q1, edition):
        if clause.documented_procedure and clause.id not in covered:
            sections["procedures"][1].append(
                TransitionItem(
                    from_clauses=[CitedClause.of(c.key, catalogue) for c in catalogue.counterparts(clause)],
                    to_clauses=[CitedClause.of(clause.key, catalogue)],
                    change="documented procedure",
                    statement="Q1 asks for a documented procedure here; ISO 9001:2015 requires no documented procedures.",
                    documented_procedure=True, confidence=clause.confidence.value,
                )
            )
    out = []
    for key, (title, items) in sections.items():
        # Clauses of the target edition first; those whose home there is unknown follow, in 9th order.
        items.sort(key=lambda item: (item.to_clauses[0].edition != edition, _id_order(item.to_clauses[0].id)))
        out.append(TransitionSection(key=key, title=title, items=items))
    notes = [
        f"Every requirement below is in API Q1 {edition} and absent from, or looser in, ISO 9001:2015;"
        " requirements the two share are left out (q1audit diff --all shows them).",
    ]
    return out, notes


_EDITION_SECTIONS = {
    "moved": ("Moved (renumbered)", (Change.renumbered, Change.renumbered_renamed)),
    "new": ("New in the 10th edition", (Change.new,)),
    "renamed": ("Renamed in place", (Change.renamed,)),
    "restructured": ("Same number and title, content changed", (Change.restructured,)),
    "dropped": ("Dropped", (Change.dropped,)),
    "unknown": ("10th-edition home not established", (Change.unknown,)),
}


# What a move without a note means for a company's procedures and references.
_PLAIN_CHANGE = {
    Change.renumbered: "Same requirement under a new number: update references to it.",
    Change.renumbered_renamed: "New number and title: update references to it.",
    Change.renamed: "Same number, new title.",
    Change.dropped: "No counterpart in the 10th edition.",
}


def _ninth_to_tenth(catalogue: Catalogue) -> tuple[list[TransitionSection], list[str], int]:
    sections = []
    for key, (title, changes) in _EDITION_SECTIONS.items():
        items = []
        for move in catalogue.edition_map.moves:
            if move.change not in changes:
                continue
            statement = move.note or _PLAIN_CHANGE.get(move.change, move.change.value)
            if move.change == Change.unknown:
                statement = f"Not known where this 9th-edition clause sits in the 10th. {move.note}".strip()
            items.append(
                TransitionItem(
                    from_clauses=[CitedClause.of(ClauseKey(Q1, "9th", move.q1_9th), catalogue)] if move.q1_9th else [],
                    to_clauses=[CitedClause.of(ClauseKey(Q1, "10th", move.q1_10th), catalogue)] if move.q1_10th else [],
                    change=move.change.value, statement=statement, confidence=move.confidence,
                )
            )
        sections.append(TransitionSection(key=key, title=title, items=items))
    unchanged = sum(1 for m in catalogue.edition_map.moves if m.change == Change.unchanged)
    tenth = catalogue.files[(Q1, "10th")]
    notes = []
    if not tenth.structure_known:
        unknown = next(s for s in sections if s.key == "unknown")
        notes.append(
            f"The 10th edition's clause structure is only partly known: {len(unknown.items)} 9th-edition clauses"
            " have no established 10th-edition home, and moves rated likely or unverified are inferred"
            " from the numbering."
        )
        if tenth.structure_note:
            notes.append(tenth.structure_note)
    return sections, notes, unchanged


def transition(from_: str, to: str, catalogue: Catalogue) -> TransitionView:
    """What to add going from ISO 9001:2015 to API Q1, or what changed from the Q1 9th to the 10th edition."""
    source, target = _system(from_, "--from"), _system(to, "--to")
    unchanged = 0
    if source == (ISO, "2015") and target[0] == Q1:
        sections, notes = _from_iso(target[1], catalogue)
    elif source == (Q1, "9th") and target == (Q1, "10th"):
        sections, notes, unchanged = _ninth_to_tenth(catalogue)
    else:
        raise DifferencesError(
            f"no transition from {_system_name(source)} to {_system_name(target)}: use --from 'ISO 9001:2015'"
            " --to 'API Q1:10th' (or 9th), or --from 'API Q1:9th' --to 'API Q1:10th'"
        )
    return TransitionView(
        source=_system_name(source), target=_system_name(target), notes=notes, sections=sections, unchanged=unchanged
    )
