"""Reminders as members and organisers use them, and what a due reminder writes.

Members opt in (``remind me``), stop (``remind stop``), say they have posted their paper
(``voted``, or the DM's button), ask how to get a new paper (``replacement``) and can erase
everything about themselves (``forget me``). A due reminder only writes outbox rows; the
dispatcher sends them, so reminders share the announcements' once-only delivery. Channel
reminders are keyed by ballot + stage + channel; DMs also by day, so a member gets at most
one DM per ballot per day.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot import commands
from bot.actions import Action, Verb
from bot.admin_target import named_ballot
from bot.announce.model import OutboxItem, OutboxKind, Target, matching
from bot.announce.service import is_organiser, refused
from bot.cards import Judge, Judged, judge_ballot, unresolved
from bot.config import ReminderSettings, Settings
from bot.domain import Ballot, Method, Status
from bot.percentages import as_reported, percent
from bot.ports import BallotStore, Outbox, ReminderStore, Subscriptions
from bot.privacy import logs, retention
from bot.privacy.report import Erasure, report_reply
from bot.reminders.model import Forgotten, Member, PlanChanges
from bot.reminders.plan import (
    Plan,
    PlanSettings,
    at,
    out_of_quiet_hours,
    plan_for,
    working_days_before,
)
from bot.replies import Button, Field, Reply, ReplyKind, Section, Tone, error
from bot.requests import Request
from bot.search import Match, SearchIndex
from bot.search.current import find_in
from bot.search.unions import union_table
from bot.shown import turnout_so_far

log = logging.getLogger(__name__)


def plan_settings(settings: ReminderSettings, changes: PlanChanges) -> PlanSettings:
    return PlanSettings(
        zone=ZoneInfo(settings.time_zone),
        send_at=time.fromisoformat(settings.send_at),
        quiet_start=time.fromisoformat(settings.quiet_start),
        quiet_end=time.fromisoformat(settings.quiet_end),
        on_open=settings.on_open if changes.on_open is None else changes.on_open,
        days_before_close=tuple(
            settings.days_before_close
            if changes.days_before_close is None
            else changes.days_before_close
        ),
        posting_days=(
            settings.posting_days if changes.posting_days is None else changes.posting_days
        ),
        replacement_deadline=changes.replacement_deadline,
        contact=changes.contact if changes.contact is not None else settings.contact,
    )


def _still_running(ballot: Ballot, today: date) -> bool:
    if ballot.effective_status in (Status.CLOSED, Status.DECLARED, Status.CANCELLED):
        return False
    return ballot.closes is None or ballot.closes.latest >= today


class ReminderService:
    def __init__(
        self,
        store: ReminderStore,
        ballots: BallotStore,
        outbox: Outbox,
        subscriptions: Subscriptions,
        settings: Settings,
        index: Callable[[], Awaitable[SearchIndex]],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        judge: Judge | None = None,
        pictured: Callable[[Ballot, Judged], Awaitable[Reply]] | None = None,
        find: Callable[..., Awaitable[Match]] | None = None,
    ) -> None:
        self.store = store
        self.ballots = ballots
        self.outbox = outbox
        self.subscriptions = subscriptions
        self.settings = settings
        self.index = index
        self.clock = clock
        self.unions = union_table(settings.unions)
        self.judge = judge if judge is not None else _legal_judge(settings)
        """The core's judge: the turnout threshold a reminder names is its verdict's."""
        self.pictured = pictured
        """The card with its picture (the thermometer, for an open ballot), for channels."""
        self.find = find or self._find
        """What a search leads to: the catalog's, bounded and off the event loop, when wired."""
        self._upcoming_read: tuple[tuple[int, date], list[Ballot]] | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.reminders.time_zone)

    def local_now(self) -> datetime:
        return self.clock().astimezone(self.zone)

    async def _find(
        self, search: str, today: date | None = None, among: Collection[str] | None = None
    ) -> Match:
        return await find_in(await self.index(), search, today, among)

    async def _upcoming(self, today: date) -> list[Ballot]:
        """The ballots reminders may be about, read once per catalog version and day: a
        burst of members answering a reminder does not read them all once each."""
        key = (await self.ballots.catalog_version(), today)
        if self._upcoming_read is None or self._upcoming_read[0] != key:
            self._upcoming_read = (key, await self.ballots.upcoming_ballots(today))
        return self._upcoming_read[1]

    async def plan(self, ballot: Ballot) -> tuple[Plan, PlanSettings]:
        knobs = plan_settings(self.settings.reminders, await self.store.plan_changes(ballot.id))
        return plan_for(ballot, knobs), knobs

    # -- commands ----------------------------------------------------------------------------

    def handlers(self) -> Mapping[type, commands.Handler]:
        """What this service answers, by command type: members' own commands for anyone
        (about themselves), the reminder plan and the privacy report for organisers."""
        return {
            commands.RemindMe: self._remind_me,
            commands.RemindStop: self._remind_stop,
            commands.Voted: self._voted,
            commands.Replacement: self._replacement,
            commands.ForgetMe: self._forget_me,
            commands.AdminReminders: self._organisers_only(self._admin),
            commands.AdminPrivacy: self._organisers_only(self._privacy),
        }

    def _organisers_only(self, handler: commands.Handler) -> commands.Handler:
        async def checked(command: object, request: Request) -> Reply:
            if not is_organiser(request, self.settings):
                return refused(request)
            return await handler(command, request)

        return checked

    async def _forget_me(self, command: commands.ForgetMe, request: Request) -> Reply:
        member = _member(request)
        gone = await self.store.forget(member)
        # By pseudonym: after restoring a backup, the operator can tell who to erase again.
        who = logs.pseudonyms().label(member.platform, member.user_id)
        log.info("erased %s at their request (%d rows)", who, gone.total)
        return _forgotten(gone)

    async def _privacy(self, command: commands.AdminPrivacy, request: Request) -> Reply:
        return await self.privacy_report()

    async def _running(self, search: str, verb: Verb = Verb.PICK) -> list[Ballot] | Reply:
        """The open or upcoming ballots a search means (all open ones when it is empty).
        ``verb``: what a choice's button does with the ballot it stands for."""
        today = self.local_now().date()
        if not search.strip():
            found = await self.ballots.open_ballots(today)
        elif search.startswith("#"):
            ballot = await self.ballots.get(search[1:].strip())
            if ballot is None:
                return error("No ballot found", f"There is no ballot with id {search[1:]!r}.")
            found = [ballot]
        else:
            # Only ballots still running can be meant: "voted kirklees" is the open one.
            upcoming = await self._upcoming(today)
            running_ids = [b.id for b in upcoming if _still_running(b, today)]
            match = await self.find(search, today, running_ids)
            if not (match.found or match.choices):
                anywhere = await self.find(search, today)  # unknown, or known but not running?
                if anywhere.found or anywhere.choices:
                    return error(
                        f"No ballot is open or coming up for “{search}”", "Nothing was changed."
                    )
                match = anywhere
            answer = unresolved(search, match, verb)
            if answer is not None:
                return answer
            wanted = set(match.ballot_ids)
            found = [b for b in upcoming if b.id in wanted]
        running = [b for b in found if _still_running(b, today)]
        if not running:
            what = f"for “{search}”" if search.strip() else "right now"
            return error(f"No ballot is open or coming up {what}", "Nothing was changed.")
        return running

    async def _remind_me(self, command: commands.RemindMe, request: Request) -> Reply:
        member = _member(request)
        running = await self._running(command.search, Verb.REMIND)
        if isinstance(running, Reply):
            return running
        new = await self.store.opt_in(member, [b.id for b in running])
        lines = []
        for ballot in running:
            closes = ballot.closes.human() if ballot.closes else "closing date not known"
            lines.append(f"{ballot.title} — closes {closes}")
        header = "I'll remind you by direct message" if new else "You already get reminders"
        return Reply(
            header=header,
            text="About the ballots below, until you say you have posted your paper "
            "(`/ballot voted <search>` or the button in the reminder). At most one message "
            "a day. `/ballot remind stop` stops them; `/ballot forget me` erases you.",
            sections=(Section(title=f"{len(running)} ballot(s)", lines=tuple(lines)),),
            tone=Tone.PASSED,
            kind=ReplyKind.REMINDERS,
        )

    async def _remind_stop(self, command: commands.RemindStop, request: Request) -> Reply:
        member, search = _member(request), command.search
        ids: list[str] | None = None
        if search.strip():
            running = await self._running(search)
            if isinstance(running, Reply):
                return running
            ids = [b.id for b in running]
        stopped = await self.store.opt_out(member, ids)
        if not stopped:
            return Reply(header="You had no reminders to stop", kind=ReplyKind.REMINDERS)
        return Reply(
            header=f"Stopped: no more reminders ({stopped} ballot(s))", kind=ReplyKind.REMINDERS
        )

    async def _voted(self, command: commands.Voted, request: Request) -> Reply:
        member, search = _member(request), command.search
        running = await self._running(search, Verb.POSTED)
        if isinstance(running, Reply):
            return running
        if len(running) > 1:
            return Reply(
                header=f"Several open ballots match “{search}”",
                text="Which paper did you post?",
                buttons=tuple(Button(b.title[:70], Action(Verb.POSTED, b.id)) for b in running),
                kind=ReplyKind.CHOICES,
            )
        ballot = running[0]
        new = await self.store.posted(member, ballot.id)
        return Reply(
            header="Thank you for voting" if new else "You told us already — thank you",
            text=f"No more reminders about {ballot.title}. Only that you posted your paper is "
            "kept, never how you voted, and it is deleted after the ballot.",
            tone=Tone.PASSED,
            kind=ReplyKind.REMINDERS,
        )

    async def _replacement(self, command: commands.Replacement, request: Request) -> Reply:
        running = await self._running(command.search, Verb.REPLACEMENT)
        if isinstance(running, Reply):
            return running
        sections = []
        for ballot in running:
            _, knobs = await self.plan(ballot)
            sections.append(Section(title=ballot.title, fields=_replacement_fields(knobs)))
        return Reply(
            header="Lost or spoilt your ballot paper?",
            text="Ask for a replacement as early as you can: it has to reach you, and you have "
            "to post it back, before the ballot closes.",
            sections=tuple(sections),
            kind=ReplyKind.REMINDERS,
        )

    async def _admin(self, command: commands.AdminReminders, request: Request) -> Reply:
        index = await self.index()
        ballot = await named_ballot(command.ballot, self.ballots, index, "admin reminders")
        if isinstance(ballot, Reply):
            return ballot
        if command.edit is not None:
            current = await self.store.plan_changes(ballot.id)
            await self.store.change_plan(ballot.id, replace(current, **command.edit.changes()))
        return await self._plan_reply(ballot, changed=command.edit is not None)

    async def _plan_reply(self, ballot: Ballot, changed: bool) -> Reply:
        plan, knobs = await self.plan(ballot)
        now = self.clock()
        lines = tuple(
            f"{p.local:%a %d %B %Y %H:%M %Z} — {p.what}" + (" (past)" if p.due <= now else "")
            for p in plan.reminders
        )
        quiet = f"{knobs.quiet_start:%H:%M}–{knobs.quiet_end:%H:%M}"
        sections = [Section(title=f"{len(lines)} reminder(s)", lines=lines)]
        if plan.unknown:
            sections.append(Section(title="Not planned", lines=plan.unknown))
        return Reply(
            header=("Reminder plan changed: " if changed else "Reminder plan: ") + ballot.title,
            text=f"Times are {self.settings.reminders.time_zone} time; nothing goes out in "
            f"quiet hours ({quiet}): what falls due then waits for their end.",
            sections=tuple(sections),
            fields=_replacement_fields(knobs),
            kind=ReplyKind.ADMIN,
        )

    # -- what the scheduler and the dispatcher call --------------------------------------------

    async def fire(self, ballot_id: str, stage: str) -> tuple[int, int]:
        """A reminder is due: queue it to following channels and opted-in members. Running
        it twice queues nothing more. Returns (channel messages, DMs) queued."""
        ballot = await self.ballots.get(ballot_id)
        local = self.local_now()
        if ballot is None or not _still_running(ballot, local.date()):
            log.info("reminder %s for %s skipped: the ballot is not running", stage, ballot_id)
            return 0, 0
        plan, knobs = await self.plan(ballot)
        if stage not in {p.stage for p in plan.reminders}:
            log.info("reminder %s for %s skipped: no longer in the plan", stage, ballot_id)
            return 0, 0
        not_before = out_of_quiet_hours(local, knobs).astimezone(UTC)
        channels = [
            s.target
            for s in matching(await self.subscriptions.subscriptions(), ballot, self.unions)
        ]
        members = [Target(m.platform, m.user_id) for m in await self.store.to_remind(ballot.id)]
        day_began = at(local.date(), time(0, 0), self.zone).astimezone(UTC)
        now = self.clock()
        posted = await self.outbox.enqueue(
            OutboxKind.REMINDER, ballot.id, stage, channels, not_before, now=now
        )
        dms = await self.outbox.enqueue(
            OutboxKind.DM, ballot.id, stage, members, not_before, once_since=day_began, now=now
        )
        return posted, dms

    async def card(self, ballot: Ballot, item: OutboxItem) -> Reply:
        """The reminder as sent: drawn when it goes, so turnout so far is today's."""
        plan, knobs = await self.plan(ballot)
        planned = {p.stage: p for p in plan.reminders}.get(item.revision)
        local_today = self.local_now().date()
        what = planned.what if planned else "a reminder"
        fields = [Field("Ballot", ballot.title)]
        closes = ballot.closes.exact if ballot.closes else None
        if ballot.closes is not None and closes is not None:
            left = (closes - local_today).days
            fields.append(Field("Closes", f"{ballot.closes.human()} ({_days(left)})"))
        else:
            fields.append(Field("Closes", "not known"))
        if ballot.method is Method.POSTAL and closes is not None and knobs.posting_days:
            last_post = working_days_before(closes, knobs.posting_days)
            fields.append(Field("Post your paper by", f"{last_post:%A %d %B %Y}"))
        fields += _replacement_fields(knobs)
        judged = judge_ballot(ballot, self.judge)
        threshold = _turnout_threshold(ballot, judged)
        fields += await self._turnout_fields(ballot, threshold)
        buttons: tuple[Button, ...]
        if item.kind is OutboxKind.DM:
            buttons = (
                Button("I've posted my paper", Action(Verb.POSTED, ballot.id), "primary"),
                Button("I need a replacement paper", Action(Verb.REPLACEMENT, ballot.id)),
            )
        else:
            buttons = (Button("Remind me by DM", Action(Verb.REMIND, ballot.id)),)
        image = None
        if (
            item.kind is OutboxKind.REMINDER
            and self.pictured
            and self.settings.announcements.pictures
        ):
            image = (await self.pictured(ballot, judged)).image
        if threshold is not None:
            needed = as_reported(threshold)
            why = f"Every vote counts towards the {needed} turnout the law requires."
        else:
            why = "Every vote counts: there is no turnout threshold, those who vote decide."
        return Reply(
            image=image,
            header=f"Ballot reminder — {what}: {ballot.title}",
            text=f"{why} If you have not voted yet, please do it today.",
            fields=tuple(fields),
            buttons=buttons,
            tone=Tone.NEUTRAL,
            kind=ReplyKind.REMINDER,
        )

    async def _turnout_fields(self, ballot: Ballot, threshold: float | None) -> list[Field]:
        """Turnout so far as organisers reported it (``admin turnout``: never a result's), and
        how many members said they posted their paper."""
        running = ballot.running_turnout
        against = (
            f"against the {as_reported(threshold)} threshold"
            if threshold is not None
            else "(no turnout threshold)"
        )
        fields = [
            Field(
                "Turnout so far (reported)",
                f"{turnout_so_far(running)} {against}"
                if running is not None
                else f"not known: the organisers have not reported one yet {against}",
            )
        ]
        confirmed = await self.store.confirmed(ballot.id)
        if ballot.eligible:
            share = 100 * confirmed / ballot.eligible
            estimate = f"{confirmed:,} of {ballot.eligible:,} members ({percent(share)})"
        else:
            estimate = f"{confirmed:,} members (how many were balloted is not known)"
        fields.append(Field("Said they have posted (an estimate)", estimate))
        return fields

    async def purge(self) -> Forgotten:
        """Retention (:mod:`bot.privacy.retention`): erase the member rows of every ballot
        that ended more than ``retention_days`` ago, or no longer exists."""
        today = self.local_now().date()
        expired = [
            e.ballot_id for e in await self._erasures(today) if e.on is not None and e.on <= today
        ]
        return await self.store.purge(expired)

    async def privacy_report(self) -> Reply:
        """What is stored about members, the oldest record, and when it goes (counts only)."""
        now = self.clock()
        today = now.astimezone(self.zone).date()
        erasures = await self._erasures(today)
        return report_reply(
            await self.store.inventory(),
            erasures,
            retention.next_purge(now, self.zone),
            self.settings.reminders.retention_days,
        )

    async def _erasures(self, today: date) -> list[Erasure]:
        """When each ballot's member rows go, by the one retention rule."""
        days = self.settings.reminders.retention_days
        found = await self.store.member_ballots()
        ballots = {b.id: b for b in await self.ballots.get_many([m.ballot_id for m in found])}
        erasures = []
        for member_ballot in found:
            ballot = ballots.get(member_ballot.ballot_id)
            if ballot is None:  # gone: nothing left to remind anyone about
                erasures.append(Erasure(member_ballot.ballot_id, None, today))
                continue
            ended = retention.ended_on(ballot, member_ballot.recorded_end, today)
            closes = ballot.closes.latest if ballot.closes else None
            on = retention.erased_on(ended, days) if ended is not None else None
            erasures.append(Erasure(ballot.id, ended, on, closes))
        return erasures


