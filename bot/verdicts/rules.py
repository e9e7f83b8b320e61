"""The law as data: a dated table of the rule sets that decide whether a ballot gave a mandate.

The law on industrial-action ballots keeps moving (2017, 2026, and a turnout repeal still
awaiting regulations), so the rules are rows in a table rather than ``if`` statements spread
through the code. An operator adds or replaces rows with ``[[rules]]`` entries in the config
file, without a release. See ``shared/RULES.md`` for the law and its sources.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.config import ConfigError, RuleSettings, Settings
from bot.domain import Jurisdiction, PartialDate
from bot.percentages import as_reported

MAJORITY_OF_THOSE_VOTING = "more yes than no votes among those voting"

DEFAULT_PLAUSIBLE_SPOILT_PCT = 5.0
"""Spoilt papers in UK postal ballots are usually well under 1% of those returned; a verdict
that would need more than this share of them spoilt to change is taken as settled, and marked
inferred (``[verdicts] plausible_spoilt_pct``)."""


class RulesError(ValueError):
    """A ``[[rules]]`` entry cannot be used; the message names the entry and the problem."""


@dataclass(frozen=True)
class RuleSet:
    """One row of the table: the thresholds for ballots opened between ``starts`` and ``ends``.

    Both dates are inclusive; ``None`` means open-ended. A threshold of ``None`` means there is
    no such test under these rules (not that it is unknown). ``mandate_months`` and
    ``mandate_days`` are alternatives: before 2017 the law gave four weeks (28 days) for action
    to start, since then a mandate lasts a number of months. Both ``None`` means the length is
    not recorded in this table, and the verdict says so instead of guessing.
    """

    name: str
    jurisdiction: Jurisdiction
    starts: date | None
    ends: date | None
    turnout_min_pct: float | None
    support_min_pct_of_eligible: float | None
    mandate_months: int | None
    notice_days: int | None
    sources: tuple[str, ...] = ()
    majority: str = MAJORITY_OF_THOSE_VOTING
    majority_pct: float = 50.0
    """The yes share of valid votes a question must exceed: more yes than no."""
    mandate_days: int | None = None
    mandate_note: str | None = None
    notice_note: str | None = None
    title: str | None = None

    def applies_on(self, day: date) -> bool:
        return (self.starts is None or self.starts <= day) and (
            self.ends is None or day <= self.ends
        )

    @property
    def label(self) -> str:
        """How a member reads the rule set's name: its title, or its name and dates."""
        if self.title:
            return self.title
        return f"{self.name} rules ({self.period})"

    @property
    def period(self) -> str:
        """``ballots opened from 1 March 2017 to 17 February 2026`` and similar."""
        if self.starts is None and self.ends is None:
            return "ballots opened at any date"
        if self.starts is None:
            assert self.ends is not None
            return f"ballots opened before {_human(self.ends + timedelta(days=1))}"
        if self.ends is None:
            return f"ballots opened from {_human(self.starts)}"
        return f"ballots opened {_human(self.starts)} to {_human(self.ends)}"

    @property
    def summary(self) -> str:
        """What the rules demand, in one phrase: the line under the rule set's name."""
        majority = "a majority of those voting saying yes"
        if self.turnout_min_pct is None and self.support_min_pct_of_eligible is None:
            return f"no turnout threshold; {majority} is enough"
        needs = [majority]
        if self.turnout_min_pct is not None:
            needs.insert(0, f"at least {as_reported(self.turnout_min_pct)} turnout")
        text = " and ".join(needs)
        if self.support_min_pct_of_eligible is None:
            return f"{text}; no 40% support test"
        return (
            f"{text}; in important public services, yes votes from "
            f"{as_reported(self.support_min_pct_of_eligible)} of all entitled"
        )


def _human(day: date) -> str:
    return PartialDate.of(day).human()


GB_BEFORE_2017 = RuleSet(
    name="GB before 2017",
    title="Rules before 1 March 2017",
    jurisdiction=Jurisdiction.GB,
    starts=None,
    ends=date(2017, 2, 28),
    turnout_min_pct=None,
    support_min_pct_of_eligible=None,
    mandate_months=None,
    mandate_days=28,
    mandate_note="up to 8 weeks by agreement with the employer",
    notice_days=7,
    sources=("TULRCA 1992 s.226, s.234 (as in force before 1 March 2017)",),
)

GB_TRADE_UNION_ACT_2016 = RuleSet(
    name="GB Trade Union Act 2016",
    title="Trade Union Act 2016 rules (ballots opened 1 March 2017 to 17 February 2026)",
    jurisdiction=Jurisdiction.GB,
    starts=date(2017, 3, 1),
    ends=date(2026, 2, 17),
    turnout_min_pct=50.0,
    support_min_pct_of_eligible=40.0,
    mandate_months=6,
    mandate_note="up to 9 months by agreement with the employer",
    notice_days=14,
    notice_note="7 by agreement",
    sources=(
        "Trade Union Act 2016 s.2-3 (TULRCA 1992 s.226(2)(a)(iia), s.226(2A)-(2E))",
        "SI 2017/139 (commencement 1 March 2017)",
        "Important Public Services Regulations 2017 (SI 2017/132-136)",
        "TULRCA 1992 s.297A, s.234",
    ),
)

