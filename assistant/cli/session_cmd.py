"""`q1audit session`, `findings` and `finding`: audit sessions, answers, findings and decisions from the shell."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import date, datetime

import click
from pydantic import BaseModel, ValidationError

from assistant.locations import DataPaths
from assistant.sessions.errors import AnswerFileError, SessionError
from assistant.sessions.models import (
    AnswerRecord,
    Auditee,
    AuditTeam,
    CorrectiveAction,
    Criteria,
    Finding,
    FindingStatus,
    RepeatOf,
    Scope,
    Session,
    SessionHeader,
    SessionStatus,
    SourceChange,
)
from assistant.sessions.service import SessionService
from rules.models import AnswerValue, ClauseCitation, Grade, Statement

AUDIT_TYPES = ["internal", "supplier", "pre-certification", "api"]
DATE = click.DateTime(formats=["%Y-%m-%d"])


BY_OPTION = click.option(
    "--by", help="Who gives or decides this (default: the session's lead auditor, else your login name)."
)


def _service(paths: DataPaths) -> SessionService:
    return SessionService(paths)


def _by(service: SessionService, session_id: str, by: str | None) -> str | None:
    from assistant.sessions.turn import who_acts

    return who_acts(service.get(session_id), by)


def _split(values: Iterable[str]) -> list[str]:
    """Options given several times or as comma lists: `--scope purchasing,calibration`."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _validated_header(**fields: object) -> SessionHeader:
    """A SessionHeader from CLI options; a bad option is one line naming the field."""
    try:
        return SessionHeader.model_validate(fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise SessionError(f"{'.'.join(map(str, err['loc'])) or 'session'}: {err['msg']}") from None


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


class FindingOut(BaseModel):
    """One finding as `q1audit findings --json` prints it."""

    id: str
    rule: str | None
    title: str
    process: str | None
    grade: Grade
    proposed_grade: Grade
    status: FindingStatus
    dismiss_reason: str | None
    decided_by: str | None
    answers_changed_since_decision: bool
    clauses: list[ClauseCitation]
    statement: Statement
    answers: list[AnswerValue]
    """The answers that fired it (question id, value, note, records)."""
    corrective_action: CorrectiveAction | None
    decision: FindingStatus | None
    """For a withdrawn (or reinstated) finding: what the auditor had decided."""
    answers_now: list[AnswerValue]
    """For a withdrawn (or reinstated) finding: the answers now (`answers` are those it was decided on)."""
    reinstated_at: datetime | None
    repeat_of: RepeatOf | None
    """The earlier audit's finding this one repeats (same rule or clause, after its action closed)."""

    @classmethod
    def of(cls, finding: Finding) -> FindingOut:
        return cls(
            **finding.model_dump(exclude={"action", "rule_id"}),
            rule=finding.rule_id,
            corrective_action=None if finding.action.empty else finding.action,
        )


class SessionOut(Session):
    """`q1audit session show --json`: the session with its answers and what changed since they were given."""

    answers: list[AnswerRecord]
    changed_sources: list[SourceChange]


# --- session -----------------------------------------------------------------------------------------


@click.group()
def session() -> None:
    """Audit sessions: create, answer checklist questions, load answers in bulk, close."""


@session.command("new")
@click.option("--title", required=True, help="What the audit is called.")
@click.option("--type", "audit_type", type=click.Choice(AUDIT_TYPES), default="internal", show_default=True)
@click.option("--scope", "processes", multiple=True, help="Checklist processes, comma separated (see `checklist show`).")
@click.option("--standard", "standards", multiple=True, help='Criteria, e.g. "API Q1:10th" (repeat for more).')
@click.option("--procedure", "procedures", multiple=True, help="Company procedures audited against (QP-08 ...).")
@click.option("--objective", "objectives", multiple=True, help="An objective of the audit (repeat for more).")
@click.option("--site", "sites", multiple=True)
@click.option("--product", "products", multiple=True)
@click.option("--lead", help="Lead auditor.")
@click.option("--member", "members", multiple=True, help="Audit team member (repeat for more).")
@click.option("--auditee", "auditees", multiple=True, help='Person audited as "Name" or "Name:Role".')
@click.option("--client", help="Who asked for the audit.")
@click.option("--location")
@click.option("--start", type=DATE, help="First audit day (YYYY-MM-DD); due dates are compared with it.")
@click.option("--end", type=DATE, help="Last audit day (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the new session as JSON.")
@click.pass_obj
def session_new(paths: DataPaths, as_json: bool, **options) -> None:
    """Create a session and print its id."""
    header = _validated_header(
            title=options["title"],
            audit_type=options["audit_type"],
            objectives=list(options["objectives"]),
            scope=Scope(
                processes=_split(options["processes"]),
                sites=_split(options["sites"]),
                products=_split(options["products"]),
            ),
            criteria=Criteria(standards=_split(options["standards"]), procedures=_split(options["procedures"])),
            team=AuditTeam(lead=options["lead"], members=list(options["members"])),
            auditees=[Auditee(name=n.strip(), role=r.strip()) for n, _, r in (a.partition(":") for a in options["auditees"])],
            client=options["client"],
            location=options["location"],
            start_date=_day(options["start"]),
            end_date=_day(options["end"]),
    )
    created = _service(paths).create(header)
    if as_json:
        _echo_json(created.model_dump(mode="json"))
    else:
        click.echo(created.id)


@session.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def session_list(paths: DataPaths, as_json: bool) -> None:
    """Every session, newest first."""
    sessions = _service(paths).list()
    if as_json:
        _echo_json([s.model_dump(mode="json") for s in sessions])
        return
    if not sessions:
        click.echo("No sessions yet: q1audit session new --title ...")
    for s in sessions:
        scope = ",".join(s.header.scope.processes) or "-"
        click.echo(f"{s.id}  {s.status.value:<11}  {s.header.audit_type:<17}  {scope:<30}  {s.header.title}")


def _shown(service: SessionService, record: AnswerRecord) -> str:
    """The answer as `parse_answer` would read it back (12, not 12.0; n/a, not na)."""
    from rules.answers import format_answer
    from rules.checklist import UnknownQuestionError

    if record.value is None:
        return "-"
    try:
        return format_answer(service.engine.checklist.get(record.question_id), record.value)
    except UnknownQuestionError:  # a question retired since it was answered
        return str(record.value)


def _value(service: SessionService, answer: AnswerValue) -> str:
    from rules.answers import format_answer
    from rules.checklist import UnknownQuestionError

    try:
        return format_answer(service.engine.checklist.get(answer.question_id), answer.value)
    except UnknownQuestionError:  # a question retired since it was answered
        return str(answer.value)


def _show_text(service: SessionService, s: Session, answers: dict[str, AnswerRecord], changed: list[SourceChange]) -> None:
    h = s.header
    click.echo(f"{s.id}  {h.title}")
    lines = {
        "Status": s.status.value,
        "Type": h.audit_type,
        "Objectives": "; ".join(h.objectives),
        "Scope": ", ".join(h.scope.processes),
        "Sites": ", ".join(h.scope.sites),
        "Products": ", ".join(h.scope.products),
        "Criteria": ", ".join(h.criteria.standards + h.criteria.procedures),
        "Lead auditor": h.team.lead or "",
        "Team": ", ".join(h.team.members),
        "Auditees": ", ".join(f"{a.name} ({a.role})" if a.role else a.name for a in h.auditees),
        "Client": h.client or "",
        "Location": h.location or "",
        "Dates": " to ".join(str(d) for d in (h.start_date, h.end_date) if d),
    }
    for label, value in lines.items():
        if value:
            click.echo(f"  {label + ':':<14}{value}")
    click.echo(f"  {'Answers:':<14}{len(answers)}")
    from assistant.sessions.turn import describe_answer
    from rules.checklist import UnknownQuestionError

    for a in answers.values():
        try:
            shown = describe_answer(service.engine.checklist.get(a.question_id), a)
        except UnknownQuestionError:  # a question retired since it was answered
            shown = str(a.value)
        click.echo(f"    {a.question_id}: {shown}")
    for change in changed:
        click.echo(f"  warning: {change.describe()}")


@session.command("show")
@click.argument("session_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def session_show(paths: DataPaths, session_id: str, as_json: bool) -> None:
    """The session header, its answers, and sources changed since the answers were given."""
    service = _service(paths)
    s = service.get(session_id)
    answers = service.answers(s.id)
    changed = service.changed_sources(s.id)
    if as_json:
        out = SessionOut(**s.model_dump(), answers=list(answers.values()), changed_sources=changed)
        _echo_json(out.model_dump(mode="json"))
    else:
        _show_text(service, s, answers, changed)


@session.command("answer")
@click.argument("session_id")
@click.argument("question_id")
@click.argument("value")
@click.option("--as", "settle", metavar="READING",
              help="How to read an answer that is not certain: yes|no|partial|na, or one of the readings offered.")
@click.option("--note", default="", help="A remark kept with the answer.")
@click.option("--record", "records", multiple=True, help="A record sampled (repeat or comma separate).")
@click.option("--attach", "attachments", multiple=True, type=click.Path(dir_okay=False), help="A file to attach.")
@click.option("--interviewee", help="Who answered.")
@click.option("--role", help="The interviewee's role.")
@BY_OPTION
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def session_answer(
    paths: DataPaths, session_id: str, question_id: str, value: str, settle: str | None, as_json: bool, **options
) -> None:
    """Answer one question as you would say it: "y", "no - only 3 of 5 re-evaluated", "2024-03-11".

    An answer that could be read more than one way ("no problem", "yes, but ...", "0.95" for a percentage)
    is not stored: the message names its readings, and --as picks one.
    """
    from assistant.sessions.turn import AuditSession
    from rules.answers import AnswerParseError, uncertain_error

    turn = AuditSession(_service(paths), session_id, by=options["by"])
    result = turn.submit(
        question_id, value, settle=settle, note=options["note"], records=_split(options["records"]),
        attachments=options["attachments"], interviewee=options["interviewee"], role=options["role"],
    )
    if not result.recorded:
        why = uncertain_error(turn.question(question_id), value, result.reading).message
        raise AnswerParseError(f"{why}; nothing stored: say which with --as {'|'.join(result.reading.labels())}")
    if as_json:
        _echo_json(result.stored.model_dump(mode="json"))
        return
    click.echo(f"{result.question_id}: recorded: {result.shown}")
    for f in result.appeared:
        click.echo(f"  finding {f.id} ({f.grade.value}) appeared: {f.title}")
    for f in result.changed:
        click.echo(f"  finding {f.id} ({f.grade.value}) changed: {f.title}")
    for f in result.withdrawn:
        kept = "withdrawn, kept with its decision" if f.status == FindingStatus.withdrawn else "no longer fires"
        click.echo(f"  finding {f.id} ({f.grade.value}) {kept}: {f.title}")


@session.command("load")
@click.argument("session_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@BY_OPTION
@click.pass_obj
def session_load(paths: DataPaths, session_id: str, file: str, by: str | None) -> None:
    """Answers in bulk from YAML or JSON: question id -> value, or -> {value, note, records}."""
    try:
        service = _service(paths)
        stored = service.load_answers(session_id, file, by=_by(service, session_id, by))
    except AnswerFileError as exc:
        for problem in exc.problems:
            click.echo(f"q1audit: {problem}", err=True)
        click.echo(f"q1audit: {len(exc.problems)} bad entries; nothing was stored", err=True)
        sys.exit(1)
    click.echo(f"{len(stored)} answers loaded into {session_id}")


@session.command("history")
@click.argument("session_id")
@click.argument("question_id")
@click.pass_obj
def session_history(paths: DataPaths, session_id: str, question_id: str) -> None:
    """Every answer given to one question: who, when, old and new."""
    service = _service(paths)
    changes = service.history(session_id, question_id)
    if not changes:
        click.echo(f"No answer to {question_id} yet.")
    for change in changes:
        old = "-" if change.old is None else _shown(service, change.old)
        when = change.changed_at.isoformat(timespec="seconds")
        click.echo(f"{when}  {change.changed_by or '?'}  {old} -> {_shown(service, change.new)}")


@session.command("edit")
@click.argument("session_id")
@click.option("--title")
@click.option("--client")
@click.option("--location")
@click.option("--start", type=DATE, help="First audit day (YYYY-MM-DD).")
@click.option("--end", type=DATE, help="Last audit day (YYYY-MM-DD).")
@click.option("--conclusions", help="The audit conclusions as the team agreed them (the report drafts one while empty).")
@click.option("--diverging-opinions", help="Opinions the audit team and auditee could not settle.")
@click.option("--organisation", help="The organisation audited (named on the report's title page).")
@click.option("--distribution", multiple=True, help='Who receives the report, e.g. "Dana Whitfield, buyer" (repeat for more).')
@click.option("--approver", metavar="NAME[:ROLE]", help='Who approved the report, e.g. "Kari Nordmann:Quality manager".')
@click.option("--approved-on", type=DATE, help="The date the report was approved (YYYY-MM-DD).")
@click.option("--report-revision", help="The report's revision as issued (1, 2, B ...).")
@click.option(
    "--status",
    type=click.Choice([s.value for s in SessionStatus if s != SessionStatus.closed]),
    help="Move the session on, e.g. to in_review while corrective actions come in (close it with `session close`).",
)
@click.pass_obj
def session_edit(paths: DataPaths, session_id: str, status: str | None, **options) -> None:
    """Change header fields the report needs (conclusions, diverging opinions ...) or the status."""
    service = _service(paths)
    distribution, approver, approved_on = options.pop("distribution"), options.pop("approver"), options.pop("approved_on")
    changes = {field: value for field, value in options.items() if value is not None}
    for field in ("start", "end"):
        if field in changes:
            changes[f"{field}_date"] = _day(changes.pop(field))
    if distribution:
        changes["distribution"] = [entry.strip() for entry in distribution if entry.strip()]
    current = service.get(session_id).header
    if approver is not None or approved_on is not None:
        before = current.approval.model_dump() if current.approval else {"name": "", "role": ""}
        name, _, role = (approver or "").partition(":")
        changes["approval"] = before | {k: v for k, v in (("name", name.strip()), ("role", role.strip()),
                                                           ("approved_on", _day(approved_on))) if v}
    if changes:
        header = _validated_header(**{**current.model_dump(), **changes})
        service.update_header(session_id, header)
    if status:
        service.set_status(session_id, status)
    updated = service.get(session_id)
    click.echo(f"{updated.id} {updated.status.value}: {updated.header.title}")


@session.command("close")
@click.argument("session_id")
@click.pass_obj
def session_close(paths: DataPaths, session_id: str) -> None:
    """Close and lock a session: nothing in it can change afterwards."""
    closed = _service(paths).close(session_id)
    click.echo(f"{closed.id} closed")


# --- findings ----------------------------------------------------------------------------------------


def _finding_text(service: SessionService, session_id: str, f: Finding) -> None:
    grade = f"{f.grade.value} (proposed {f.proposed_grade.value})" if f.regraded else f.grade.value
    click.echo(f"{f.id}  {grade}  {f.status.value}  {f.title}")
    if f.repeat_of is not None:
        click.echo(f"    {f.repeat_of.warning()}")
    click.echo(f"    Clauses: {'; '.join(str(c) for c in f.clauses)}")
    click.echo(f"    Requirement: {f.statement.requirement}")
    if f.statement.evidence:
        click.echo(f"    Evidence: {f.statement.evidence}")
    click.echo(f"    Nonconformity: {f.statement.nonconformity}")
    if f.dismiss_reason:
        click.echo(f"    Dismissed: {f.dismiss_reason}")
    if f.answers_changed_since_decision:
        click.echo("    Note: an answer behind this finding changed after it was decided")
    if f.decision is not None:
        then = ", ".join(f"{a.question_id} {_value(service, a)}" for a in f.answers)
        now = ", ".join(f"{a.question_id} {_value(service, a)}" for a in f.answers_now) or "no answer"
        kept = "reinstated" if f.reinstated_at else "withdrawn by answer change"
        click.echo(f"    {kept.capitalize()}: {f.decision.value} by {f.decided_by or '?'} on {then}; now {now}"
                   + ("" if f.reinstated_at else f" (q1audit finding reinstate {session_id} {f.id} keeps it)"))


@click.command()
@click.argument("session_id")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of findings.")
@click.pass_obj
def findings(paths: DataPaths, session_id: str, as_json: bool) -> None:
    """Findings of a session: proposed by the rules from its answers, with decisions, and manual ones."""
    from assistant.programme import RepeatFinder

    service = _service(paths)
    state = service.derived(session_id)
    found = RepeatFinder(service, session_id).flag(state.findings + state.withdrawn)
    if as_json:
        _echo_json([FindingOut.of(f).model_dump(mode="json") for f in found])
        return
    if not found:
        click.echo("No findings.")
    for f in found:
        _finding_text(service, session_id, f)
    for hint in state.hints:
        click.echo(f"hint: {hint.message}")
    for change in service.changed_sources(session_id):
        click.echo(f"warning: {change.describe()}")


@click.group()
def finding() -> None:
    """Decide on findings, add manual ones, record corrective actions."""


@finding.command("decide")
@click.argument("session_id")
@click.argument("finding_id")
@click.option("--confirm", is_flag=True, help="Confirm the finding as proposed.")
@click.option("--dismiss", metavar="REASON", help="Dismiss the finding, saying why.")
@click.option("--regrade", type=click.Choice([g.value for g in Grade]), help="Confirm it with another grade.")
@click.option("--reopen", is_flag=True, help="Undo a decision: the finding is proposed again.")
@BY_OPTION
@click.pass_obj
def finding_decide(paths: DataPaths, session_id: str, finding_id: str, confirm: bool, dismiss: str | None,
                   regrade: str | None, reopen: bool, by: str | None) -> None:
    """Confirm, dismiss or regrade a finding; the decision survives re-evaluation."""
    chosen = [name for name, on in (("--confirm", confirm), ("--dismiss", dismiss is not None),
                                    ("--regrade", regrade), ("--reopen", reopen)) if on]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --confirm, --dismiss REASON, --regrade GRADE, --reopen")
    if dismiss is not None:
        status = FindingStatus.dismissed
    elif reopen:
        status = FindingStatus.proposed
    else:
        status = FindingStatus.confirmed
    service = _service(paths)
    decided = service.decide(
        session_id, finding_id, status, reason=dismiss, grade=regrade, by=_by(service, session_id, by)
    )
    click.echo(f"{decided.id}: {decided.status.value}, {decided.grade.value}")


@finding.command("add")
@click.argument("session_id")
@click.option("--grade", required=True, type=click.Choice([g.value for g in Grade]))
@click.option("--clause", "clauses", required=True, multiple=True, help='Clause reference, e.g. "Q1 5.6.1.1".')
@click.option("--text", required=True, help="The nonconformity: what was found.")
@click.option("--title", help="A short title (default: the start of the text).")
@click.option("--evidence", default="", help="The objective evidence seen.")
@click.option("--requirement", default="", help="The requirement not met (default: the cited clauses' titles).")
@click.option("--process", help="The checklist process it belongs to (default: the one whose questions cite the clause).")
@BY_OPTION
@click.pass_obj
def finding_add(paths: DataPaths, session_id: str, by: str | None, **options) -> None:
    """Add a manual finding (ids M-001, M-002 ...)."""
    service = _service(paths)
    added = service.add_manual_finding(session_id, by=_by(service, session_id, by), **options)
    click.echo(f"{added.id} ({added.grade.value}, {added.process or 'no process'}): {added.title}")


@finding.command("reinstate")
@click.argument("session_id")
@click.argument("finding_id")
@BY_OPTION
@click.pass_obj
def finding_reinstate(paths: DataPaths, session_id: str, finding_id: str, by: str | None) -> None:
    """Keep a withdrawn finding (its answer changed) as it was decided."""
    service = _service(paths)
    kept = service.reinstate(session_id, finding_id, by=_by(service, session_id, by))
    click.echo(f"{kept.id}: reinstated, {kept.status.value}, {kept.grade.value}")


@finding.command("action")
@click.argument("session_id")
@click.argument("finding_id")
@click.option("--correction", help="What was done at once about what was found.")
@click.option("--root-cause")
@click.option("--corrective-action", help="What changes so it does not happen again.")
@click.option("--evidence", help="Evidence that the action is complete.")
@click.option("--owner")
@click.option("--due", type=DATE, help="Due date (YYYY-MM-DD).")
@BY_OPTION
@click.pass_obj
def finding_action(
    paths: DataPaths, session_id: str, finding_id: str, due: datetime | None, by: str | None, **options
) -> None:
    """Record the corrective-action response to a finding (only the fields given change)."""
    service = _service(paths)
    updated = service.set_corrective_action(
        session_id, finding_id, due_date=_day(due), by=_by(service, session_id, by), **options
    )
    click.echo(f"{updated.id}: corrective action recorded")
