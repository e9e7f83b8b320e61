"""Secrets never show in a repr or a str (one log line away from a log file), and the salt of
members' pseudonyms comes from the config, the environment, or the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.compose import open_app
from adapters.discord import DiscordAdapter, DiscordSending
from adapters.slack.app import SlackSecrets
from bot.config import DiscordSettings, Settings, load_settings
from bot.privacy.pseudonyms import Pseudonyms

TOKEN = "xoxb-1111-2222-SECRETTOKEN"
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"
APP_TOKEN = "xapp-1-A0-SECRETAPPTOKEN"
DISCORD = "MTEwMDAw.SECRET.DISCORDTOKEN"
PASSWORD = "s3cret-pa55"


def shown(thing: object) -> str:
    return " ".join([repr(thing), str(thing), f"{thing}", f"{thing!r}", repr([thing])])


def test_slack_secrets_are_redacted() -> None:
    for secrets in (
        SlackSecrets(TOKEN, signing_secret=SIGNING),
        SlackSecrets.from_env("socket", {"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}),
    ):
        text_ = shown(secrets)
        for secret in (TOKEN, SIGNING, APP_TOKEN):
            assert secret not in text_
        assert "SlackSecrets(" in text_
    assert SlackSecrets(TOKEN).bot_token == TOKEN  # still there for the client


async def test_the_discord_token_is_redacted(tmp_path: Path) -> None:
    async with open_app(settings_on(tmp_path)) as app:
        adapter = DiscordAdapter(app.core, DiscordSettings(enabled=True), token=DISCORD)
    sending = DiscordSending(DiscordSettings(enabled=True), token=DISCORD)
    try:
        for holder in (adapter, sending):
            assert DISCORD not in shown(holder) + shown(vars(holder)) + shown(holder.token)
            assert holder.token.get_secret_value() == DISCORD
    finally:
        await sending.client.close()


def test_a_database_password_is_redacted_in_the_settings() -> None:
    settings = Settings()
    settings.database.url = (
        f"postgresql+psycopg://ballotbot:{PASSWORD}@db.example:5432/ballots?sslmode=require"
    )
    other = Settings()
    other.database.url = f"postgresql://db.example/ballots?user=bb&password={PASSWORD}"

    for thing in (settings, settings.database, other, other.database):
        assert PASSWORD not in shown(thing)
    assert "ballotbot:***@db.example:5432/ballots?sslmode=require" in repr(settings)
    assert settings.database.url.endswith("@db.example:5432/ballots?sslmode=require")
    assert PASSWORD in settings.database.url  # the engine still gets it


def test_the_log_salt_is_redacted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[privacy]\nlog_salt = "salt-from-the-file"\n')

    from_file = load_settings(config)
    monkeypatch.setenv("BALLOTBOT_LOG_SALT", "salt-from-the-environment")
    from_env = load_settings(config)

    assert from_file.privacy.log_salt is not None and from_env.privacy.log_salt is not None
    assert from_file.privacy.log_salt.get_secret_value() == "salt-from-the-file"
    assert from_env.privacy.log_salt.get_secret_value() == "salt-from-the-environment"
    for settings in (from_file, from_env):
        assert "salt-from" not in shown(settings)
    assert "salt" not in repr(Pseudonyms("salt-from-the-file")).replace("salt=", "")


def settings_on(tmp_path: Path, salt: str | None = None) -> Settings:
    tmp_path.mkdir(parents=True, exist_ok=True)
    settings = Settings()
    settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    settings.charts.cache_dir = str(tmp_path / "charts")
    settings.privacy.log_salt = salt
    return settings


async def test_a_configured_salt_gives_every_process_the_same_pseudonyms(tmp_path: Path) -> None:
    async with open_app(settings_on(tmp_path / "a", "union-salt")) as one:
        first = one.pseudonyms.of("slack", "U0AMINA")
    async with open_app(settings_on(tmp_path / "b", "union-salt")) as two:
        assert two.pseudonyms.of("slack", "U0AMINA") == first
    async with open_app(settings_on(tmp_path / "c", "another-salt")) as three:
        assert three.pseudonyms.of("slack", "U0AMINA") != first


async def test_without_a_configured_salt_one_is_made_and_kept_in_the_database(
    database_url: str, tmp_path: Path
) -> None:
    settings = settings_on(tmp_path)
    settings.database.url = database_url

    async with open_app(settings) as app:
        first = app.pseudonyms.of("slack", "U0AMINA")
        async with app.engine.connect() as connection:
            stored = await connection.scalar(text("SELECT count(*) FROM privacy_keys"))
    async with open_app(settings) as again:  # a restart, or another process
        assert again.pseudonyms.of("slack", "U0AMINA") == first
    assert stored == 1
