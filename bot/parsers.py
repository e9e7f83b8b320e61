"""Strict parsers for values that come from outside: imports, feeds and organisers' commands.

Every figure, date, web address and ballot id the bot stores passes through one of these, so a
file, a feed and ``/ballot admin result`` accept exactly the same things. They accept only what
cannot be misread (``1,234,567`` but not ``12,5``; ``2024-05`` but not ``2024-00``), keep every
value within a size the database and the verdicts can hold, and refuse anything else with
:class:`Invalid`, whose message says what is wrong in words an organiser can act on. No other
exception leaves them, whatever the input.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from bot.domain import MAX_DECIMALS, PartialDate, Percentage, written_decimals

MAX_ELECTORATE = 10_000_000
"""More members than any union ballots at once (the largest UK ballots are about 1.5 million):
a bigger electorate, or a count above it, is a typing or export mistake."""
MAX_ID = 200
MAX_URL = 2000
MIN_YEAR, MAX_YEAR = 1900, 2199
"""Dates outside these years are typing mistakes (``0024``, ``20245``) in ballot data."""

_COUNT = re.compile(r"[0-9]+|[1-9][0-9]{0,2}(?:,[0-9]{3})+")
_NEGATIVE = re.compile(r"-(?:[0-9]+|[1-9][0-9]{0,2}(?:,[0-9]{3})+)")
_PERCENT = re.compile(rf"([0-9]{{1,3}})(?:\.([0-9]{{1,{MAX_DECIMALS}}}))?\s*(%?)")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_MOMENT = re.compile(
    r"([0-9]{4})-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
MAX_MOMENT = len("YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM")
_BALLOT_ID = re.compile(r"[A-Za-z0-9._-]+")
# RFC 3986: what may appear in a URI without percent-encoding, and well-formed escapes.
_URL_FORBIDDEN = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


class Invalid(ValueError):
    """A value that cannot be stored; the message says why."""


class JsonNumber(str):
    """A number in a JSON file, kept as the text it was written as.

    JSON numbers are read this way so that they go through the same strict parsers as the
    cells of a CSV file: ``1e400`` or a 5,000-digit integer never becomes a Python number
    before a parser has looked at it, and a number is not accepted where text belongs.
    """


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _shown(raw: Any, limit: int = 40) -> str:
    """A bad value quoted in a message, cut short: messages stay readable whatever came in."""
    text = str(raw) if isinstance(raw, str) else repr(raw)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def count(raw: Any, what: str = "count") -> int | None:
    """A whole number of members or votes: ``1234`` or ``1,234``; blank is unknown (None).

    ASCII digits only, with thousands separators exactly every three digits; no sign, no
    decimals, no spaces. At most :data:`MAX_ELECTORATE`. ``what`` names it in messages.
    """
    if _blank(raw):
        return None
    if isinstance(raw, bool | float):
        raise Invalid(f"{_shown(raw)} is not a whole number")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip()
        if len(text) > 20:
            if text.isascii() and text.replace(",", "").isdigit():
                raise Invalid(f"{_shown(text)} is more than any ballot's electorate")
            raise Invalid(f"{_shown(text)} is too long to be a {what}")
        if not _COUNT.fullmatch(text):
            if _NEGATIVE.fullmatch(text):
                raise Invalid(f"{text} is negative: counts start at 0")
            raise Invalid(
                f"{_shown(text)} is not a whole number (digits 0-9 only, with commas, if any, "
                "every three digits: 1,234,567)"
            )
        value = int(text.replace(",", ""))
    else:
        raise Invalid(f"{_shown(raw)} is not a whole number")
    if value < 0:
        raise Invalid(f"{value} is negative: counts start at 0")
    if value > MAX_ELECTORATE:
        raise Invalid(
            f"{value:,} is more than any ballot's electorate (at most {MAX_ELECTORATE:,})"
        )
    return value


def percentage(raw: Any) -> Percentage | None:
    """A reported percentage, 0 to 100: ``34.5``, ``34.5%``; blank is unknown (None).

    ASCII digits, at most :data:`bot.domain.MAX_DECIMALS` decimals, no sign or exponent. The
    result is a :class:`bot.domain.Percentage` that knows the decimals it was written to
    (``53.0`` in a cell: one; a JSON number, which loses its trailing zeros on the way: its
    shortest form). A value between 0 and 1 without a percent sign is refused: it is almost
    always a fraction (``0.6`` for 60%) and storing it would turn a mandate into a failure. A
    turnout really under 1% (the first day of a ballot) is written with the sign: ``0.6%``.
    """
    if _blank(raw):
        return None
    if isinstance(raw, bool):
        raise Invalid(f"{_shown(raw)} is not a percentage")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise Invalid(f"{_shown(raw)} is not a percentage")
        value, signed = float(raw), False
        decimals = 0 if isinstance(raw, int) else written_decimals(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        match = _PERCENT.fullmatch(text) if len(text) <= 20 else None
        if match is None and text.startswith("-") and _PERCENT.fullmatch(text[1:]):
            raise Invalid(f"{text} is outside 0 to 100")
        if match is None:
            raise Invalid(
                f"{_shown(text)} is not a percentage (digits 0-9 and a decimal point, at most "
                f"{MAX_DECIMALS} decimals: 34.5)"
            )
        whole, fraction, sign = match.groups()
        value, signed = float(f"{whole}.{fraction or 0}"), bool(sign)
        decimals = len(fraction or "")
        if isinstance(raw, JsonNumber):
            decimals = written_decimals(value)
    else:
        raise Invalid(f"{_shown(raw)} is not a percentage")
    if not 0 <= value <= 100:
        raise Invalid(f"{value:g}% is outside 0 to 100")
    if 0 < value < 1 and not signed:
        raise Invalid(
            f"{value:g} looks like a fraction: did you mean {value * 100:g}%? "
            f"If it really is under 1%, write {value:g}%"
        )
    return Percentage(value, min(decimals, MAX_DECIMALS))


def partial_date(raw: Any) -> PartialDate | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, a real date; blank is unknown (None)."""
    if _blank(raw):
        return None
    if not isinstance(raw, str):
        raise Invalid(f"{_shown(raw)} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY")
    text = raw.strip()
    match = _DATE.fullmatch(text)
    if match is None:
        raise Invalid(f"{_shown(text)} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = (int(g) if g is not None else None for g in match.groups())
    assert year is not None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid(f"{text!r} is not a real date (the year must be {MIN_YEAR}-{MAX_YEAR})")
    if month is not None and not 1 <= month <= 12:
        raise Invalid(f"{text!r} is not a real date (month {match.group(2)} is not 01-12)")
    try:
        return PartialDate(year, month, day)
    except ValueError as exc:
        raise Invalid(f"{text!r} is not a real date ({exc})") from None


def moment(raw: Any) -> datetime | None:
    """A moment with its time zone, ISO 8601: ``2026-12-01T14:05Z``, ``2026-12-01 14:05:00+00:00``;
    blank is unknown (None). Given back in UTC.

    A time without a zone is refused: 14:05 in London and 14:05 UTC differ for half the year,
    and the bot never guesses which was meant.
    """
    if _blank(raw):
        return None
    if not isinstance(raw, str) or isinstance(raw, JsonNumber):
        raise Invalid(f"{_shown(raw)} is not a time: use YYYY-MM-DDTHH:MMZ (UTC) or +HH:MM")
    value = raw.strip()
    match = _MOMENT.fullmatch(value) if len(value) <= MAX_MOMENT else None
    if match is None:
        raise Invalid(
            f"{_shown(value)} is not a time: use YYYY-MM-DDTHH:MM with its zone, "
            "Z for UTC or +HH:MM (2026-12-01T14:05Z)"
        )
    if match.group(2) is None:
        raise Invalid(f"{_shown(value)} has no time zone: add Z for UTC, or +HH:MM")
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid(f"{value!r} is not a real time (the year must be {MIN_YEAR}-{MAX_YEAR})")
    try:
        return datetime.fromisoformat(value.replace(" ", "T", 1)).astimezone(UTC)
    except ValueError as exc:
        raise Invalid(f"{value!r} is not a real time ({exc})") from None


def text(raw: Any, limit: int) -> str | None:
    """Text of at most ``limit`` characters, trimmed; blank is None.

    Text is stored as given (every surface escapes it when showing it), except what no
    database can hold: NUL characters and lone surrogates.
    """
    if raw is None:
        return None
    if isinstance(raw, JsonNumber):
        raise Invalid(f"expected text, got the number {raw[:40]} (write it in quotes)")
    if not isinstance(raw, str):
        raise Invalid(f"expected text, got {_shown(raw)}")
    value = raw.strip()
    if len(value) > limit:
        raise Invalid(f"{len(value):,} characters is too long (at most {limit:,})")
    if "\x00" in value:
        raise Invalid("contains a NUL character, which cannot be stored")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Invalid("contains a broken character (a lone UTF-16 surrogate)") from None
    return value or None


def ballot_id(raw: Any) -> str | None:
    """A new ballot's id: letters, digits and ``-_.`` only, at most :data:`MAX_ID` long.

    Ids stored before this rule keep working: lookups and organiser commands take a stored
    id as it is; only new ids are held to it.
    """
    value = text(raw, MAX_ID)
    if value is not None and (not value.isascii() or not _BALLOT_ID.fullmatch(value)):
        raise Invalid(
            f"{_shown(value)} is not a ballot id: use letters, digits and - _ . only "
            "(no spaces), e.g. leeds-pay-2026"
        )
    return value


def web_address(raw: Any) -> str | None:
    """An absolute ``http://`` or ``https://`` address with a host; blank is None.

    Checked with :func:`urllib.parse.urlsplit` and RFC 3986's characters: no spaces, no
    control characters, no characters a URL must percent-encode, no user name or password,
    a valid host and port, at most :data:`MAX_URL` characters.
    """
    value = text(raw, MAX_URL)
    if value is None:
        return None
    problem = _address_problem(value)
    if problem is not None:
        raise Invalid(f"{_shown(value, 60)} is not a web address: {problem}")
    return value


@functools.lru_cache(maxsize=4096)  # a file repeats a ballot's address on each question
def _address_problem(value: str) -> str | None:
    found = _URL_FORBIDDEN.search(value)
    if found is not None:
        bad = found.group()
        what = (
            "a space"
            if bad == " "
            else f"{bad!r}"
            if bad.isprintable()
            else f"a control character (U+{ord(bad):04X})"
        )
        return f"it contains {what} (percent-encode it, e.g. %20 for a space)"
    if _BAD_ESCAPE.search(value):
        return "a % must be followed by two hex digits"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        return str(exc)
    if parts.scheme.lower() not in ("http", "https"):
        return "it must start with https:// (or http://)"
    if parts.username is not None or parts.password is not None:
        return "it must not carry a user name or password"
    host = parts.hostname
    if not host:
        return "it has no host name (https://www.example.org/...)"
    if port == 0:
        return "port 0 is not a port"
    if not _valid_host(host, bracketed=parts.netloc.rpartition("@")[2].startswith("[")):
        return f"{host!r} is not a host name"
    return None


def _valid_host(host: str, bracketed: bool) -> bool:
    if bracketed:
        try:
            return ipaddress.ip_address(host).version == 6
        except ValueError:
            return False
    labels = host.rstrip(".").split(".")
    return len(host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def names(raw: Any, limit: int, most: int) -> tuple[str, ...]:
    """Names separated by ``;`` (or a JSON list of names), each at most ``limit`` long, at
    most ``most`` of them; repeats and blanks dropped."""
    if raw is None:
        return ()
    if isinstance(raw, str) and not isinstance(raw, JsonNumber):
        items: Any = raw.split(";")
    else:
        items = raw
    if not isinstance(items, list | tuple) or not all(
        isinstance(i, str) and not isinstance(i, JsonNumber) for i in items
    ):
        raise Invalid(f"expected names separated by ';', got {_shown(raw)}")
    if len(items) > most:
        raise Invalid(f"{len(items):,} names is too many (at most {most})")
    out = tuple(dict.fromkeys(i.strip() for i in items if i.strip()))
    for item in out:
        if len(item) > limit:
            raise Invalid(f"a name of {len(item):,} characters is too long (at most {limit})")
        text(item, limit)
    return out
