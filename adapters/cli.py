"""The ``ballotbot`` command: the console REPL, one-shot answers, import, export, run.

It lives beside the adapters because it starts them; the core never imports it.

The global options (``--config``, ``--database``, ``-v``, ``--version``) are accepted before or
after the command: ``ballotbot run --config config.toml`` and ``ballotbot --config config.toml
run`` mean the same. Replies go to stdout, errors to stderr with a non-zero status; nothing
the command prints is read as markup (:mod:`adapters.console.messages`).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from adapters.compose import open_app
from adapters.console.messages import (
    configure_logging,
    fail,
    last_words,
    quiet_stdout,
    say,
    stderr_console,
    stdout_console,
)
from adapters.console.render import show
from adapters.console.repl import console_dispatcher
from bot.config import ConfigError, Settings, load_settings
from bot.replies import Reply, error
from bot.requests import Request

EXIT_CONFIG = 2
"""A setting, a URL or an argument cannot be used (argparse uses 2 for its errors too)."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ballotbot")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout without install
        return "unknown"


def _global_options(top: bool) -> argparse.ArgumentParser:
    """The options every command takes. On the commands their default is SUPPRESS, so a value
    given before the command is not overwritten by the command's own default."""
    options = argparse.ArgumentParser(add_help=False)

    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    group = options.add_argument_group("global options (before or after the command)")
    group.add_argument(
        "--config", type=Path, default=default(None), metavar="PATH", help="settings file (TOML)"
    )
    group.add_argument(
        "--database",
        metavar="URL",
        default=default(None),
        help="database URL, overriding the config: sqlite+aiosqlite:///path/to/file.db or "
        "postgresql+psycopg://user:pass@host/db",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default(0),
        help="say more on stderr (-v: what the bot does, -vv: everything)",
    )
    group.add_argument("--version", action="version", version=f"ballotbot {_version()}")
    return options


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ballotbot",
        description="Ballot results and reminders for union members. "
        "With no command: an interactive console.",
        parents=[_global_options(top=True)],
    )
    common = [_global_options(top=False)]
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, description=help_, parents=common)

    ask = command("ask", "answer one command and exit")
    ask.add_argument("--json", action="store_true", help="print the reply as JSON")
    ask.add_argument("text", nargs="+", help='what you would type, e.g. "/ballot kirklees"')
    demo = command("demo", "load the demo ballots from the seed articles")
    demo.add_argument(
        "--open-example",
        action="store_true",
        help="also add one made-up ballot, open from a few days ago until next week, to try "
        "reminders on (it says it is an example)",
    )
    imp = command("import", "import ballots from a .csv or .json file")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--no-announce",
        dest="announce",
        action="store_false",
        help="store quietly (back-filling history): new results are not announced",
    )
    exp = command("export", "print every ballot as JSON or CSV")
    exp.add_argument("--format", choices=("json", "csv"), default="json")
    exp.add_argument("-o", "--output", type=Path, help="write to this file instead")
    chart = command("chart", "draw a ballot's result card as a PNG picture")
    chart.add_argument("search", nargs="+", help="employer, branch, union, area or alias")
    chart.add_argument("-o", "--output", type=Path, required=True, help="the PNG file to write")
    command("run", "start every adapter enabled in the config")
    command(
        "privacy-report",
        "what is stored about members (counts only), the oldest record, the next purge",
    )
    return parser


def _show(reply: Reply, console: Console, err: Console) -> None:
    """A reply: on stdout, or on stderr when it is an error."""
    show(reply, console if reply.ok else err)


async def _ask(settings: Settings, text: str, as_json: bool, console: Console, err: Console) -> int:
    async with open_app(settings) as app:
        try:
            reply = await app.core.handle(Request(text=text))
        except Exception as exc:
            if not as_json:
                raise
            # A script reading --json gets JSON whatever happens, never an empty stdout.
            reply = error("The command failed", f"{type(exc).__name__}: {exc}")
        if as_json:
            sys.stdout.write(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2) + "\n")
        else:
            _show(reply, console, err)
            await console_dispatcher(app, console).run_once()
    return 0 if reply.ok else 1


