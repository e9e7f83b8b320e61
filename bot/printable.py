"""Text from data made safe to print anywhere: control characters shown, never obeyed.

Ballot text comes from imports, feeds and forms. An ESC starts a terminal escape sequence
(colours, cursor moves, OSC 8 hyperlinks, window titles), a carriage return overwrites what
was printed, and a bidirectional override (U+202E) makes the text after it read backwards,
so ``txt.exe`` can pass for ``exe.txt``; a zero-width space, joiner or no-break space
(U+200B-U+200D, U+2060, U+FEFF) and the other characters that draw nothing (Hangul fillers,
the combining grapheme joiner...) make two different names look the same, or hide a word
inside another. Every renderer passes data through :func:`printable`
before its own escaping: those characters are shown as their code (``\\x1b``, ``\\u202e``).
Line feeds and tabs stay: notes have lines.
"""

from __future__ import annotations

import re

_SUSPECT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but line feed and tab, DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks and overrides
    "\u2028\u2029\ufff9-\ufffb"  # line and paragraph separators, interlinear annotations
    "\u200b-\u200d\u2060-\u2064\ufeff"  # zero-width spaces and joiners, invisible operators
    "\u034f\u115f\u1160\u17b4\u17b5\u180e\u206a-\u206f\u3164\uffa0"  # other invisibles
    "\U000e0000-\U000e007f]"  # tag characters: invisible text
)


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` with C0/C1 controls (but line feed and tab), DEL, bidirectional controls,
    line/paragraph separators, interlinear annotations, zero-width and other invisible
    characters and tag characters written as their code (``\\u200b``), so none of them
    reaches a terminal, a chat client or a picture as a control or as nothing at all."""
    return _SUSPECT.sub(_shown, text)


def is_control(char: str) -> bool:
    """True for a character :func:`printable` rewrites (tests use it to scan output)."""
    return bool(_SUSPECT.fullmatch(char))
