"""Dates as precise as the source, no more."""

from datetime import date

import pytest

from bot.domain import PartialDate


@pytest.mark.parametrize(
    ("text", "human", "precision"),
    [
        ("2013", "2013", "year"),
        ("2013-05", "May 2013", "month"),
        ("2013-05-14", "14 May 2013", "day"),
    ],
)
def test_precision_is_kept(text: str, human: str, precision: str) -> None:
    parsed = PartialDate.parse(text)
    assert parsed.iso() == text
    assert parsed.human() == human
    assert parsed.precision == precision


def test_a_year_spans_the_whole_year() -> None:
    year = PartialDate.parse("2013")
    assert (year.earliest, year.latest) == (date(2013, 1, 1), date(2013, 12, 31))
    assert year.exact is None
    assert PartialDate.parse("2024-02").latest == date(2024, 2, 29)


@pytest.mark.parametrize("text", ["13/05/2013", "2013-13", "2013-02-30", "soon", "2013-5-1"])
def test_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        PartialDate.parse(text)
