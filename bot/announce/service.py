"""Subscriptions and organiser commands: the same words on every platform.

Who is an organiser is decided here, in the core, from the settings; every refusal is a clear
message and changes nothing. Figures are checked like an import before anything is written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot import columns, commands, forms, invariants, offloop
from bot.admin_target import named_ballot
from bot.announce.audit import entry_line
from bot.announce.model import Announce, Declared, FilterKind, OutboxState, Target
from bot.commands import FIGURE_ARGUMENTS, Handler, argument_of
from bot.config import Settings
from bot.domain import Ballot, Question, Result, Status, TurnoutSoFar
from bot.percentages import as_reported
from bot.ports import BallotStore, Declarations, Outbox, Subscriptions
from bot.replies import Form, Reply, ReplyKind, Section, Tone, error
from bot.requests import FormSubmission, Request
from bot.search import Match, SearchIndex, normalise
from bot.search.current import QUERY_MAX
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

    def handlers(self) -> Mapping[type, Handler]:
        """What this service answers, by command type: reading what a channel follows is
        for anyone, everything else for organisers only."""
        organisers = self._organisers_only
        return {
            commands.Subscriptions: self._list,
            commands.Subscribe: organisers(self._subscribe),
            commands.Unsubscribe: organisers(self._unsubscribe),
            commands.AdminInvalid: organisers(_unreadable),
            commands.AdminAdd: organisers(self._add),
            commands.AdminSet: organisers(self._set),
            commands.AdminResult: organisers(self._result),
            commands.AdminCorrect: organisers(self._result),
            commands.AdminTurnout: organisers(self._turnout),
            commands.AdminPreview: organisers(self._preview),
            commands.AdminAnnounce: organisers(self._announce),
            commands.AdminCancel: organisers(self._cancel),
            commands.AdminAudit: organisers(self._audit),
            commands.AdminDeliveries: organisers(self._deliveries),
        }

    def _organisers_only(self, handler: Handler) -> Handler:
        async def checked(command: Any, request: Request) -> Reply:
            if not is_organiser(request, self.settings):
                return refused(request)
            return await handler(command, request)

        return checked

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
        command = commands.admin(form.verb, forms.options(form, submission), form.ballot_id)
        handler = self.handlers().get(type(command))
        if handler is None:  # pragma: no cover - forms are drawn for organiser verbs only
            return forms.unknown_form(submission)
        return forms.attribute(await handler(command, request), form)

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

    async def _filter(
        self, command: commands.Subscribe | commands.Unsubscribe
    ) -> tuple[FilterKind, str] | Reply:
        # As members' searches: cut to what a name can be, searched off the event loop.
        text, kind = command.filter[:QUERY_MAX], command.kind
        if kind is None and not text.strip():
            return FilterKind.ALL, ""
        index = await self.index()
        if kind is FilterKind.UNION:
            return kind, index.union_key(text)  # "union:royal college of nursing" is rcn
        if kind is not None:
            return kind, normalise(text)
        named = index.filter_of(text)
        if named is not None:
            return KIND_OF_NAME[named.kind], named.value
        match, closest = await offloop.compute(_found_and_closest, index, text)
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

    async def _subscribe(self, command: commands.Subscribe, request: Request) -> Reply:
        target = _target(request)
        chosen = await self._filter(command)
        if isinstance(chosen, Reply):
            return chosen
        kind, value = chosen
        new = await self.subscriptions.subscribe(target, kind, value, who(request))
        what = "every result" if kind is FilterKind.ALL else f"{kind}: {value}"
        header = "This channel now follows " if new else "This channel already follows "
        return Reply(header=header + what, tone=Tone.PASSED, kind=ReplyKind.SUBSCRIPTION)

    async def _unsubscribe(self, command: commands.Unsubscribe, request: Request) -> Reply:
        target = _target(request)
        if command.kind is None and not command.filter.strip():
            removed = await self.subscriptions.unsubscribe(target, None, "")
        else:
            chosen = await self._filter(command)
            if isinstance(chosen, Reply):
                return chosen
            removed = await self.subscriptions.unsubscribe(target, *chosen)
        if not removed:
            return error("This channel did not follow that", "Nothing was changed.")
        return Reply(header=f"Stopped {removed} subscription(s) here", kind=ReplyKind.SUBSCRIPTION)

    async def _list(self, command: commands.Subscriptions, request: Request) -> Reply:
        found = await self.subscriptions.subscriptions(_target(request))
        if not found:
            return Reply(header="This channel follows no results", kind=ReplyKind.SUBSCRIPTION)
        lines = tuple(s.describe() for s in found)
        return Reply(
            header="This channel follows",
            sections=(Section(title=f"{len(found)} subscription(s)", lines=lines),),
            kind=ReplyKind.SUBSCRIPTION,
        )

    async def _ballot(self, command: Any) -> Ballot | Reply:
        """The one ballot an organiser's command names (:mod:`bot.admin_target`)."""
        index = await self.index()
        return await named_ballot(command.ballot, self.ballots, index, f"admin {command.VERB}")

    async def _result(
        self, command: commands.AdminResult | commands.AdminCorrect, request: Request
    ) -> Reply:
        ballot = await self._ballot(command)
        if isinstance(ballot, Reply):
            return ballot
        verb = command.VERB
        declared = ballot.effective_status is Status.DECLARED and ballot.has_result
        if verb == "result" and declared:
            return error(
                "That result is already declared",
                f"To change it, use `/ballot admin correct {ballot.id} ...`: the messages "
                "already sent are then corrected in place.",
            )
        if verb == "correct" and not declared:
            return error("There is no declared result to correct", "Use `admin result` first.")
        if command.figures is None:
            return _result_form(ballot, verb)
        changed = _apply_figures(ballot, command.figures)
        if isinstance(changed, Reply):
            return changed
        changed = replace(changed, status=Status.DECLARED)
        queued = await self.declarations.declare([changed], who(request), verb, Announce.ALL)
        return _queued(changed, queued)

    async def _add(self, command: commands.AdminAdd, request: Request) -> Reply:
        """``add id=... employer=... unions=... question=... kind=...``: the import columns."""
        ballot = command.ballot
        if ballot is None:
            return ADD_FORM_REPLY
        if await self.ballots.get(ballot.id) is not None:
            return error(
                f"A ballot with id {ballot.id!r} exists already",
                f"Change it with `/ballot admin set {ballot.id} ...`; nothing was changed.",
            )
        await self.declarations.declare([ballot], who(request), "add", Announce.NONE)
        return Reply(
            header=f"Added: {ballot.title}", text=f"Ballot id: {ballot.id}", kind=ReplyKind.ADMIN
        )

    async def _set(self, command: commands.AdminSet, request: Request) -> Reply:
        """``set <id> opens=... closes=... status=open ...``: ballot details, not figures; and
        what the union declared (``reported_mandate=yes reported_by="..."``), for every
        question or, with ``q=N``, for one."""
        ballot = await self._ballot(command)
        if isinstance(ballot, Reply):
            return ballot
        position = command.question
        if position is not None:
            checked = _question_position(position, len(ballot.questions))
            if isinstance(checked, Reply):
                return checked
        questions = tuple(
            replace(q, **command.reported) if position is None or i == position else q
            for i, q in enumerate(ballot.questions, start=1)
        )
        changed = _changed(ballot, command.details, questions)
        if isinstance(changed, Reply):
            return changed
        await self.declarations.declare([changed], who(request), "set", Announce.NONE)
        return Reply(
            header=f"Updated: {changed.title}",
            text=", ".join([*command.details, *command.reported]),
            kind=ReplyKind.ADMIN,
        )

    async def _turnout(self, command: commands.AdminTurnout, request: Request) -> Reply:
        """Turnout so far, while the ballot runs: the ballot's own figure, never a result's
        (:class:`bot.domain.TurnoutSoFar`), so it decides no verdict and announces nothing."""
        ballot = await self._ballot(command)
        if isinstance(ballot, Reply):
            return ballot
        pct = command.turnout
        if ballot.has_result or ballot.effective_status is Status.DECLARED:
            return error(
                f"{ballot.title} has a result already",
                "Turnout so far is for a ballot still running. The result's own turnout is "
                f"part of the result: `/ballot admin correct {commands.quoted(ballot.id)} "
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

    async def _preview(self, command: commands.AdminPreview, request: Request) -> Reply:
        ballot = await self._ballot(command)
        if isinstance(ballot, Reply):
            return ballot
        card = self.card(ballot)
        return replace(card, header=f"Preview (not sent): New result: {card.header}")

    async def _announce(self, command: commands.AdminAnnounce, request: Request) -> Reply:
        ballot = await self._ballot(command)
        if isinstance(ballot, Reply):
            return ballot
        declared = await self.declarations.declare([ballot], who(request), "announce", Announce.ALL)
        return _queued(ballot, declared)

    async def _cancel(self, command: commands.AdminCancel, request: Request) -> Reply:
        ballot = await self._ballot(command)
        if isinstance(ballot, Reply):
            return ballot
        cancelled = replace(ballot, status=Status.CANCELLED)
        await self.declarations.declare([cancelled], who(request), "cancel", Announce.NONE)
        return Reply(header=f"Cancelled: {ballot.title}", kind=ReplyKind.ADMIN)

    async def _audit(self, command: commands.AdminAudit, request: Request) -> Reply:
        """Every change to the ballot, oldest first: when, who, what, and each field that
        changed, before → after (:mod:`bot.announce.audit`)."""
        ballot = await self._ballot(command)
        if isinstance(ballot, Reply):
            return ballot
        entries = await self.declarations.audit(ballot.id)
        lines = tuple(entry_line(e) for e in entries)
        return Reply(
            header=f"Audit log: {ballot.title}",
            sections=(Section(title=f"{len(entries)} change(s)", lines=lines),),
            kind=ReplyKind.ADMIN,
        )

    async def _deliveries(self, command: commands.AdminDeliveries, request: Request) -> Reply:
        """Messages to channels one by one; DMs to members only counted, per ballot and
        stage: no member is named, and nothing shows who said they posted their paper."""
        ballot_id = None
        if command.ballot is not None:
            ballot = await self._ballot(command)
            if isinstance(ballot, Reply):
                return ballot
            ballot_id = ballot.id
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


_FIGURE_FIELDS = (("for", "Votes for"), ("against", "Votes against"), ("spoilt", "Spoilt papers"))


def _result_form(ballot: Ballot, verb: str) -> Reply:
    """Declare (empty boxes) or correct (today's figures filled in) one question's result."""
    result = ballot.questions[0].result
    known = {key: getattr(result, FIGURE_ARGUMENTS[key]) for key, _ in _FIGURE_FIELDS}
    fields = [
        forms.box(
            key,
            label,
            "a whole number",
            "" if verb == "result" else _known_or_empty(known[key]),
            required=key != "spoilt",
        )
        for key, label in _FIGURE_FIELDS
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
        command=f"admin {verb} {commands.quoted(ballot.id)}",
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


def _changed(
    ballot: Ballot, details: Mapping[str, Any], questions: tuple[Question, ...]
) -> Ballot | Reply:
    """The stored ballot with ``details`` (parsed columns) and ``questions``, checked as an
    import checks a row; its id is kept as stored."""
    kept = [c for c in columns.BALLOT_COLUMNS if c.name not in details]
    values, problems = columns.parse_fields(columns.ballot_record(ballot), kept, (ballot.id,))
    if problems:
        column, problem = problems[0]
        return error(f"{column} {problem}", "Nothing was changed.")
    changed = columns.build_ballot({**values, **details}, questions)
    problems = invariants.consistency_problems(changed)
    if problems:
        column, problem = problems[0]
        return error(
            "Those details cannot all be true", f"{column}: {problem}; nothing was changed."
        )
    return changed


def _apply_figures(ballot: Ballot, figures: commands.Figures) -> Ballot | Reply:
    """The figures (parsed by the import's parsers) on question ``q`` of ``ballot``, checked
    against the ballot as an import would check them; a refusal names the argument."""
    position = _question_position(figures.question, len(ballot.questions))
    if isinstance(position, Reply):
        return position
    values = figures.result()
    eligible = figures.eligible if figures.eligible is not None else ballot.eligible
    question = ballot.questions[position - 1]
    result = replace(question.result, **values) if values else question.result
    if isinstance(result, Result) and result.is_empty:
        return error("No figures given", "Use for=N against=N [spoilt=N]; nothing was changed.")
    questions = list(ballot.questions)
    questions[position - 1] = replace(question, result=result)
    changed = replace(ballot, questions=tuple(questions), eligible=eligible)
    problems = invariants.consistency_problems(changed)
    if problems:
        column, problem = problems[0]
        return error(
            "Those figures cannot all be true",
            f"{argument_of(column)}: {problem}; nothing was changed.",
        )
    return changed


def _question_position(number: int, questions: int) -> int | Reply:
    """``q=N``: questions are numbered from 1, as on the ballot paper."""
    if 1 <= number <= questions:
        return number
    shown = repr(str(number))
    has = "one question: q=1" if questions == 1 else f"{questions} questions: q=1 to q={questions}"
    return error(
        f"q cannot be {shown}: there is no question {shown}",
        f"There is no question {number} on this ballot: it has {has}, counted from 1 as on "
        "the paper. Nothing was changed.",
    )


async def _unreadable(command: commands.AdminInvalid, request: Request) -> Reply:
    """An organiser's command the grammar could not read: what is wrong, nothing changed."""
    return error(command.header, command.reason)


def _target(request: Request) -> Target:
    """The channel a subscription command is about: the one it was typed in."""
    return Target(request.platform, request.channel_id, request.workspace)


def _found_and_closest(index: SearchIndex, text: str) -> tuple[Match, tuple[str, ...]]:
    """What a channel filter's text leads to, and the closest names (on the CPU thread)."""
    return index.find(text), index.closest_names(text)
