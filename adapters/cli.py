"""The ``ballotbot`` command: the console REPL, one-shot answers, import, export, run.

It lives beside the adapters because it starts them; the core never imports it.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from adapters.console.render import show
from bot.announce.dispatcher import Dispatcher, Pacing
from bot.app import App, open_app
from bot.config import ConfigError, Settings, load_settings
from bot.replies import error
from bot.requests import Request


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ballotbot",
        description="Ballot results and reminders for union members. "
        "With no command: an interactive console.",
    )
    parser.add_argument("--config", type=Path, help="settings file (TOML)")
    parser.add_argument("--database", metavar="URL", help="database URL (overrides the config)")
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer one command and exit")
    ask.add_argument("--json", action="store_true", help="print the reply as JSON")
    ask.add_argument("text", nargs="+", help='what you would type, e.g. "/ballot kirklees"')
    sub.add_parser("demo", help="load the demo ballots from the seed articles")
    imp = sub.add_parser("import", help="import ballots from a .csv or .json file")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--no-announce",
        dest="announce",
        action="store_false",
        help="store quietly (back-filling history): new results are not announced",
    )
    exp = sub.add_parser("export", help="print every ballot as JSON or CSV")
    exp.add_argument("--format", choices=("json", "csv"), default="json")
    exp.add_argument("-o", "--output", type=Path, help="write to this file instead")
    chart = sub.add_parser("chart", help="draw a ballot's result card as a PNG picture")
    chart.add_argument("search", nargs="+", help="employer, branch, union, area or alias")
    chart.add_argument("-o", "--output", type=Path, required=True, help="the PNG file to write")
    sub.add_parser("run", help="start every adapter enabled in the config")
    sub.add_parser(
        "privacy-report",
        help="what is stored about members (counts only), the oldest record, the next purge",
    )
    return parser


async def _ask(settings: Settings, text: str, as_json: bool, console: Console) -> int:
    async with open_app(settings) as app:
        try:
            reply = await app.core.handle(Request(text=text))
        except Exception as exc:
            if not as_json:
                raise
            # A script reading --json gets JSON whatever happens, never an empty stdout.
            reply = error("The command failed", f"{type(exc).__name__}: {exc}")
        if as_json:
            print(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2))
        else:
            show(reply, console)
            await _console_dispatcher(app, console).run_once()
    return 0 if reply.ok else 1


def _console_dispatcher(app: App, console: Console) -> Dispatcher:
    """Announcements for the console channel, printed right after the command that made
    them; other platforms' announcements wait for the process that runs their adapter."""
    from adapters.console.sender import ConsoleSender

    return app.dispatcher({"console": ConsoleSender(console)}, Pacing(per_channel_seconds=0))


async def _console(settings: Settings, console: Console) -> int:
    from bot.single_process import only_process

    with only_process(settings.database.url):
        return await _console_session(settings, console)


async def _console_session(settings: Settings, console: Console) -> int:
    from adapters.console.repl import repl

    async with open_app(settings) as app:
        stop = asyncio.Event()
        scheduling = asyncio.create_task(app.scheduler_leader().run(stop))
        try:
            await repl(app.core, console, after=_console_dispatcher(app, console).run_once)
        finally:
            stop.set()
            await scheduling
    return 0


async def _demo(settings: Settings, console: Console) -> int:
    from bot.demo import DEMO_BALLOTS

    async with open_app(settings, load_demo=False) as app:
        report = await app.store.save(DEMO_BALLOTS)
    console.print(
        f"Demo ballots: {report.created} added, {report.updated} updated, "
        f"{report.unchanged} already there."
    )
    return 0


async def _import(settings: Settings, path: Path, announce: bool, console: Console) -> int:
    from bot.services.imports import ImportRejected, import_announcing

    async with open_app(settings, load_demo=False) as app:
        try:
            declared = await import_announcing(
                app.announcements, path, f"console:{getpass.getuser()}", announce, app.store
            )
        except ImportRejected as rejected:
            console.print(
                f"[bold red]Nothing imported[/]: {path} has problems:",
                highlight=False,
                soft_wrap=True,
            )
            for problem in rejected.errors:
                console.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
            return 1
        report = declared.report
        console.print(
            f"Imported {path}: {report.created} ballots added, {report.updated} updated, "
            f"{report.unchanged} unchanged.",
            highlight=False,
            soft_wrap=True,
        )
        if not announce:
            console.print("Nothing announced (--no-announce).", highlight=False)
        else:
            console.print(
                f"Announcements queued: {declared.results} new result(s), "
                f"{declared.corrections} correction(s); `ballotbot run` sends them.",
                highlight=False,
                soft_wrap=True,
            )
            await _console_dispatcher(app, console).run_once()
    return 0


async def _export(settings: Settings, fmt: str, output: Path | None) -> int:
    from bot.services.exports import export_ballots
    from bot.wiring import rules_from, verdict_fields

    extra = verdict_fields(rules_from(settings))
    async with open_app(settings) as app:
        text = await export_ballots(app.store, fmt, extra)  # type: ignore[arg-type]
    if output is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(output.write_text, text, encoding="utf-8")
    return 0


async def _chart(settings: Settings, search: str, output: Path, console: Console) -> int:
    async with open_app(settings) as app:
        reply = await app.core.handle(Request(text=f"/ballot {search} chart"))
    if reply.image is None:
        show(reply, console)
        return 1
    await asyncio.to_thread(output.write_bytes, reply.image.png)
    console.print(f"Wrote {output}: {reply.image.alt_text}", highlight=False, soft_wrap=True)
    return 0


async def _privacy_report(settings: Settings, console: Console) -> int:
    """For the operator's records of processing: the organisers' ``admin privacy``."""
    async with open_app(settings, load_demo=False) as app:
        show(await app.reminders.privacy_report(), console)
    return 0


async def _run(settings: Settings, console: Console) -> int:
    from adapters.runner import run_adapters

    return await run_adapters(settings, console)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ballotbot`` console script. Returns the exit status."""
    args = _parser().parse_args(argv)
    # Piped output (scripts, tests) gets a fixed, readable width instead of rich's 80 columns.
    console = Console() if sys.stdout.isatty() else Console(width=100)
    err = Console(stderr=True)
    try:
        settings = load_settings(args.config, args.database)
    except ConfigError as exc:
        err.print(f"[bold red]ballotbot:[/] {exc}", highlight=False)
        return 2
    try:
        match args.command:
            case "ask":
                return asyncio.run(_ask(settings, " ".join(args.text), args.json, console))
            case "demo":
                return asyncio.run(_demo(settings, console))
            case "import":
                return asyncio.run(_import(settings, args.file, args.announce, console))
            case "export":
                return asyncio.run(_export(settings, args.format, args.output))
            case "chart":
                search = " ".join(args.search)
                return asyncio.run(_chart(settings, search, args.output, console))
            case "run":
                return asyncio.run(_run(settings, console))
            case "privacy-report":
                return asyncio.run(_privacy_report(settings, console))
            case _:
                return asyncio.run(_console(settings, console))
    except KeyboardInterrupt:
        return 130
    except ConfigError as exc:  # e.g. a second process on one SQLite file
        err.print(f"[bold red]ballotbot:[/] {exc}", highlight=False)
        return 2
    except Exception as exc:  # the last line of defence: a clear message, not a traceback
        err.print(f"[bold red]ballotbot:[/] {type(exc).__name__}: {exc}", highlight=False)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
