"""Figures, dates, web addresses and ids from outside: accepted only when they cannot be misread."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import parsers
from bot.domain import PartialDate
from bot.parsers import Invalid


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1,234,567", 1_234_567),
        ("1234567", 1_234_567),
        (" 42 ", 42),
        ("0", 0),
        ("999", 999),
        ("10,000,000", 10_000_000),
        (4210, 4210),
        ("", None),
        (None, None),
    ],
)
def test_counts_in_digits_with_thousands_separators_are_read(raw: Any, value: int | None) -> None:
    assert parsers.count(raw) == value


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("12,5", "not a whole number"),  # was stored as 125
        ("1,2345", "not a whole number"),
        ("1,552¹", "not a whole number"),  # was a bare ValueError
        ("--5", "not a whole number"),  # was a bare ValueError
        ("²", "not a whole number"),
        ("٣", "not a whole number"),  # Arabic-Indic three
        ("１２３", "not a whole number"),  # full-width
        ("1_000", "not a whole number"),
        ("+5", "not a whole number"),
        ("1 234", "not a whole number"),
        ("12.0", "not a whole number"),
        ("1e3", "not a whole number"),
        ("1e400", "not a whole number"),
        ("0x10", "not a whole number"),
        (",123", "not a whole number"),
        ("1,234,", "not a whole number"),
        ("-4", "negative"),
        ("10,000,001", "electorate"),
        ("99999999999999999999999", "electorate"),
        ("9" * 5000, "electorate"),
        (10**30, "electorate"),
        (-1, "negative"),
        (1.5, "not a whole number"),
        (math.inf, "not a whole number"),
        (True, "not a whole number"),
        ([1], "not a whole number"),
    ],
)
def test_counts_that_could_be_misread_are_refused(raw: Any, why: str) -> None:
    with pytest.raises(Invalid, match=why):
        parsers.count(raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("34.5", 34.5),
        ("60%", 60.0),
        (" 60 % ", 60.0),
        ("0", 0.0),
        ("100", 100.0),
        ("0.6%", 0.6),
        ("1", 1.0),
        (52.6, 52.6),
        ("", None),
    ],
)
def test_percentages_are_read(raw: Any, value: float | None) -> None:
    assert parsers.percentage(raw) == value


def test_a_turnout_given_as_a_fraction_is_refused_asking_what_was_meant() -> None:
    with pytest.raises(Invalid) as refused:
        parsers.percentage("0.6")
    message = str(refused.value)
    assert "did you mean 60%?" in message
    assert "0.6%" in message  # how to say a turnout really under 1%
    with pytest.raises(Invalid, match=r"did you mean 45\.5%"):
        parsers.percentage("0.455")


@pytest.mark.parametrize(
    "raw",
    [
        "nan",
        "NaN",
        "inf",
        "Infinity",
        "1e2",
        "-3",
        "100.5",
        "101",
        "٣٠",
        "six",
        "50%%",
        "%",
        "1" * 400,
        math.nan,
        math.inf,
        -0.5,
        True,
    ],
)
def test_percentages_that_are_not_0_to_100_are_refused(raw: Any) -> None:
    with pytest.raises(Invalid):
        parsers.percentage(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "2024-00",
        "2099-12-00",
        "2024-13",
        "2023-02-29",
        "2024-04-31",
        "0000",
        "2024-1",
        "24-05-01",
        "٢٠٢٤",
        "2024-05-01T10:00",
        "20240501",
        "1066",
        "9999-12",
        "2024-05-1",
    ],
)
def test_dates_with_a_day_or_month_out_of_range_are_refused_when_read(raw: str) -> None:
    with pytest.raises(Invalid, match="date"):
        parsers.partial_date(raw)


def test_dates_are_read_to_the_precision_given() -> None:
    assert parsers.partial_date("2024") == PartialDate(2024)
    assert parsers.partial_date("2024-02") == PartialDate(2024, 2)
    assert parsers.partial_date(" 2024-02-29 ") == PartialDate(2024, 2, 29)


@pytest.mark.parametrize(
    ("year", "month", "day"), [(2024, 0, None), (2024, 12, 0), (2024, 13, None), (2024, 0, 5)]
)
def test_a_partial_date_cannot_be_made_with_month_or_day_zero(
    year: int, month: int, day: int | None
) -> None:
    with pytest.raises(ValueError):
        PartialDate(year, month, day)


@pytest.mark.parametrize(
    "raw",
    [
        "https://",
        "https://host/strike vote",
        "http://",
        "https:///path",
        "www.unison.org.uk",
        "ftp://example.org/file",
        "javascript:alert(1)",
        "https://exa mple.org/",
        "https://example.org/\nnext",
        "https://example.org/\x1b[31m",
        "https://example.org/<script>",
        'https://example.org/"quoted"',
        "https://example.org/a|b",
        "https://user:secret@example.org/",
        "https://example.org:99999/",
        "https://example.org:0/",
        "https://-bad-.org/",
        "https://a..b/",
        "https://example.org/%zz",
        "https://exämple.org/",
        "https://example.org/" + "a" * 3000,
    ],
)
def test_web_addresses_must_be_absolute_http_with_a_host_and_no_spaces(raw: str) -> None:
    with pytest.raises(Invalid, match=r"web address|too long"):
        parsers.web_address(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.unison.org.uk/news/2024/05/strike-vote/",
        "http://example.org",
        "https://example.org:8443/results?year=2024&union=gmb#leeds",
        "https://[2001:db8::1]/results",
        "https://192.0.2.7/r",
        "https://example.org/strike%20vote",
    ],
)
def test_well_formed_web_addresses_are_kept_as_given(raw: str) -> None:
    assert parsers.web_address(raw) == raw


@pytest.mark.parametrize("raw", ["leeds pay", "leeds/pay", "#1", "café", "a\tb", "x" * 201, "a,b"])
def test_new_ballot_ids_are_letters_digits_and_dash_underscore_dot(raw: str) -> None:
    with pytest.raises(Invalid):
        parsers.ballot_id(raw)
    assert parsers.ballot_id("leeds-pay_2026.1") == "leeds-pay_2026.1"


@pytest.mark.parametrize("raw", ["a\x00b", "broken \ud800 text"])
def test_text_no_database_can_hold_is_refused(raw: str) -> None:
    with pytest.raises(Invalid):
        parsers.text(raw, 100)


_PARSERS = (parsers.count, parsers.percentage, parsers.partial_date, parsers.web_address)
_PARSERS += (parsers.ballot_id,)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.text(alphabet="0123456789,.-+%eE ²¹٣１"),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.none(),
        st.booleans(),
    )
)
def test_every_parser_accepts_or_refuses_with_invalid_and_nothing_else(raw: Any) -> None:
    for parse in _PARSERS:
        try:
            parsed = parse(raw)
        except Invalid as refused:
            assert str(refused)
            continue
        if isinstance(parsed, int):
            assert 0 <= parsed <= parsers.MAX_ELECTORATE
        if isinstance(parsed, float):
            assert math.isfinite(parsed) and 0 <= parsed <= 100


@pytest.mark.parametrize(
    ("raw", "decimals"),
    [("53", 0), ("53.0", 1), ("52.90%", 2), ("0.60%", 2), (parsers.JsonNumber("53.0"), 0)],
)
def test_a_percentage_keeps_the_decimals_it_was_written_to(raw: str, decimals: int) -> None:
    parsed = parsers.percentage(raw)
    assert parsed is not None and parsed.decimals == decimals
    with pytest.raises(Invalid, match="at most 6 decimals"):
        parsers.percentage("52.1234567")
