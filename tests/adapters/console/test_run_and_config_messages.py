"""What `ballotbot run` and a mistaken config say: the setting, the value, and what to do;
never a library's traceback or a warning that does not apply."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import pytest

from tests.adapters.console.support import ROOT, ballotbot, environment
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack

SLACK_ENV = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def run_until(tmp_path: Path, env: dict[str, str], line: str | None) -> tuple[int, str]:
    """`ballotbot run --config c.toml` as a subprocess, beside the fakes on this loop: wait for
    ``line`` on stderr and stop it with SIGTERM, or (``line`` None) for it to end."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "run",
        "--config",
        "c.toml",
        "--database",
        f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
        cwd=tmp_path,
        env=environment(tmp_path, PYTHONPATH=str(ROOT), **env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    said: list[str] = []
    async with asyncio.timeout(90):
        while raw := await process.stderr.readline():
            said.append(raw.decode())
            if line is not None and line in said[-1]:
                process.send_signal(signal.SIGTERM)
        return await process.wait(), "".join(said)


async def test_a_slack_port_in_use_is_named_with_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeSlack() as slack:
            (tmp_path / "c.toml").write_text(
                f'[slack]\nenabled = true\nmode = "http"\nport = {port}\n'
                f'api_url = "{slack.api_url}"\norganisers = ["U0MEMBER1"]\n'
            )
            status, said = await run_until(tmp_path, SLACK_ENV, None)
    assert status == 2, said
    assert "Traceback" not in said and "unexpected error" not in said
    assert f"[slack] port: 127.0.0.1:{port} is already in use by another program" in said
    assert "set [slack] port to a free port" in said


async def test_a_health_port_in_use_is_named_with_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeSlack() as slack:
            (tmp_path / "c.toml").write_text(
                f'[slack]\nenabled = true\nmode = "http"\nport = 0\napi_url = "{slack.api_url}"\n'
                f'organisers = ["U0MEMBER1"]\n[process]\nhealth_port = {port}\n'
            )
            status, said = await run_until(tmp_path, SLACK_ENV, None)
    assert status == 2, said
    assert f"[process] health_port: 127.0.0.1:{port} is already in use" in said
    assert "Traceback" not in said


def test_slack_unreachable_at_start_names_the_address_and_the_setting(tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{_closed_port()}/api/"
    (tmp_path / "c.toml").write_text(f'[slack]\nenabled = true\napi_url = "{api}"\n')
    done = ballotbot(
        tmp_path, "run", "--config", "c.toml", env={**SLACK_ENV, "SLACK_APP_TOKEN": "xapp-1"}
    )
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert f"cannot reach Slack's API at {api}" in line
    assert "[slack] api_url" in line and "nothing was started" in line
    assert "unexpected error" not in done.stderr and "ClientConnectorError:" not in line


async def test_discord_starts_without_warnings_about_intents(tmp_path: Path) -> None:
    async with FakeDiscord(heartbeat_interval_ms=500) as fake:
        (tmp_path / "c.toml").write_text(
            f'[discord]\nenabled = true\napi_url = "{fake.api_url}"\n'
            f'gateway_url = "{fake.gateway_url}"\norganiser_roles = ["organiser"]\n'
        )
        status, said = await run_until(
            tmp_path, {"DISCORD_TOKEN": "fake-token"}, "stop with Ctrl-C"
        )
    assert status == 0, said
    assert "Discord" in said
    assert "intent" not in said.lower()  # discord.py's "Guilds intent seems to be disabled"
    assert "WARNING" not in said


# -- the config file --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        (
            '[slack]\nenabled = "yes"\n',
            'slack.enabled is "yes", text, but it takes true or false (no quotes): '
            "write enabled = true",
        ),
        (
            '[slack]\nport = "3000"\n',
            'slack.port is "3000", text, but it takes a whole number (no quotes): '
            "write port = 3000",
        ),
        (
            "[reminders]\nretention_days = 2.5\n",
            "reminders.retention_days is 2.5, a number, but it takes a whole number",
        ),
        (
            '[discord]\nguild_ids = ["900000000000000001"]\n',
            'discord.guild_ids[0] is "900000000000000001", text, but it takes a whole number '
            "(no quotes): write 900000000000000001 in the list",
        ),
        (
            '[process]\nroles = "slack"\n',
            'process.roles is "slack", text, but it takes a list in square brackets: '
            'write roles = ["slack"]',
        ),
        ("demo_data = 1\n", "demo_data is 1, a whole number, but it takes true or false"),
        ("[reminders]\ntime_zone = 3\n", 'takes text in quotes: write time_zone = "3"'),
    ],
)
def test_a_value_of_the_wrong_type_names_the_key_the_value_and_the_type(
    tmp_path: Path, toml: str, says: str
) -> None:
    (tmp_path / "c.toml").write_text(toml)
    done = ballotbot(tmp_path, "--config", "c.toml", "ask", "kirklees")
    assert done.returncode == 2
    assert says in done.stderr
    assert "\n" not in done.stderr.strip() and done.stdout == ""


def test_a_folder_given_as_the_config_says_to_name_the_file(tmp_path: Path) -> None:
    done = ballotbot(tmp_path, "--config", str(tmp_path), "ask", "kirklees")
    assert done.returncode == 2
    assert f"config file {tmp_path} cannot be read: Is a directory" in done.stderr
    assert f"Give the path of the settings file itself, such as {tmp_path / 'config.toml'}" in (
        done.stderr
    )


@pytest.mark.parametrize(
    ("config", "env", "said"),
    [
        (
            '[discord]\nenabled = true\norganiser_roles = ["1"]\n',
            {},
            "[discord] is enabled but DISCORD_TOKEN is not set",
        ),
        (
            '[slack]\nenabled = true\norganisers = ["U0MEMBER1"]\n',
            {"SLACK_BOT_TOKEN": BOT_TOKEN},
            "SLACK_APP_TOKEN is not set: Slack is enabled in socket mode",
        ),
        (
            '[slack]\nenabled = true\nmode = "http"\norganisers = ["U0MEMBER1"]\n',
            {"SLACK_BOT_TOKEN": BOT_TOKEN},
            "SLACK_SIGNING_SECRET is not set: Slack is enabled in http mode",
        ),
    ],
    ids=["discord token", "slack app token", "slack signing secret"],
)
def test_a_missing_token_is_the_one_thing_run_says(
    tmp_path: Path, config: str, env: dict[str, str], said: str
) -> None:
    """Nothing is started (and stopped again) before the token is found missing."""
    (tmp_path / "c.toml").write_text(config)
    done = ballotbot(tmp_path, "run", "--config", "c.toml", env=env)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert said in line and "README" in line
