"""Subscriptions and organiser commands: the same words on every platform.

Who is an organiser is decided here, in the core, from the settings; every refusal is a clear
message and changes nothing. Figures are checked like an import before anything is written.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot import columns, commands, forms, parsers
from bot.admin_target import named_ballot, split_target
from bot.announce.audit import entry_line
from bot.announce.model import Announce, Declared, FilterKind, OutboxState, Target
from bot.config import Settings
from bot.domain import Ballot, Question, Result, Status, TurnoutSoFar
from bot.percentages import as_reported
from bot.ports import BallotStore, Declarations, Outbox, Subscriptions
from bot.replies import Form, Reply, ReplyKind, Section, Tone, error
from bot.requests import FormSubmission, Request
from bot.search import SearchIndex, normalise
from bot.shown import moment

KIND_OF_NAME = {
    "union": FilterKind.UNION,
    "employer": FilterKind.EMPLOYER,
    "branch": FilterKind.EMPLOYER,
    "alias": FilterKind.EMPLOYER,
    "area": FilterKind.AREA,
    "sector": FilterKind.SECTOR,
    "campaign": FilterKind.CAMPAIGN,
}
ADMIN_VERBS = frozenset(
    {"add", "set", "result", "correct", "turnout", "preview", "announce", "cancel", "audit",
     "deliveries"}
)  # fmt: skip
"""The organiser commands this service answers."""
ANSWERED_ELSEWHERE = ("reminders", "privacy")
"""Organiser commands the reminders service answers (the core routes them there)."""


def is_organiser(request: Request, settings: Settings) -> bool:
    """Console users, Slack user ids and Discord roles named in the settings."""
    match request.platform:
        case "console":
            return request.user_id in settings.console.organisers
        case "slack":
            return request.user_id in settings.slack.organisers
        case "discord":
            return bool(set(request.roles) & set(settings.discord.organiser_roles))
    return False


def who(request: Request) -> str:
    return f"{request.platform}:{request.user_id}"


def refused(request: Request) -> Reply:
    """The answer to a member who tried an organiser's command: nothing changes."""
    return error(
        "Only organisers can do that",
        f"{who(request)} is not an organiser here; nothing was changed.",
    )