def _console(settings: Settings, console: Console) -> int:
    from adapters.console.repl import ConsoleBot, history_file, repl
    from storage.process_lock import only_process

    with only_process(settings.database.url), ConsoleBot(settings, console) as bot:
        return repl(bot, console, history=history_file())


async def _demo(settings: Settings, open_example: bool, console: Console) -> int:
    from datetime import date

    from bot.demo import DEMO_BALLOTS, open_example_ballot

    ballots = list(DEMO_BALLOTS)
    if open_example:
        ballots.append(open_example_ballot(date.today()))
    async with open_app(settings, load_demo=False) as app:
        report = await app.store.save(ballots)
    say(
        console,
        f"Demo ballots: {report.created} added, {report.updated} updated, "
        f"{report.unchanged} already there.",
    )
    if open_example:
        example = ballots[-1]
        say(
            console,
            f"Made-up example, open until {example.closes.human()}: {example.title} "
            f'(id {example.id}). Try: ballotbot ask "remind me example"',
        )
    return 0


async def _import(
    settings: Settings, path: Path, announce: bool, console: Console, err: Console
) -> int:
    from adapters.console.progress import TerminalProgress
    from bot.imports.files import ImportRejected, import_announcing

    async with open_app(settings, load_demo=False) as app:
        try:
            # A bar on a terminal once it takes more than a second; nothing in a pipe.
            async with TerminalProgress(
                console, f"Checking {path.name}", "Storing", "Queuing announcements"
            ) as bar:
                declared = await import_announcing(
                    app.declarations,
                    path,
                    f"console:{getpass.getuser()}",
                    announce,
                    app.store,
                    progress=bar,
                )
        except ImportRejected as rejected:
            fail(err, f"nothing imported: {path} has problems (fix them and import again):")
            for problem in rejected.errors:
                say(err, f"  {problem}")
            return 1
        report = declared.report
        say(
            console,
            f"Imported {path}: {report.created} ballots added, {report.updated} updated, "
            f"{report.unchanged} unchanged.",
        )
        if not announce:
            say(console, "Nothing announced (--no-announce).")
        else:
            say(
                console,
                f"Announcements queued: {declared.results} new result(s), "
                f"{declared.corrections} correction(s); `ballotbot run` sends them.",
            )
            await console_dispatcher(app, console).run_once()
    return 0


async def _export(settings: Settings, fmt: str, output: Path | None, console: Console) -> int:
    from bot.card_maker import verdict_fields
    from bot.imports.exports import export_ballots
    from bot.verdicts import rules_from

    extra = verdict_fields(rules_from(settings))
    async with open_app(settings) as app:
        text = await export_ballots(app.store, fmt, extra)  # type: ignore[arg-type]  # argparse choices
    if output is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(output.write_text, text, encoding="utf-8")
        say(console, f"Wrote {output}.")
    return 0


async def _chart(
    settings: Settings, search: str, output: Path, console: Console, err: Console
) -> int:
    async with open_app(settings) as app:
        reply = await app.core.handle(Request(text=f"/ballot {search} chart"))
    if reply.image is None:
        show(reply, err)
        return 1
    await asyncio.to_thread(output.write_bytes, reply.image.png)
    say(console, f"Wrote {output}: {reply.image.alt_text}")
    return 0


async def _privacy_report(settings: Settings, console: Console) -> int:
    """For the operator's records of processing: the organisers' ``admin privacy``."""
    async with open_app(settings, load_demo=False) as app:
        show(await app.reminders.privacy_report(), console)
    return 0


async def _run(settings: Settings, err: Console) -> int:
    from adapters.runner import run_adapters

    return await run_adapters(settings, err)


def _dispatch(args: argparse.Namespace, console: Console, err: Console) -> int:
    from storage.database import check_database_url

    settings = load_settings(args.config, args.database)
    check_database_url(settings.database.url)
    for warning in settings.warnings():
        fail(err, f"warning: {warning}")
    match args.command:
        case "ask":
            return asyncio.run(_ask(settings, " ".join(args.text), args.json, console, err))
        case "demo":
            return asyncio.run(_demo(settings, args.open_example, console))
        case "import":
            return asyncio.run(_import(settings, args.file, args.announce, console, err))
        case "export":
            return asyncio.run(_export(settings, args.format, args.output, err))
        case "chart":
            search = " ".join(args.search)
            return asyncio.run(_chart(settings, search, args.output, console, err))
        case "run":
            return asyncio.run(_run(settings, err))
        case "privacy-report":
            return asyncio.run(_privacy_report(settings, console))
        case _:
            return _console(settings, console)