GB_EMPLOYMENT_RIGHTS_ACT_2025 = RuleSet(
    name="GB Employment Rights Act 2025",
    title="Employment Rights Act 2025 rules (ballots opened from 18 February 2026)",
    jurisdiction=Jurisdiction.GB,
    starts=date(2026, 2, 18),
    ends=None,
    turnout_min_pct=50.0,
    support_min_pct_of_eligible=None,
    mandate_months=12,
    notice_days=10,
    sources=(
        "Employment Rights Act 2025 s.69 (40% test repealed), s.72 (12-month mandate)",
        "SI 2026/3",
        'gov.uk "Trade union law: transition to the Employment Rights Act 2025"',
    ),
)

NORTHERN_IRELAND = RuleSet(
    name="Northern Ireland",
    title="Northern Ireland rules",
    jurisdiction=Jurisdiction.NI,
    starts=None,
    ends=None,
    turnout_min_pct=None,
    support_min_pct_of_eligible=None,
    # RULES.md does not give the mandate period under TULR(NI) 1995: left unrecorded.
    mandate_months=None,
    notice_days=7,
    sources=("Trade Union and Labour Relations (Northern Ireland) Order 1995, art.104, art.118",),
)

BUILT_IN_RULES: tuple[RuleSet, ...] = (
    GB_BEFORE_2017,
    GB_TRADE_UNION_ACT_2016,
    GB_EMPLOYMENT_RIGHTS_ACT_2025,
    NORTHERN_IRELAND,
)


@dataclass(frozen=True)
class RuleTable:
    """Every rule set; where ranges overlap, the one that starts latest wins.

    "Latest start wins" is what lets an operator add one row (say, the day the 50% turnout
    threshold is repealed) without editing the end date of the row it supersedes.

    ``plausible_spoilt_pct`` is not law but how the table is read when only percentages are
    reported: the most spoilt papers, as a percentage of those returned, ballotbot takes as
    possible without a count.
    """

    rules: tuple[RuleSet, ...]
    plausible_spoilt_pct: float = DEFAULT_PLAUSIBLE_SPOILT_PCT

    def for_date(self, jurisdiction: Jurisdiction, day: date) -> RuleSet | None:
        """The rule set for a ballot opened on ``day``, or ``None`` if no row covers it."""
        matching = [r for r in self.rules if r.jurisdiction == jurisdiction and r.applies_on(day)]
        if not matching:
            return None
        return max(matching, key=lambda r: r.starts or date.min)

    def between(
        self, jurisdiction: Jurisdiction, earliest: date | None, latest: date | None
    ) -> tuple[RuleSet, ...]:
        """Every rule set that applies on some day from ``earliest`` to ``latest``, in order.

        ``None`` bounds mean "no limit", as when no date at all is known.
        """
        low = earliest or date.min
        high = latest or date.max
        boundaries = {low}
        for rule in self.rules:
            if rule.jurisdiction != jurisdiction:
                continue
            if rule.starts is not None:
                boundaries.add(rule.starts)
            if rule.ends is not None and rule.ends < date.max:
                boundaries.add(rule.ends + timedelta(days=1))
        found: list[RuleSet] = []
        for day in sorted(b for b in boundaries if low <= b <= high):
            applies = self.for_date(jurisdiction, day)
            if applies is not None and applies not in found:
                found.append(applies)
        return tuple(found)


def _parse_day(entry: str, what: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RulesError(
            f"rules entry {entry!r}: {what} {text!r} is not a date (use YYYY-MM-DD)"
        ) from None


def from_settings(entry: RuleSettings) -> RuleSet:
    """One ``[[rules]]`` entry as a rule set; bad dates are refused with the entry's name."""
    starts = _parse_day(entry.name, "starts", entry.starts)
    ends = _parse_day(entry.name, "ends", entry.ends) if entry.ends else None
    if ends is not None and ends < starts:
        raise RulesError(f"rules entry {entry.name!r}: ends {ends} is before starts {starts}")
    return RuleSet(
        name=entry.name,
        jurisdiction=Jurisdiction(entry.jurisdiction),
        starts=starts,
        ends=ends,
        turnout_min_pct=entry.turnout_min_pct,
        support_min_pct_of_eligible=entry.support_min_pct_of_eligible,
        mandate_months=entry.mandate_months,
        notice_days=entry.notice_days,
        sources=(entry.source,) if entry.source else (),
    )


def rule_table(
    settings_rules: Iterable[RuleSettings] = (),
    plausible_spoilt_pct: float = DEFAULT_PLAUSIBLE_SPOILT_PCT,
) -> RuleTable:
    """The built-in rules, with the config's ``[[rules]]`` entries merged in.

    An entry named like a built-in row replaces that row entirely (TOML has no null, so a
    field left out means "no such threshold", never "keep the built-in value"); any other
    entry is added, and where its dates overlap another row the later ``starts`` wins.
    """
    rows = {rule.name: rule for rule in BUILT_IN_RULES}
    for entry in settings_rules:
        rows[entry.name] = from_settings(entry)
    return RuleTable(tuple(rows.values()), plausible_spoilt_pct)


def rules_from(settings: Settings) -> RuleTable:
    """The built-in legal rule sets, with the config's ``[[rules]]`` applied, read with the
    config's ``[verdicts]`` settings. Raises ConfigError naming the bad ``[[rules]]`` entry."""
    try:
        return rule_table(settings.rules, settings.verdicts.plausible_spoilt_pct)
    except RulesError as exc:
        raise ConfigError(f"[[rules]]: {exc}") from None
