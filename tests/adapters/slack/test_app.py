"""Starting Slack: secrets from the environment only, clear words when one is missing."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from adapters.slack.app import MissingSecret, RefusedSecret, SlackAdapter, SlackSecrets, start_slack
from bot.config import ConfigError, Settings
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.support.recording import RecordingCore
from tests.support.slack_requests import block_text, http_settings, post, signed_headers
from tests.support.slack_requests import slash_command as command_body


@pytest.mark.parametrize(
    ("mode", "env", "missing"),
    [
        ("http", {"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ("http", {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ("socket", {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, "SLACK_APP_TOKEN"),
        ("socket", {"SLACK_BOT_TOKEN": "  ", "SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
    ],
)
def test_a_missing_secret_is_named(mode: str, env: dict[str, str], missing: str) -> None:
    with pytest.raises(MissingSecret, match=missing) as raised:
        SlackSecrets.from_env(mode, env)
    assert isinstance(raised.value, ConfigError)  # the CLI prints it as a config problem


def test_each_mode_takes_only_what_it_needs() -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"}
    assert SlackSecrets.from_env("http", env) == SlackSecrets("xoxb-1", signing_secret="s")
    assert SlackSecrets.from_env("socket", env) == SlackSecrets("xoxb-1", app_token="xapp-1")


async def test_ballotbot_run_starts_slack_from_the_settings(
    slack: FakeSlack, core: RecordingCore
) -> None:
    settings = Settings.model_validate(
        {"slack": {"enabled": True, "mode": "http", "port": 0, "api_url": slack.api_url}}
    )
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    adapter = await start_slack(SimpleNamespace(core=core), settings, env)  # type: ignore[arg-type]
    try:
        assert adapter.url is not None and adapter.url.startswith("http://127.0.0.1:")
        body = command_body(slack, "southampton")
        status, answer = await post(adapter.url, body, signed_headers(body))
        assert status == 200
        assert "1,552" in block_text(answer["blocks"])
    finally:
        await adapter.stop()


async def test_a_bot_token_slack_refuses_stops_the_start_with_its_name(
    slack: FakeSlack, core: RecordingCore
) -> None:
    adapter = SlackAdapter(
        core, http_settings(slack), SlackSecrets("xoxb-revoked", signing_secret=SIGNING_SECRET)
    )
    with pytest.raises(RefusedSecret, match="SLACK_BOT_TOKEN: invalid_auth"):
        await adapter.start()
    assert adapter.url is None  # never listened


async def test_ballotbot_run_builds_slack_from_the_app_and_stops_it_cleanly(
    slack: FakeSlack, core: RecordingCore
) -> None:
    from adapters.slack import build_slack_adapter

    settings = Settings.model_validate(
        {"slack": {"enabled": True, "mode": "socket", "api_url": slack.api_url}}
    )
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}

    async def first_time(key: str) -> bool:
        return True

    async def ready() -> bool:
        return True

    stand_in = SimpleNamespace(core=core, settings=settings, first_time=first_time, ready=ready)
    adapter = build_slack_adapter(stand_in, env)  # type: ignore[arg-type]
    await adapter.start()
    await adapter.stop()

    assert adapter.name == "Slack"
    assert [c.token for c in slack.calls_to("apps.connections.open")] == [APP_TOKEN]