class AnnouncementService:
    def __init__(
        self,
        subscriptions: Subscriptions,
        declarations: Declarations,
        outbox: Outbox,
        ballots: BallotStore,
        settings: Settings,
        index: Callable[[], Awaitable[SearchIndex]],
        card: Callable[[Ballot], Reply],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.subscriptions = subscriptions
        self.declarations = declarations
        self.outbox = outbox
        self.ballots = ballots
        self.settings = settings
        self.index = index
        self.card = card
        self.clock = clock
        """When organisers' reports happen (the composition root shares the reminders')."""

    async def handle(self, command: commands.Command, request: Request) -> Reply:
        target = Target(request.platform, request.channel_id, request.workspace)
        if isinstance(command, commands.Subscriptions):
            return await self._list(target)
        if not is_organiser(request, self.settings):
            return refused(request)
        match command:
            case commands.Subscribe(text):
                return await self._subscribe(target, text, request)
            case commands.Unsubscribe(text):
                return await self._unsubscribe(target, text)
            case commands.Admin(verb, args):
                return await self._admin(verb, args, request)
        return error("I could not read that")

    async def submit(self, submission: FormSubmission, request: Request) -> Reply:
        """A filled-in form: organisers only; each box checked against its own limit, then
        the command it stands for runs with the same checks as when typed."""
        if not is_organiser(request, self.settings):
            return refused(request)
        form = await self._form_for(submission)
        if isinstance(form, Reply):
            return form
        found = forms.problems(form, submission)
        if found:
            return forms.refusal(form, found)
        command = commands.Admin(form.verb, forms.arguments(form, submission))
        return forms.attribute(await self.handle(command, request), form)

    async def _form_for(self, submission: FormSubmission) -> Form | Reply:
        """The form a submission answers, drawn again from what it names."""
        if submission.verb == "add":
            assert ADD_FORM_REPLY.form is not None
            return ADD_FORM_REPLY.form
        if submission.verb not in ("result", "correct") or not submission.ballot_id:
            return forms.unknown_form(submission)
        ballot = await self.ballots.get(submission.ballot_id)
        if ballot is None:
            return error("No such ballot", f"There is no ballot with id {submission.ballot_id!r}.")
        form = _result_form(ballot, submission.verb).form
        assert form is not None
        return form

    async def _filter(self, text: str) -> tuple[FilterKind, str] | Reply:
        if not text.strip():
            return FilterKind.ALL, ""
        kind_text, colon, value = text.partition(":")
        index = await self.index()
        if colon and kind_text.strip().lower() in FilterKind.__members__.values():
            kind = FilterKind(kind_text.strip().lower())
            if kind is FilterKind.UNION:
                return kind, index.union_key(value)  # "union:royal college of nursing" is rcn
            return kind, normalise(value)
        named = index.filter_of(text)
        if named is not None:
            return KIND_OF_NAME[named.kind], named.value
        match = index.find(text)
        closest = index.closest_names(text)
        if match.found or match.choices:
            why = "A channel follows one union, employer, area, sector or campaign at a time."
        else:
            why = "I know no union, employer, area, sector or campaign of that name."
        return error(
            f"Which one thing should this channel follow: “{text}”?",
            f"{why} Closest names: "
            + (", ".join(closest[:3]) or "none")
            + ". Or name it: `union:unison`, `area:falkirk`.",
        )

    async def _subscribe(self, target: Target, text: str, request: Request) -> Reply:
        chosen = await self._filter(text)
        if isinstance(chosen, Reply):
            return chosen
        kind, value = chosen
        new = await self.subscriptions.subscribe(target, kind, value, who(request))
        what = "every result" if kind is FilterKind.ALL else f"{kind}: {value}"
        header = "This channel now follows " if new else "This channel already follows "
        return Reply(header=header + what, tone=Tone.PASSED, kind=ReplyKind.SUBSCRIPTION)

    async def _unsubscribe(self, target: Target, text: str) -> Reply:
        if not text.strip():
            removed = await self.subscriptions.unsubscribe(target, None, "")
        else:
            chosen = await self._filter(text)
            if isinstance(chosen, Reply):
                return chosen
            removed = await self.subscriptions.unsubscribe(target, *chosen)
        if not removed:
            return error("This channel did not follow that", "Nothing was changed.")
        return Reply(header=f"Stopped {removed} subscription(s) here", kind=ReplyKind.SUBSCRIPTION)

    async def _list(self, target: Target) -> Reply:
        found = await self.subscriptions.subscriptions(target)
        if not found:
            return Reply(header="This channel follows no results", kind=ReplyKind.SUBSCRIPTION)
        lines = tuple(s.describe() for s in found)
        return Reply(
            header="This channel follows",
            sections=(Section(title=f"{len(found)} subscription(s)", lines=lines),),
            kind=ReplyKind.SUBSCRIPTION,
        )

    async def _admin(self, verb: str, args: str, request: Request) -> Reply:
        try:
            words = shlex.split(args)
        except ValueError as exc:
            return error("I could not read that", str(exc))
        if verb not in ADMIN_VERBS:
            return error(
                f"`/ballot admin {verb}` is not a command",
                "Organisers' commands: "
                + ", ".join(f"admin {v}" for v in sorted({*ADMIN_VERBS, *ANSWERED_ELSEWHERE}))
                + ". Type `/ballot help`; nothing was changed.",
            )
        if verb == "add":
            return await self._add(words, request) if words else ADD_FORM_REPLY
        named, options = split_target(verb, words)
        if verb == "deliveries" and not named:
            return await self._deliveries(None)
        if not named:
            return error(
                f"Say which ballot: `/ballot admin {verb} <ballot>`",
                "Its id, or a search as members type it (an employer, branch or alias).",
            )
        ballot = await named_ballot(named, self.ballots, await self.index(), f"admin {verb}")
        if isinstance(ballot, Reply):
            return ballot
        match verb:
            case "deliveries":
                return await self._deliveries(ballot.id)
            case "result" | "correct":
                return await self._result(ballot, options, request, verb)
            case "turnout":
                return await self._turnout(ballot, options, request)
            case "set":
                return await self._set(ballot, options, request)
            case "cancel":
                cancelled = replace(ballot, status=Status.CANCELLED)
                await self.declarations.declare([cancelled], who(request), "cancel", Announce.NONE)
                return Reply(header=f"Cancelled: {ballot.title}", kind=ReplyKind.ADMIN)
            case "preview":
                card = self.card(ballot)
                return replace(card, header=f"Preview (not sent): New result: {card.header}")
            case "announce":
                declared = await self.declarations.declare(
                    [ballot], who(request), "announce", Announce.ALL
                )
                return _queued(ballot, declared)
            case "audit":
                return await self._audit(ballot)
        raise AssertionError(f"unhandled admin verb {verb!r}")  # pragma: no cover

    async def _result(
        self, ballot: Ballot, options: list[str], request: Request, verb: str
    ) -> Reply:
        declared = ballot.effective_status is Status.DECLARED and ballot.has_result
        if verb == "result" and declared:
            return error(
                "That result is already declared",
                f"To change it, use `/ballot admin correct {ballot.id} ...`: the messages "
                "already sent are then corrected in place.",
            )
        if verb == "correct" and not declared:
            return error("There is no declared result to correct", "Use `admin result` first.")
        if not options:
            return _result_form(ballot, verb)
        changed = _apply_figures(ballot, options)
        if isinstance(changed, Reply):
            return changed
        changed = replace(changed, status=Status.DECLARED)
        queued = await self.declarations.declare([changed], who(request), verb, Announce.ALL)
        return _queued(changed, queued)

    async def _add(self, words: list[str], request: Request) -> Reply:
        """``add id=... employer=... unions=... question=... kind=...``: the import columns."""
        fields = _key_values(words)
        if isinstance(fields, Reply):
            return fields
        if await self.ballots.get(str(fields.get("id", ""))) is not None:
            return error(
                f"A ballot with id {fields['id']!r} exists already",
                f"Change it with `/ballot admin set {fields['id']} ...`; nothing was changed.",
            )
        ballot = _checked(fields)
        if isinstance(ballot, Reply):
            return ballot
        await self.declarations.declare([ballot], who(request), "add", Announce.NONE)
        return Reply(
            header=f"Added: {ballot.title}", text=f"Ballot id: {ballot.id}", kind=ReplyKind.ADMIN
        )

    async def _set(self, ballot: Ballot, words: list[str], request: Request) -> Reply:
        """``set <id> opens=... closes=... status=open ...``: ballot details, not figures; and
        what the union declared (``reported_mandate=yes reported_by="..."``), for every
        question or, with ``q=N``, for one."""
        position = _question_number(words, ballot)
        if isinstance(position, Reply):
            return position
        fields = _key_values([w for w in words if not w.startswith("q=")])
        if isinstance(fields, Reply):
            return fields
        settable = ({c.name for c in columns.BALLOT_COLUMNS} - {"id", *columns.RUNNING}) | set(
            REPORTED
        )
        wrong = sorted(set(fields) - settable)
        if wrong:
            return error(
                f"`admin set` cannot change {', '.join(wrong)}",
                "It sets ballot details (" + ", ".join(sorted(settable)) + "); figures go "
                "through `admin result`, `admin correct` and `admin turnout`.",
            )
        reported = {k: fields.pop(k) for k in REPORTED if k in fields}
        questions = _reported(ballot.questions, reported, position)
        if isinstance(questions, Reply):
            return questions
        raw = {**columns.ballot_record(ballot), **fields}
        changed = _checked(raw, questions, stored_id=ballot.id)
        if isinstance(changed, Reply):
            return changed
        await self.declarations.declare([changed], who(request), "set", Announce.NONE)
        return Reply(
            header=f"Updated: {changed.title}",
            text=", ".join([*fields, *reported]),
            kind=ReplyKind.ADMIN,
        )

    async def _turnout(self, ballot: Ballot, options: list[str], request: Request) -> Reply:
        """Turnout so far, while the ballot runs: the ballot's own figure, never a result's
        (:class:`bot.domain.TurnoutSoFar`), so it decides no verdict and announces nothing."""
        if len(options) != 1:
            return error("Say the percentage: `/ballot admin turnout <ballot id> 34.5`")
        try:
            pct = columns.COLUMN_PARSERS["turnout_so_far_pct"](options[0])
        except columns.Invalid as exc:
            return error("That turnout cannot be right", f"{exc}; nothing was changed.")
        if pct is None:
            return error("Say the percentage: `/ballot admin turnout <ballot id> 34.5`")
        if ballot.has_result or ballot.effective_status is Status.DECLARED:
            return error(
                f"{ballot.title} has a result already",
                "Turnout so far is for a ballot still running. The result's own turnout is "
                f"part of the result: `/ballot admin correct {shlex.quote(ballot.id)} "
                "turnout=...`. Nothing was changed.",
            )
        if ballot.effective_status is Status.CANCELLED:
            return error(f"{ballot.title} was cancelled", "Nothing was changed.")
        now = self.clock().astimezone(UTC).replace(microsecond=0)
        reported = replace(ballot, turnout_so_far=TurnoutSoFar(pct, now))
        await self.declarations.declare([reported], who(request), "turnout", Announce.NONE)
        return Reply(
            header=f"Turnout so far for {ballot.title}: {as_reported(pct)}",
            text=f"Reported {moment(now)}. Members see it as turnout so far on the card, in "
            "`open` and in reminders; it is not a result: it decides no mandate and is not "
            "announced.",
            kind=ReplyKind.ADMIN,
        )

    async def _audit(self, ballot: Ballot) -> Reply:
        """Every change to the ballot, oldest first: when, who, what, and each field that
        changed, before → after (:mod:`bot.announce.audit`)."""
        entries = await self.declarations.audit(ballot.id)
        lines = tuple(entry_line(e) for e in entries)
        return Reply(
            header=f"Audit log: {ballot.title}",
            sections=(Section(title=f"{len(entries)} change(s)", lines=lines),),
            kind=ReplyKind.ADMIN,
        )

    async def _deliveries(self, ballot_id: str | None) -> Reply:
        """Messages to channels one by one; DMs to members only counted, per ballot and
        stage: no member is named, and nothing shows who said they posted their paper."""
        rows = await self.outbox.deliveries(ballot_id, members=False)
        lines = tuple(
            f"{d.ballot_id} {d.kind} → {d.target.platform}:{d.target.channel_id}: {d.state}"
            + (f" ({d.error})" if d.error else "")
            for d in rows
        )
        failed = sum(d.state is OutboxState.FAILED for d in rows)
        sections = [Section(title=f"{len(rows)} latest", lines=lines)]
        dms = await self.outbox.dm_counts(ballot_id)
        if dms:
            counted = tuple(
                f"{c.ballot_id} {c.stage}: {c.sent} sent, {c.pending} pending, {c.failed} failed"
                for c in dms
            )
            sections.append(Section(title="Reminder DMs to members (counts only)", lines=counted))
        return Reply(
            header="Delivery log" + (f" of {ballot_id}" if ballot_id else ""),
            text=f"{failed} failed delivery(ies) below." if failed else "",
            sections=tuple(sections),
            tone=Tone.FAILED if failed else Tone.NEUTRAL,
            kind=ReplyKind.ADMIN,
        )


def _queued(ballot: Ballot, declared: Declared) -> Reply:
    parts = [f"{declared.results} channel(s) will hear the result"]
    if declared.corrections:
        parts.append(f"{declared.corrections} message(s) will be corrected in place")
    return Reply(
        header=f"Declared: {ballot.title}", text="; ".join(parts) + ".", kind=ReplyKind.ADMIN
    )


def _form_reply(form: Form, header: str) -> Reply:
    """A form, and for a platform without forms the same thing to type."""
    typed = " ".join(f"{f.key}=…" if f.required else f"[{f.key}=…]" for f in form.fields)
    return Reply(
        header=header,
        text=f"Type: `/ballot {form.command} {typed}`",
        kind=ReplyKind.FORM,
        form=form,
    )


_FIGURE_FIELDS = (
    ("for", "Votes for", "votes_for"),
    ("against", "Votes against", "votes_against"),
    ("spoilt", "Spoilt papers", "spoilt"),
)


def _result_form(ballot: Ballot, verb: str) -> Reply:
    """Declare (empty boxes) or correct (today's figures filled in) one question's result."""
    result = ballot.questions[0].result
    fields = [
        forms.box(
            key,
            label,
            "a whole number",
            "" if verb == "result" or getattr(result, attr) is None else str(getattr(result, attr)),
            required=key != "spoilt",
        )
        for key, label, attr in _FIGURE_FIELDS
    ]
    fields.append(
        forms.box(
            "eligible", "Members balloted", "a whole number", _known_or_empty(ballot.eligible)
        )
    )
    if len(ballot.questions) > 1:
        fields.append(forms.box("q", "Question number", f"1 to {len(ballot.questions)}", "1"))
    action = "Declare the result" if verb == "result" else "Correct the result"
    form = Form(
        title=action[:24],
        command=f"admin {verb} {shlex.quote(ballot.id)}",
        fields=tuple(fields),
        submit="Declare" if verb == "result" else "Correct",
        verb=verb,
        ballot_id=ballot.id,
    )
    return _form_reply(form, f"{action}: {ballot.title}")


def _known_or_empty(value: object) -> str:
    return "" if value is None else str(value)


ADD_FORM_REPLY = _form_reply(
    Form(
        title="Add a ballot",
        command="admin add",
        fields=(
            forms.box("id", "Ballot id", "short, no spaces: leeds-pay-2026", required=True),
            forms.box("employer", "Employer", "Leeds City Council", required=True),
            forms.box("unions", "Unions", "separated by ; — Unison; Unite", required=True),
            forms.box(
                "question", "Question", "Are you prepared to take strike action?", required=True
            ),
            forms.box(
                "kind",
                "Kind",
                "strike, action_short_of_strike, pay_offer, consultative",
                "strike",
                required=True,
            ),
            forms.box("closes", "Closes", "YYYY-MM-DD"),
            forms.box("eligible", "Members balloted", "a whole number"),
            forms.box("status", "Status", "scheduled or open", "open"),
        ),
        submit="Add",
        verb="add",
    ),
    "Add a ballot",
)


REPORTED = ("reported_mandate", "reported_by")
"""What the union declared of a question: set with `admin set`, like the ballot's details."""


def _question_number(words: list[str], ballot: Ballot) -> int | Reply | None:
    """``q=N`` among the words: that question (1-based) only; ``None``: every question."""
    given = [w.partition("=")[2] for w in words if w.startswith("q=")]
    if not given:
        return None
    if len(given) > 1:
        return error("q is given twice", "Give each column once; nothing was changed.")
    return _question_position(given[0], len(ballot.questions))


def _reported(
    questions: tuple[Question, ...], raw: dict[str, str], position: int | None
) -> tuple[Question, ...] | Reply:
    """The questions with the union's declaration set, checked as an import checks it."""
    if not raw:
        return questions
    values, problems = columns.parse_fields(
        raw, [c for c in columns.QUESTION_COLUMNS if c.name in raw]
    )
    if problems:
        column, problem = problems[0]
        return error(f"{column} {problem}", "Nothing was changed.")
    return tuple(
        replace(q, **values) if position is None or i == position else q
        for i, q in enumerate(questions, start=1)
    )


def _key_values(words: list[str]) -> dict[str, str] | Reply:
    fields: dict[str, str] = {}
    for word in words:
        key, equals, value = word.partition("=")
        if not equals or key not in columns.NAMES:
            return error(
                f"I could not read “{word[:60]}”",
                "Write column=value with the import's column names, quoting spaces: "
                'employer="Leeds City Council". Nothing was changed.',
            )
        if key in fields:
            return error(f"{key} is given twice", "Give each column once; nothing was changed.")
        fields[key] = value
    return fields


def _checked(
    raw: dict[str, Any],
    questions: tuple[Question, ...] | None = None,
    stored_id: str | None = None,
) -> Ballot | Reply:
    """Build a ballot from column values exactly as an import would, or say what is wrong.

    ``stored_id``: the ballot exists already under this id, which is kept as it is."""
    stored = (stored_id,) if stored_id is not None else ()
    values, problems = columns.parse_fields(raw, columns.BALLOT_COLUMNS, stored)
    if questions is None:
        question_values, more = columns.parse_fields(raw, columns.QUESTION_COLUMNS)
        problems += more
    if problems:
        column, problem = problems[0]
        return error(f"{column} {problem}", "Nothing was changed.")
    if questions is None:
        questions = (columns.build_question(question_values),)
    ballot = columns.build_ballot(values, questions)
    problems = columns.consistency_problems(ballot)
    if problems:
        column, problem = problems[0]
        return error(
            "Those details cannot all be true", f"{column}: {problem}; nothing was changed."
        )
    return ballot


_FIGURE_ARGUMENTS = {
    "for": "votes_for",
    "against": "votes_against",
    "spoilt": "spoilt",
    "eligible": "eligible",
    "turnout": "turnout_pct",
    "for_pct": "for_pct",
}


def _apply_figures(ballot: Ballot, options: list[str]) -> Ballot | Reply:
    """``for=N against=N spoilt=N eligible=N q=N turnout=PCT``, checked like an import.

    Every argument needs a value (an empty one would make a known figure unknown), is given
    once, and is parsed by the import's own parser; a refusal names the argument."""
    values: dict[str, Any] = {}
    position = 1
    seen: set[str] = set()
    for option in options:
        key, equals, value = option.partition("=")
        if not equals or key not in (*_FIGURE_ARGUMENTS, "q"):
            return error(
                f"I could not read “{option[:60]}”",
                "Use for=N against=N [spoilt=N] [eligible=N] [q=N]; nothing was changed.",
            )
        if key in seen:
            return error(f"{key} is given twice", "Give each figure once; nothing was changed.")
        seen.add(key)
        if not value.strip():
            return error(
                f"{key} has no value",
                f"Give {key}= a value or leave it out; nothing was changed.",
            )
        if key == "q":
            chosen = _question_position(value, len(ballot.questions))
            if isinstance(chosen, Reply):
                return chosen
            position = chosen
            continue
        column = _FIGURE_ARGUMENTS[key]
        try:
            values[column] = columns.COLUMN_PARSERS[column](value)
        except columns.Invalid as exc:
            return error(f"{key} cannot be {value[:40]!r}", f"{exc}; nothing was changed.")
    eligible = values.pop("eligible", ballot.eligible)
    question = ballot.questions[position - 1]
    result = replace(question.result, **values) if values else question.result
    if isinstance(result, Result) and result.is_empty:
        return error("No figures given", "Use for=N against=N [spoilt=N]; nothing was changed.")
    questions = list(ballot.questions)
    questions[position - 1] = replace(question, result=result)
    changed = replace(ballot, questions=tuple(questions), eligible=eligible)
    problems = columns.consistency_problems(changed)
    if problems:
        column, problem = problems[0]
        argument = next((k for k, c in _FIGURE_ARGUMENTS.items() if c == column), column)
        return error(
            "Those figures cannot all be true", f"{argument}: {problem}; nothing was changed."
        )
    return changed


def _question_position(value: str, questions: int) -> int | Reply:
    """``q=N``: questions are numbered from 1, as on the ballot paper."""
    try:
        number = parsers.count(value, "question number")
    except columns.Invalid:
        number = None
    if number is not None and 1 <= number <= questions:
        return number
    shown = repr(value[:40])
    has = "one question: q=1" if questions == 1 else f"{questions} questions: q=1 to q={questions}"
    if number is None:
        return error(
            f"q cannot be {shown}",
            f"q= is a question's number on the paper; this ballot has {has}. Nothing was changed.",
        )
    return error(
        f"q cannot be {shown}: there is no question {shown}",
        f"There is no question {number} on this ballot: it has {has}, counted from 1 as on "
        "the paper. Nothing was changed.",
    )
