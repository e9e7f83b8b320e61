"""The rule table: built in, and extended or overridden by an operator's ``[[rules]]``."""

from __future__ import annotations

from datetime import date

import pytest

from bot.config import RuleSettings, Settings
from bot.domain import Jurisdiction
from bot.verdicts import BUILT_IN_RULES, Mandate, RulesError, rule_table, verdict_for
from tests.verdicts.helpers import ballot

GB, NI = Jurisdiction.GB, Jurisdiction.NI


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2016, 12, 1), "GB before 2017"),
        (date(2017, 2, 28), "GB before 2017"),
        (date(2017, 3, 1), "GB Trade Union Act 2016"),
        (date(2026, 2, 17), "GB Trade Union Act 2016"),
        (date(2026, 2, 18), "GB Employment Rights Act 2025"),
        (date(2040, 1, 1), "GB Employment Rights Act 2025"),
    ],
)
def test_rules_are_picked_by_opening_date(day: date, name: str) -> None:
    assert rule_table().for_date(GB, day).name == name


def test_built_in_rules_match_rules_md() -> None:
    rules = {r.name: r for r in BUILT_IN_RULES}
    before, tua, era, ni = (
        rules["GB before 2017"],
        rules["GB Trade Union Act 2016"],
        rules["GB Employment Rights Act 2025"],
        rules["Northern Ireland"],
    )
    assert (before.turnout_min_pct, before.support_min_pct_of_eligible) == (None, None)
    assert (before.mandate_days, before.notice_days) == (28, 7)
    assert (tua.turnout_min_pct, tua.support_min_pct_of_eligible) == (50.0, 40.0)
    assert (tua.mandate_months, tua.notice_days) == (6, 14)
    assert (era.turnout_min_pct, era.support_min_pct_of_eligible) == (50.0, None)
    assert (era.mandate_months, era.notice_days) == (12, 10)
    assert (ni.turnout_min_pct, ni.support_min_pct_of_eligible, ni.notice_days) == (None, None, 7)
    assert ni.mandate_months is None and ni.mandate_days is None
    assert all(rule.sources for rule in BUILT_IN_RULES)


def test_northern_ireland_rules_apply_at_any_date() -> None:
    table = rule_table()
    assert table.for_date(NI, date(2010, 1, 1)).name == "Northern Ireland"
    assert table.for_date(NI, date(2030, 1, 1)).name == "Northern Ireland"


def test_operator_adds_the_day_the_turnout_threshold_is_repealed() -> None:
    repeal = RuleSettings(
        name="GB turnout threshold repealed",
        jurisdiction="GB",
        starts="2027-01-01",
        mandate_months=12,
        notice_days=10,
        source="SI 2026/xxx (example)",
    )
    table = rule_table([repeal])
    assert table.for_date(GB, date(2026, 12, 31)).name == "GB Employment Rights Act 2025"
    assert table.for_date(GB, date(2027, 1, 1)).name == "GB turnout threshold repealed"
    low_turnout = dict(eligible=1000, votes_for=200, votes_against=50, spoilt=0)
    before = ballot(opens="2026-12-01", **low_turnout)
    after = ballot(opens="2027-01-04", closes="2027-02-01", **low_turnout)
    assert verdict_for(before, before.questions[0], table).mandate is Mandate.NO
    verdict = verdict_for(after, after.questions[0], table)
    assert verdict.mandate is Mandate.YES
    assert verdict.mandate_expires == date(2028, 1, 31)
    assert verdict.explanation[1].startswith(
        "GB turnout threshold repealed rules (ballots opened from 1 January 2027): no turnout"
    )


def test_an_entry_named_like_a_built_in_replaces_it() -> None:
    table = rule_table(
        [
            RuleSettings(
                name="Northern Ireland",
                jurisdiction="NI",
                starts="2000-01-01",
                mandate_months=3,
                notice_days=7,
            )
        ]
    )
    names = [r.name for r in table.rules]
    assert names.count("Northern Ireland") == 1
    assert table.for_date(NI, date(2022, 1, 1)).mandate_months == 3
    assert table.for_date(NI, date(1999, 1, 1)) is None


def test_rules_from_a_config_file() -> None:
    settings = Settings.model_validate(
        {
            "rules": [
                {
                    "name": "GB test",
                    "jurisdiction": "GB",
                    "starts": "2030-01-01",
                    "turnout_min_pct": 40,
                }
            ]
        }
    )
    assert rule_table(settings.rules).for_date(GB, date(2030, 6, 1)).turnout_min_pct == 40


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ("1 March 2027", None, "starts '1 March 2027' is not a date (use YYYY-MM-DD)"),
        ("2027-03-01", "2027-13-01", "ends '2027-13-01' is not a date"),
        ("2027-03-01", "2027-02-01", "ends 2027-02-01 is before starts 2027-03-01"),
    ],
)
def test_bad_config_dates_are_refused_with_the_entry_name(starts, ends, message) -> None:
    entry = RuleSettings(name="Broken", jurisdiction="GB", starts=starts, ends=ends)
    with pytest.raises(RulesError, match="rules entry 'Broken'") as caught:
        rule_table([entry])
    assert message in str(caught.value)


def test_between_lists_every_rule_set_in_a_period() -> None:
    table = rule_table()
    names = [r.name for r in table.between(GB, date(2017, 1, 1), date(2026, 3, 1))]
    assert names == ["GB before 2017", "GB Trade Union Act 2016", "GB Employment Rights Act 2025"]
    assert [r.name for r in table.between(GB, date(2018, 1, 1), date(2018, 2, 1))] == [
        "GB Trade Union Act 2016"
    ]
