"""Core forms as Slack modals, and a modal's submission back as the command it stands for.

The modal carries the command to complete and the channel it was asked from in
``private_metadata`` (Slack returns it signed with the submission); the boxes' values are
appended as ``key=value``, so what runs is exactly what an organiser could have typed, with
the same organiser check and the same validation in the core.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.slack.blocks import cut
from bot.replies import Form, Reply, form_command

FORM_CALLBACK = "ballot:form"
BLOCK_PREFIX = "f:"
MAX_TITLE = 24  # Slack's limit for a modal's title and its buttons
MAX_LABEL = 2000
MAX_PLACEHOLDER = 150


def modal(form: Form, channel_id: str) -> dict[str, Any]:
    """The ``views.open`` view for a form: one plain-text input per field."""
    blocks = []
    for field in form.fields:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value"}
        if field.hint:
            element["placeholder"] = {
                "type": "plain_text",
                "text": cut(field.hint, MAX_PLACEHOLDER),
            }
        if field.initial:
            element["initial_value"] = field.initial
        blocks.append(
            {
                "type": "input",
                "block_id": BLOCK_PREFIX + field.key,
                "optional": not field.required,
                "label": {"type": "plain_text", "text": cut(field.label, MAX_LABEL)},
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": {"type": "plain_text", "text": cut(form.title, MAX_TITLE)},
        "submit": {"type": "plain_text", "text": cut(form.submit, MAX_TITLE)},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"command": form.command, "channel": channel_id}),
        "blocks": blocks,
    }


def submitted(view: dict[str, Any]) -> tuple[str, str, list[str]]:
    """A submitted modal -> (command text, channel id, the field keys in order)."""
    meta = json.loads(view.get("private_metadata") or "{}")
    values: dict[str, str] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        if block_id.startswith(BLOCK_PREFIX):
            values[block_id.removeprefix(BLOCK_PREFIX)] = (
                actions.get("value", {}).get("value") or ""
            )
    return (
        form_command(str(meta.get("command", "")), values),
        str(meta.get("channel", "")),
        list(values),
    )


def errors_for(reply: Reply, keys: list[str]) -> dict[str, str]:
    """Slack shows a refusal under a box: the box the message names, else the first one."""
    message = cut(f"{reply.header}. {reply.text}".strip(), 500)
    first_word = reply.header.split(" ", 1)[0].strip("“”\"'")
    aliases = {"votes_for": "for", "votes_against": "against", "turnout_pct": "turnout"}
    key = aliases.get(first_word, first_word)
    target = key if key in keys else (keys[0] if keys else "")
    return {BLOCK_PREFIX + target: message}
