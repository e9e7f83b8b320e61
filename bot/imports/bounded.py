"""Reading what comes from outside within bounds: a regular file of limited size, JSON of
limited depth with no field given twice and numbers kept as written.

Everything refused here raises :class:`Refused`, saying where and what, and nothing else: a
FIFO is not waited on, ``/dev/zero`` is not read, a 5,000-deep JSON array is not recursed into.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from bot.parsers import JsonNumber

FILE = "(file)"
"""The column of a problem with the whole file (unreadable, too big, not JSON): messages name
no column for it."""


class Refused(Exception):
    """Unreadable or out of bounds: ``where`` (the file, a line), ``column``, ``message``."""

    def __init__(self, where: str, column: str, message: str) -> None:
        super().__init__(where, column, message)
        self.where, self.column, self.message = where, column, message


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes.

    The file's kind and size are checked before it is opened and again on the open file (it
    may have been replaced in between); it is opened without blocking, so a FIFO swapped in
    meanwhile does not hang; and at most ``limit + 1`` bytes are ever read.
    """
    name = str(path)
    try:
        _check_regular(name, path.stat(), limit)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise Refused(name, FILE, f"cannot be read: {exc.strerror}") from None
    with open(descriptor, "rb") as file:
        _check_regular(name, os.fstat(file.fileno()), limit)
        try:
            data = file.read(limit + 1)
        except OSError as exc:
            raise Refused(name, FILE, f"cannot be read: {exc.strerror}") from None
    if len(data) > limit:  # it grew since it was measured
        raise Refused(name, FILE, f"larger than {_size(limit)}")
    return data


def _check_regular(name: str, found: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(found.st_mode):
        raise Refused(name, FILE, "is a folder, not a file")
    if not stat.S_ISREG(found.st_mode):
        raise Refused(name, FILE, "is not a regular file (a pipe or a device?)")
    if found.st_size > limit:
        raise Refused(
            name, FILE, f"is {found.st_size / 2**20:,.1f} MiB, larger than {_size(limit)}"
        )


def _size(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit:,} bytes"


class _Repeated(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _Repeated(key)
        document[key] = value
    return document


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in ``text`` (outside strings), without parsing it.

    Linear in the length of ``text``; what is not valid JSON is left to the parser."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = deepest = 0
    for bracket in brackets:
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def load_json(text: str, limit: int, max_depth: int) -> Any:
    """``text`` (at most ``limit`` characters) as JSON nested at most ``max_depth`` deep.

    Numbers (and ``NaN``/``Infinity``) come back as :class:`bot.parsers.JsonNumber`, the text
    they were written as, for the strict parsers to judge; a field repeated in one object is
    refused rather than silently the last one."""
    if len(text) > limit:
        raise Refused("top level", FILE, f"larger than {_size(limit)}")
    depth = json_depth(text)
    if depth > max_depth:
        raise Refused(
            "top level",
            FILE,
            f"nested {depth:,} levels deep; ballot files nest at most {max_depth}",
        )
    try:
        return json.loads(
            text,
            parse_int=JsonNumber,
            parse_float=JsonNumber,
            parse_constant=JsonNumber,
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as exc:
        raise Refused(f"line {exc.lineno}", FILE, f"not valid JSON: {exc.msg}") from None
    except _Repeated as repeated:
        where = repr(repeated.key[:40])
        raise Refused("top level", where, "a field appears twice in one object") from None
    except RecursionError:  # not reachable within max_depth; the last guard all the same
        raise Refused("top level", FILE, "nested too deeply") from None