_BACKGROUND = re.compile(r"\s*\(Background on this error at: [^)]*\)")


def _message(exc: BaseException) -> str:
    """An exception's own words: a database error's driver message (not SQLAlchemy's wrapper
    with its statement and its link), the first line of anything else."""
    from sqlalchemy.exc import DBAPIError

    text = str(exc.orig) if isinstance(exc, DBAPIError) else str(exc)
    text = _BACKGROUND.sub("", text).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _database_url(args: argparse.Namespace) -> str:
    """The database URL this command uses ("?" when the config cannot even be read)."""
    if args.database is not None:
        return str(args.database)
    try:
        return load_settings(args.config).database.url
    except Exception:
        return "?"


def _private(text: str, args: argparse.Namespace) -> str:
    """``text`` without the database URL's passwords: a driver's or SQLAlchemy's message may
    quote the URL it was given."""
    from bot.privacy.urls import scrub_secrets

    return scrub_secrets(text, _database_url(args))


def _database_failed(exc: Exception, args: argparse.Namespace, err: Console) -> int:
    from storage.database import URL_FORMS, shown_url

    url = _database_url(args)
    if url.startswith("sqlite"):  # a file: there is no server to check
        check = (
            "Check that it is a ballotbot SQLite database (a new file name starts an empty one) "
            "and that this user can read and write it and its folder"
        )
    else:
        check = "Check that it exists and that its server runs"
    fail(
        err,
        f"the database {shown_url(url)} cannot be used: {_private(_message(exc), args)}. "
        f"{check} ({URL_FORMS}); nothing was changed.",
    )
    return 1


def _last_resort(
    exc: BaseException, verbose: int, err: Console, args: argparse.Namespace | None = None
) -> int:
    """An error nothing else explained: one plain line, the traceback only with ``-v``, both
    without the database URL's passwords (``args``' database). Never raises: a message that
    cannot be printed is written to the stderr descriptor as it is."""

    def private(text: str) -> str:
        return _private(text, args) if args is not None else text

    message = private(
        f"unexpected error: {type(exc).__name__}: {_message(exc)}. Nothing more was done; "
        "run the command again with -v to see where it came from."
    )
    try:
        fail(err, message)
        if verbose:
            say(err, private("".join(traceback.format_exception(exc))))
    except Exception:
        last_words(message)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ballotbot`` console script. Returns the exit status."""
    from sqlalchemy.exc import DBAPIError

    try:
        args = _parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error (argparse said why)
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_stdout()
        return int(done.code or 0)
    configure_logging(args.verbose)
    console, err = stdout_console(), stderr_console()
    try:
        status = _dispatch(args, console, err)
        sys.stdout.flush()  # a closed pipe shows here, while it can still end quietly
        return status
    except BrokenPipeError:  # `ballotbot ask --json ... | head`: the reader has had enough
        quiet_stdout()
        return 0
    except KeyboardInterrupt:
        return 130
    except ConfigError as exc:  # a setting, a URL, a second process on one SQLite file
        try:
            fail(err, _private(str(exc), args))
        except Exception:
            last_words(_private(str(exc), args))
        return EXIT_CONFIG
    except DBAPIError as exc:
        try:
            return _database_failed(exc, args, err)
        except Exception:
            return _last_resort(exc, args.verbose, err, args)
    except OSError as exc:
        if exc.filename is None:
            return _last_resort(exc, args.verbose, err, args)
        try:  # e.g. `export -o` or `chart -o` into a folder that is not there
            fail(err, f"cannot use {exc.filename}: {exc.strerror}; nothing more was done.")
        except Exception:
            last_words(f"cannot use {exc.filename}: {exc.strerror}")
        return 1
    except Exception as exc:  # the last line of defence: a clear message, not a traceback
        return _last_resort(exc, args.verbose, err, args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
