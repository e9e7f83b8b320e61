"""Core forms as Slack modals, and a modal's submission back as the boxes it holds.

The modal carries what the form does (the organiser verb and the ballot id) and the channel
it was asked from in ``private_metadata`` (Slack returns it with the submission, as set);
the boxes go back to the core one by one as a :class:`bot.requests.FormSubmission`, so each
is checked against its own limit and nothing typed in a box can change which command runs.
Each box takes at most its column's characters (``max_length``, within Slack's 3,000).
"""

from __future__ import annotations

import json
from typing import Any

from adapters.slack.blocks import cut, escape, literal, plain
from bot.replies import Form, Reply
from bot.requests import FormSubmission

FORM_CALLBACK = "ballot:form"
BLOCK_PREFIX = "f:"
ERROR_BLOCK = "ballot:error"
MAX_TITLE = 24  # Slack's limit for a modal's title and its buttons
MAX_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_INPUT = 3000  # plain_text_input's max_length can be at most this
MAX_ERROR = 500


def modal(form: Form, channel_id: str) -> dict[str, Any]:
    """The ``views.open`` view for a form: one plain-text input per field."""
    blocks = []
    for field in form.fields:
        limit = min(field.max_length or MAX_INPUT, MAX_INPUT)
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": "value",
            "max_length": limit,
        }
        if field.hint:
            element["placeholder"] = plain(field.hint, MAX_PLACEHOLDER)
        if field.initial:
            element["initial_value"] = field.initial[:limit]
        blocks.append(
            {
                "type": "input",
                "block_id": BLOCK_PREFIX + field.key,
                "optional": not field.required,
                "label": plain(field.label, MAX_LABEL),
                "element": element,
            }
        )
    meta = {"verb": form.verb, "ballot": form.ballot_id, "channel": channel_id}
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain(form.title, MAX_TITLE),
        "submit": plain(form.submit, MAX_TITLE),
        "close": plain("Cancel", MAX_TITLE),
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }


def submitted(view: dict[str, Any]) -> tuple[FormSubmission | None, str, list[str]]:
    """A submitted modal -> (the boxes as a submission, channel id, the box keys in order).

    The submission is None for a modal opened by a version that sent command text instead
    (its ``private_metadata`` has no ``verb``): it is refused, never run.
    """
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        meta = {}
    if not isinstance(meta, dict):
        meta = {}
    values: dict[str, str] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        if block_id.startswith(BLOCK_PREFIX):
            values[block_id.removeprefix(BLOCK_PREFIX)] = (
                actions.get("value", {}).get("value") or ""
            )
    channel = str(meta.get("channel") or "")
    verb = meta.get("verb")
    if not isinstance(verb, str) or not verb:
        return None, channel, list(values)
    ballot = meta.get("ballot")
    submission = FormSubmission(
        verb, ballot if isinstance(ballot, str) else None, tuple(values.items())
    )
    return submission, channel, list(values)


def errors_for(reply: Reply, keys: list[str]) -> dict[str, str]:
    """A refusal under the boxes it names (``response_action: errors``); empty when it
    belongs to no box shown, to be shown as a general error instead."""
    if not reply.errors or not set(reply.errors) <= set(keys):
        return {}
    return {BLOCK_PREFIX + key: cut(escape(text), MAX_ERROR) for key, text in reply.errors.items()}


def with_general_error(view: dict[str, Any], reply: Reply) -> dict[str, Any]:
    """The submitted modal again (``response_action: update``, boxes as they were: same
    block and action ids) with the refusal above the boxes."""
    message = f":warning: *{literal(reply.header)}*"
    if reply.text:
        message += f"\n{literal(reply.text)}"
    for field in reply.fields:
        message += f"\n• {literal(field.label)}: {literal(field.value)}"
    notice = {
        "type": "section",
        "block_id": ERROR_BLOCK,
        "text": {"type": "mrkdwn", "text": cut(message, MAX_INPUT), "verbatim": True},
    }
    kept = [b for b in view.get("blocks", []) if b.get("block_id") != ERROR_BLOCK]
    out = {
        key: view[key] for key in ("type", "callback_id", "title", "submit", "close") if key in view
    }
    out["private_metadata"] = view.get("private_metadata", "")
    out["blocks"] = [notice, *kept]
    return out
