"""A national union's deployment on loopback: `ballotbot run` processes with their configs,
nginx in front of their Slack endpoints, the environment the processes run in."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fakes.discord_api import GUILD_ID
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("nginx is required on CI (.ci/run installs nginx-light)", pytrace=False)
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    return found


NGINX_CONF = """
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{user}
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream ballotbot {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location /slack/events {{
            proxy_pass http://ballotbot;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 1s;
            proxy_read_timeout 10s;
        }}
        location /readyz {{ proxy_pass http://ballotbot; }}
    }}
}}
"""


@dataclass
class Nginx:
    port: int
    process: subprocess.Popen[bytes]
    prefix: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"


def start_nginx(prefix: Path, upstream_ports: list[int]) -> Nginx:
    binary = nginx_binary()
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in upstream_ports
    )
    user = "user root;" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, servers=servers, port=port, user=user))
    with (prefix / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(
            [binary, "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return Nginx(port, process, prefix)
        if process.poll() is not None:
            raise RuntimeError(
                (prefix / "stderr.log").read_text() + (prefix / "error.log").read_text()
            )
        time.sleep(0.05)
    raise RuntimeError("nginx did not start")


@dataclass
class BotProcess:
    """One `ballotbot run` process of the deployment."""

    name: str
    slack_port: int
    config: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, env: dict[str, str]) -> None:
        with self.log.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "adapters.cli", "--config", str(self.config), "run"],
                cwd=self.config.parent,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive:
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Deployment:
    database_url: str
    processes: list[BotProcess]
    env: dict[str, str]
    nginx: Nginx | None = None
    extra: dict[str, object] = field(default_factory=dict)


CONFIG = """
[database]
url = "{url}"

[search]
refresh_seconds = 0.2

[charts]
cache_dir = "{charts}"

[announcements]
per_channel_seconds = 1.0
per_platform_per_second = {rate}
lease_seconds = 3.0
poll_seconds = 0.2
pictures = false

[reminders]
send_at = "{send_at}"
days_before_close = [7]
on_open = false
posting_days = 0
quiet_start = "00:00"
quiet_end = "00:00"
sync_seconds = 1.0

[process]
leader_retry_seconds = 0.5
roles = {roles}

[slack]
enabled = true
mode = "http"
host = "127.0.0.1"
port = {slack_port}
api_url = "{slack_api}"
organisers = ["U0MEMBER1"]

[discord]
enabled = true
api_url = "{discord_api}"
gateway_url = "{discord_gateway}"
guild_ids = [{guild}]
organiser_roles = ["920000000000000001"]
"""


def write_configs(
    folder: Path,
    database_url: str,
    slack_api: str,
    discord_api: str,
    discord_gateway: str,
    send_at: str,
    count: int = 3,
    rate: float = 200.0,
    roles: tuple[str, ...] = ("slack", "discord", "dispatcher", "scheduler", "feeds"),
) -> list[BotProcess]:
    processes = []
    for n in range(1, count + 1):
        home = folder / f"p{n}"
        home.mkdir(parents=True, exist_ok=True)
        port = free_port()
        url = database_url.replace("application_name=", f"application_name=p{n}-")
        config = home / "ballotbot.toml"
        config.write_text(
            CONFIG.format(
                url=url,
                charts=home / "charts",
                send_at=send_at,
                slack_port=port,
                slack_api=slack_api,
                discord_api=discord_api,
                discord_gateway=discord_gateway,
                guild=GUILD_ID,
                rate=rate,
                roles=json.dumps(list(roles)),
            )
        )
        processes.append(BotProcess(f"p{n}", port, config, home / "run.log"))
    return processes


def process_env() -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(Path.home()),
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DISCORD_TOKEN": "test-token",
    }
