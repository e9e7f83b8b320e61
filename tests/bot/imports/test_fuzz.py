"""Fuzzing what comes in: any CSV, any JSON, any organiser command is accepted or refused.

A refusal is the documented one (``ImportRejected`` naming a row and column, or an error
reply), the database is unchanged by it, and nothing else ever escapes: no ValueError,
OverflowError, RecursionError or driver error. What is accepted is stored, on SQLite and on
PostgreSQL, whose column types are the stricter. Bounded to a few seconds for ``make test``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from adapters.compose import App, open_app
from bot import columns
from bot.announce.model import Announce
from bot.config import Settings
from bot.domain import Ballot
from bot.imports.exports import export_ballots
from bot.imports.files import ImportRejected, parse_csv, parse_json
from bot.requests import Request

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
"""With the database: each example is stored or checked unchanged, so fewer of them."""
PARSE_ONLY = settings(max_examples=200, deadline=None)
"""Parsing alone is fast: many more examples, to find what a parser lets escape."""

HOSTILE = (
    "", " ", "0", "7", "4210", "1,234", "12,5", "1,2345", "--5", "-5", "+5", "²", "٣", "１２",
    "1e400", "9" * 40, "NaN", "Infinity", "0.6", "0.6%", "60%", "100", "100.5", "2024", "2024-00",
    "2099-12-00", "2024-13", "2024-02-29", "2024-02-30", "https://", "https://host/strike vote",
    "https://example.org/r", "javascript:alert(1)", "leeds pay", "leeds-1", "=cmd|' /C calc'!A0",
    "'=x", "-5% pay cut", "@here", "'", '"', '""', "\\", "\x00", "\ud800", "\x1b[31m",
    "<!channel>", "a\nb", "a\rb", "x" * 600, "admin cancel x", ";", ";;GMB", "strike",
    "consultative", "yes", "no", "GB", "NI", "open", "declared", "postal", "for=5", "q=0",
)  # fmt: skip
NUMBERISH = "0123456789,.-+eE%² ¹٣１\u00a0"
leaf = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
    st.text(alphabet=NUMBERISH, min_size=1, max_size=8),
)
_GOOD_TEXT = ("Leeds City Council", "GMB", "Strike over pay?", "North", "a note\non two lines")
GOOD: dict[str, tuple[str, ...]] = {
    "id": ("fz-1", "fz-2", "fz.3_x"),
    "unions": ("GMB", "Unison; Unite"),
    "kind": ("strike", "action_short_of_strike", "pay_offer"),
    "jurisdiction": ("GB", "NI"),
    "method": ("postal", "electronic"),
    "important_public_service": ("yes", "no", "unknown"),
    "opens": ("2024-01-08", "2024-01"),
    "closes": ("2024-02-01", "2024-02"),
    "announced": ("2024", "2024-02-14"),
    "eligible": ("4210", "4,210", "10000"),
    "votes_for": ("2000", "1,234", "0"),
    "votes_against": ("500", "12"),
    "spoilt": ("3", "0"),
    "turnout_pct": ("60", "52.6", "0.6%"),
    "for_pct": ("75.5", "80%"),
    "source_url": ("https://www.unison.org.uk/news/2024/strike-vote/",),
    "status": ("declared", "open", "scheduled"),
    "turnout_approximate": ("yes", "no"),
}


_NUMERIC = {"eligible", "votes_for", "votes_against", "spoilt", "turnout_pct", "for_pct"}
_NUMERIC |= {"opens", "closes", "announced"}
NUMERIC_HOSTILE = (
    "--5", "-5", "-", "- 5", "-²", "-1,000", "-0", "−5", "+5", "5-", "1-2", "٣", "²", "1e3",
    "1,5", "1,,000", ",100", "0x1F", "1.0", "١٢٣", "1 000", "1\u00a0000", "½", "Ⅻ", "𝟓", "1_0",
    "0.5", ".5", "5.", "1e-5", "-0.6", "0.6 %", "%5", "2024-00-00", "2024--01", "1e400%",
)  # fmt: skip
numberish = st.one_of(
    st.sampled_from(NUMERIC_HOSTILE), st.text(alphabet=NUMBERISH, min_size=1, max_size=8)
)


@functools.cache
def value_for(name: str, hostile: bool = True) -> st.SearchStrategy[str]:
    """A good value for the column, or (when ``hostile``) often a hostile one: a file of
    good values but one is the case that finds what a strict parser lets through."""
    good = st.sampled_from(GOOD.get(name, _GOOD_TEXT))
    if not hostile:
        return good
    return st.one_of(good, leaf, numberish) if name in _NUMERIC else st.one_of(good, leaf)


DEMO_IDS = ("southampton-city-council-pay-cuts", "kirklees-council-redundancies-strike")


@dataclass
class Fuzzed:
    """The bot on its own event loop, so that hypothesis can drive it example by example."""

    app: App
    loop: asyncio.AbstractEventLoop

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)

    def snapshot(self) -> tuple[str, int, int]:
        async def taken() -> tuple[str, int, int]:
            exported = await export_ballots(self.app.store, "json")
            deliveries = len(await self.app.outbox.deliveries(None, limit=10_000))
            return exported, deliveries, await self.app.store.catalog_version()

        return self.run(taken())  # type: ignore[no-any-return]

    def store(self, ballots: list[Ballot]) -> None:
        self.run(self.app.declarations.declare(ballots, "fuzz", "import", Announce.NONE))


@pytest.fixture
def fuzzed(database_url: str, tmp_path: Path) -> Iterator[Fuzzed]:
    loop = asyncio.new_event_loop()
    config = Settings()
    config.database.url = database_url
    config.search.refresh_seconds = 0
    config.charts.cache_dir = str(tmp_path / "charts")
    opened = open_app(config, load_demo=True)
    try:
        app = loop.run_until_complete(opened.__aenter__())
        try:
            yield Fuzzed(app, loop)
        finally:
            loop.run_until_complete(opened.__aexit__(None, None, None))
    finally:
        loop.close()


def assert_documented(refused: ImportRejected) -> None:
    assert refused.errors
    for problem in refused.errors:
        assert problem.where and problem.column and problem.message


def cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@st.composite
def csv_files(draw: st.DrawFn) -> str:
    """A header of real (sometimes unknown or repeated) columns, rows of hostile cells, and
    sometimes raw CSV punctuation to break the quoting."""
    hostile = draw(st.booleans())
    if hostile:
        names = st.sampled_from([*columns.NAMES, "colour", " id "])
        header = draw(st.lists(names, min_size=1, max_size=12))
        if draw(st.integers(0, 4)):  # mostly a header that can be read
            header = list(dict.fromkeys([*columns.REQUIRED, *header]))
    else:
        others = draw(st.lists(st.sampled_from(columns.NAMES), max_size=10, unique=True))
        header = list(dict.fromkeys([*columns.REQUIRED, *others]))
        header = draw(st.permutations(header))
    lines = [",".join(header)]
    for row in range(draw(st.integers(0 if hostile else 1, 4))):
        cells = [draw(value_for(name, hostile)) for name in header]
        if not hostile:
            cells[header.index("id")] = f"fz-{row}"
        lines.append(",".join(cell(c) if draw(st.booleans()) else c for c in cells))
    if hostile and draw(st.booleans()):
        lines.append(draw(st.text(alphabet=",\"\n\r ab1;='", max_size=40)))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))


any_csv = st.one_of(csv_files(), csv_files(), csv_files(), st.text(max_size=300))


@PARSE_ONLY
@given(text=any_csv)
def test_any_csv_is_read_or_refused_with_row_and_column(text: str) -> None:
    try:
        parse_csv(text)
    except ImportRejected as refused:
        assert_documented(refused)


@FUZZ
@given(text=any_csv)
def test_any_csv_is_stored_whole_or_refused_and_nothing_changed(fuzzed: Fuzzed, text: str) -> None:
    before = fuzzed.snapshot()
    try:
        ballots = parse_csv(text)
    except ImportRejected as refused:
        event("refused")
        assert_documented(refused)
        assert fuzzed.snapshot() == before
        return
    event("accepted")
    fuzzed.store(ballots)  # no driver error: every value fits its column


json_leaf = st.one_of(
    leaf,
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.sampled_from(HOSTILE), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
json_names = st.sampled_from([*columns.NAMES, "colour"])


def json_value(draw: st.DrawFn, name: str, hostile: bool) -> Any:
    if hostile and draw(st.integers(0, 3)) == 0:
        return draw(json_leaf)
    good = draw(value_for(name, hostile))
    if name in ("unions", "aliases") and draw(st.booleans()):
        return good.split(";")
    if (
        name in ("eligible", "votes_for", "votes_against", "spoilt")
        and good.isascii()
        and good.isdigit()
    ):
        return int(good)
    return good


@st.composite
def json_files(draw: st.DrawFn) -> str:
    hostile = draw(st.booleans())

    def record() -> dict[str, Any]:
        names = draw(st.lists(json_names, max_size=8, unique=True))
        if draw(st.integers(0, 3)) or not hostile:
            names = list(dict.fromkeys([*columns.REQUIRED, *names]))
        if not hostile:
            names = [n for n in names if n != "colour"]
        return {name: json_value(draw, name, hostile) for name in names}

    ballots = []
    for number in range(draw(st.integers(0, 3))):
        ballot = record()
        if not hostile:
            ballot["id"] = f"fz-{number}"
        ballot["questions"] = [record() for _ in range(draw(st.integers(0, 3)))]
        ballots.append(ballot)
    document: Any = {"ballots": ballots}
    if draw(st.integers(0, 9)) == 0:
        document = draw(json_leaf)
    return json.dumps(document, ensure_ascii=draw(st.booleans()))


@FUZZ
@given(
    text=st.one_of(json_files(), st.text(alphabet='{}[]",:0123456789.eE-+ natrufl', max_size=200))
)
def test_any_json_is_stored_whole_or_refused_with_where_and_field(
    fuzzed: Fuzzed, text: str
) -> None:
    before = fuzzed.snapshot()
    try:
        ballots = parse_json(text)
    except ImportRejected as refused:
        event("refused")
        assert_documented(refused)
        assert fuzzed.snapshot() == before
        return
    event("accepted")
    fuzzed.store(ballots)


FIGURE_COLUMNS = {"for": "votes_for", "against": "votes_against", "turnout": "turnout_pct"}


def argument(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from([*columns.NAMES, "for", "against", "q", "turnout", "x", ""]))
    value = draw(value_for(FIGURE_COLUMNS.get(key, key))) if key != "q" else draw(leaf)
    word = f"{key}={value}"
    return shlex.quote(word) if draw(st.booleans()) else word


@st.composite
def admin_commands(draw: st.DrawFn) -> str:
    verb = draw(st.sampled_from(["result", "correct", "set", "add", "turnout"]))
    words = [draw(st.sampled_from([*DEMO_IDS, "nope", "fz-3", '"old id"']))]
    if verb == "add":
        words = [f"{name}={shlex.quote(draw(value_for(name)))}" for name in columns.REQUIRED]
    if verb == "turnout":
        words.append(draw(value_for("turnout_pct")))
    words += [argument(draw) for _ in range(draw(st.integers(0, 4)))]
    return f"/ballot admin {verb} " + " ".join(words)


@FUZZ
@given(command=admin_commands())
def test_any_organiser_command_is_done_or_refused_and_a_refusal_changes_nothing(
    fuzzed: Fuzzed, command: str
) -> None:
    before = fuzzed.snapshot()

    reply = fuzzed.run(fuzzed.app.core.handle(Request(command, "console", "local")))

    assert reply.header
    event("done" if reply.ok else "refused")
    if not reply.ok:
        assert fuzzed.snapshot() == before, (command, reply.plain_text())
        assert "Traceback" not in reply.plain_text()