def _legal_judge(settings: Settings) -> Judge:
    """The judge built from the settings' rule table, as the core's is."""
    from bot.verdicts import rules_from
    from bot.verdicts.judge import legal_judge

    return legal_judge(rules_from(settings))


def _turnout_threshold(ballot: Ballot, judged: Judged) -> float | None:
    """The turnout the rules in force require of this ballot's industrial-action questions;
    ``None`` where none does (Northern Ireland, before 2017, no statutory question)."""
    for question, judgement in zip(ballot.questions, judged, strict=True):
        if question.kind.statutory and judgement.thresholds.turnout_pct is not None:
            return judgement.thresholds.turnout_pct
    return None


def _days(left: int) -> str:
    if left < 0:
        return "closed"
    if left == 0:
        return "closes today"
    return f"{left} day{'s' * (left != 1)} left"


def _replacement_fields(knobs: PlanSettings) -> tuple[Field, ...]:
    fields = [
        Field(
            "Replacement paper",
            knobs.contact or "not known here: ask your branch secretary or workplace rep",
        )
    ]
    if knobs.replacement_deadline is not None:
        fields.append(Field("Ask for one by", f"{knobs.replacement_deadline:%A %d %B %Y}"))
    return tuple(fields)


def _forgotten(gone: Forgotten) -> Reply:
    audit = (
        f" The {gone.pseudonymised} organiser record(s) of changes you made now name you by a "
        "pseudonym."
        if gone.pseudonymised
        else ""
    )
    return Reply(
        header="Everything about you is erased" if gone.total else "Nothing was stored about you",
        text=f"Deleted {gone.opt_ins} reminder opt-in(s), {gone.confirmations} “posted my "
        f"paper” record(s) and {gone.messages} message(s) to you. How you voted was never "
        f"stored.{audit}",
        tone=Tone.PASSED,
        kind=ReplyKind.REMINDERS,
    )


def _member(request: Request) -> Member:
    """Who asked: reminders are about the member, on their platform."""
    return Member(request.platform, request.user_id)
