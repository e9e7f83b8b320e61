"""The app manifest asks Slack for exactly what the adapter uses."""

from __future__ import annotations

from pathlib import Path

MANIFEST = Path(__file__).parents[3] / "slack-manifest.yaml"


def _list_after(text: str, key: str) -> list[str]:
    """The ``- item`` lines right under ``key:`` (the manifest is plain block YAML)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"{key}:")
    items = []
    for line in lines[start + 1 :]:
        if not line.strip().startswith("- "):
            break
        items.append(line.strip()[2:].strip())
    return items


def test_the_manifest_declares_the_ballot_command_the_adapter_answers() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    assert "- command: /ballot" in text


def test_the_manifest_asks_for_the_four_scopes_and_no_more() -> None:
    scopes = _list_after(MANIFEST.read_text(encoding="utf-8"), "bot")
    assert sorted(scopes) == ["chat:write", "chat:write.public", "commands", "im:write"]


def test_interactivity_and_socket_mode_are_on_for_the_quick_start() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    interactivity = text[text.index("interactivity:") :]
    assert "is_enabled: true" in interactivity.splitlines()[1]
    assert "socket_mode_enabled: true" in text
