"""Forms box by box: each box's limit, the checks a submission gets before it runs, and which
box a refusal is about.

A submitted form reaches the core as a :class:`~bot.requests.FormSubmission` (one value per
box), never as one command line: a form whose boxes are each within their column's limit
is never refused because together they are long. Blank required boxes and boxes over their
limit are refused on those boxes, all at once; what passes runs as the organiser command
the form stands for, with the same checks as when it is typed.
"""

from __future__ import annotations

from dataclasses import replace

from bot import columns
from bot.commands import FIGURE_ARGUMENTS, argument_of
from bot.replies import Field, Form, FormField, Reply, error
from bot.requests import FormSubmission

FIGURE_BOX = 20
"""Characters a figure's box takes (``1,234,567`` and room to spare): counts have no
character limit of their own, their range is checked when they are read."""

FIGURES = frozenset({*FIGURE_ARGUMENTS.values(), "q"})
"""Columns of figures: their boxes take :data:`FIGURE_BOX` characters."""


def box(
    key: str, label: str, hint: str = "", initial: str = "", *, required: bool = False
) -> FormField:
    """A form box whose limit is its column's (``columns.max_length``)."""
    column = FIGURE_ARGUMENTS.get(key, key)
    limit = columns.max_length(column)
    if limit is None and column in FIGURES:
        limit = FIGURE_BOX
    return FormField(key, label, hint, initial, required=required, max_length=limit)


def problems(form: Form, submission: FormSubmission) -> dict[str, str]:
    """What is wrong with each box, by key: a required box left blank (or only spaces), a
    box over its limit. Boxes the platform did not show count as blank."""
    found: dict[str, str] = {}
    for field in form.fields:
        value = (submission.get(field.key) or "").strip()
        if field.required and not value:
            found[field.key] = f"{field.label} is required: fill it in."
        elif field.max_length is not None and len(value) > field.max_length:
            found[field.key] = (
                f"{field.label} takes at most {field.max_length:,} characters "
                f"(this has {len(value):,})."
            )
    return found


def refusal(form: Form, found: dict[str, str]) -> Reply:
    """The boxes to look at again, each named with its reason; nothing was changed."""
    labels = {f.key: f.label for f in form.fields}
    reply = error(
        "Some boxes need another look",
        "Nothing was changed. " + "; ".join(labels[key] for key in found) + ".",
    )
    fields = tuple(Field(labels[key], message, inline=False) for key, message in found.items())
    return replace(reply, fields=fields, errors=dict(found))


def options(form: Form, submission: FormSubmission) -> list[str]:
    """The organiser command's options, one ``key=value`` word per box filled in, in the
    form's order: each box is one word, whatever it holds (the grammar reads them with
    :func:`bot.commands.admin`, never as one line of text)."""
    words = []
    for field in form.fields:
        value = (submission.get(field.key) or "").strip()
        if value:
            words.append(f"{field.key}={value}")
    return words


def attribute(reply: Reply, form: Form) -> Reply:
    """A refusal of the command names the column it is about first (``votes_for is
    negative``): put it under that box. A refusal about no box stays general."""
    if reply.ok or reply.errors:
        return reply
    first = reply.header.split(" ", 1)[0].strip("“”\"'`")
    keys = {f.key for f in form.fields}
    key = argument_of(first)
    if key not in keys:
        return reply
    message = f"{reply.header}. {reply.text}".strip()
    return replace(reply, errors={key: message})


def unknown_form(submission: FormSubmission) -> Reply:
    return error(
        "That form is not one of mine",
        f"It asks for “{submission.verb}”, which no form does; nothing was changed.",
    )
