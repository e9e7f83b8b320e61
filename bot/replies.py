"""The platform-neutral Reply: what the core answers, before any platform draws it.

Every adapter renders the same Reply (console with rich, Slack as Block Kit, Discord as an
embed, JSON for scripts), so a figure can never read differently on two platforms.
"""

from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from bot.actions import Action


class Tone(StrEnum):
    """How the reply should be coloured: the outcome at a glance."""

    PASSED = "passed"
    FAILED = "failed"
    NEUTRAL = "neutral"
    UNKNOWN = "unknown"
    ERROR = "error"


@dataclass(frozen=True)
class Field:
    """A labelled figure: ``Turnout`` / ``not known``."""

    label: str
    value: str
    inline: bool = True


@dataclass(frozen=True)
class Bar:
    """A progress bar. ``fraction`` is ``None`` when the figure is not known: draw it empty."""

    label: str
    fraction: float | None
    caption: str
    threshold: float | None = None

    def text(self, width: int = 20) -> str:
        """A text bar that every platform can show: ``█████░░░░░ 43.3%``."""
        if self.fraction is None:
            return "░" * width + " " + self.caption
        filled = round(max(0.0, min(1.0, self.fraction)) * width)
        cells = ["█"] * filled + ["░"] * (width - filled)
        if self.threshold is not None:
            mark = min(width - 1, round(self.threshold * width))
            cells[mark] = "┃"
        return "".join(cells) + " " + self.caption


@dataclass(frozen=True)
class Button:
    """A button: its label is shown as text, its :class:`~bot.actions.Action` is what runs.

    The action is a verb from a fixed table and a ballot id (``history`` of ``#kirklees``),
    never command text, so ballot data in a label can never become a command. It needs
    nothing but itself to be answered, so a button still works after a restart.
    """

    label: str
    action: Action
    style: str = "default"  # default | primary | danger

    @property
    def share(self) -> bool:
        """True for Share: the adapter posts the answer publicly instead of privately."""
        return self.action.public

    @property
    def value(self) -> str:
        """What the platform carries and sends back: ``verb:id``."""
        return self.action.value

    @property
    def command(self) -> str:
        """The same thing as a member could type it (the console has no buttons)."""
        return self.action.typed


@dataclass(frozen=True)
class Image:
    """A picture of the card, drawn from the same figures. ``path`` is where it is cached."""

    png: bytes
    alt_text: str
    filename: str = "ballot.png"
    path: str | None = None


@dataclass(frozen=True)
class FormField:
    """One box of a form: ``key`` is the word the command takes (``for`` in ``for=N``)."""

    key: str
    label: str
    hint: str = ""
    initial: str = ""
    required: bool = False
    max_length: int | None = None
    """The most characters the box takes (the column's own limit); None: no limit of ours."""


@dataclass(frozen=True)
class Form:
    """A command to fill in, for platforms with forms (a Slack modal, a Discord modal).

    ``verb`` (an organiser verb: ``add``, ``result``, ``correct``) and ``ballot_id`` say what
    a submission does; the adapter hands the boxes back as a
    :class:`bot.requests.FormSubmission` and the core checks each box against its own limit,
    then runs the verb with the same checks as the typed command. ``command`` is that typed
    command, for platforms without forms. Fields come most important first; a platform that
    shows fewer boxes keeps the first ones.
    """

    title: str
    command: str
    fields: tuple[FormField, ...]
    submit: str = "Save"
    verb: str = ""
    ballot_id: str | None = None

    def command_for(self, values: dict[str, str]) -> str:
        """The command text a submission stands for."""
        return form_command(self.command, values)


def form_command(command: str, values: dict[str, str]) -> str:
    """``command`` and each filled-in ``key=value``, quoted as the grammar reads them."""
    given = [
        f"{key}={shlex.quote(value.strip())}" for key, value in values.items() if value.strip()
    ]
    return " ".join([command, *given])


@dataclass(frozen=True)
class Section:
    """A titled block inside a card: one question of a ballot, one ballot of a list."""

    title: str
    fields: tuple[Field, ...] = ()
    bars: tuple[Bar, ...] = ()
    lines: tuple[str, ...] = ()


class ReplyKind(StrEnum):
    """What a reply is, for renderers and scripts (the JSON's ``kind``)."""

    MESSAGE = "message"
    BALLOT = "ballot"
    CAMPAIGN = "campaign"
    LIST = "list"
    CHOICES = "choices"
    HELP = "help"
    ERROR = "error"
    FORM = "form"
    ADMIN = "admin"
    SUBSCRIPTION = "subscription"
    REMINDER = "reminder"
    REMINDERS = "reminders"
    NOTICE = "notice"


@dataclass(frozen=True)
class Reply:
    """What the core answers. ``ok`` is False for a refusal or an error: the CLI exits non-zero.

    ``data`` carries the machine-readable content (a ballot as exported, with derived figures)
    for the JSON renderer and for scripts.
    """

    header: str
    text: str = ""
    fields: tuple[Field, ...] = ()
    sections: tuple[Section, ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str | None = None
    source_url: str | None = None
    tone: Tone = Tone.NEUTRAL
    ok: bool = True
    kind: ReplyKind = ReplyKind.MESSAGE
    data: dict[str, Any] = field(default_factory=dict)
    image: Image | None = None
    form: Form | None = None
    errors: dict[str, str] = field(default_factory=dict)
    """A refused form: the message for each box (by field key) that needs another look.
    Empty for a refusal that belongs to no box: show it as a general error."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the reply (``ballotbot ask --json``); a picture by its alt text."""
        out = asdict(replace(self, image=None))
        out["tone"] = str(self.tone)
        if self.image is not None:
            out["image"] = {
                "alt_text": self.image.alt_text,
                "filename": self.image.filename,
                "path": self.image.path,
                "bytes": len(self.image.png),
            }
        return out

    def plain_text(self) -> str:
        """Every word of the reply as plain lines: notifications, fallbacks, tests."""
        lines = [self.header]
        if self.text:
            lines.append(self.text)
        lines += [f"{f.label}: {f.value}" for f in self.fields]
        for section in self.sections:
            lines.append(section.title)
            lines += [f"  {f.label}: {f.value}" for f in section.fields]
            lines += [f"  {b.label}: {b.text()}" for b in section.bars]
            lines += [f"  {line}" for line in section.lines]
        if self.footer:
            lines.append(self.footer)
        if self.source_url:
            lines.append(f"Source: {self.source_url}")
        return "\n".join(lines)


def error(header: str, text: str = "", *, buttons: tuple[Button, ...] = ()) -> Reply:
    """A refusal: clear words, ``ok=False``, nothing changed."""
    return Reply(
        header=header, text=text, tone=Tone.ERROR, ok=False, kind=ReplyKind.ERROR, buttons=buttons
    )
