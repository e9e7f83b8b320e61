"""Settings: one TOML file, overridden by the environment, overridden by the command line.

Secrets (tokens, signing secrets) are never read from the file: only from the environment, so
they cannot end up in the repository or a pasted config.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///ballotbot.db"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(_Section):
    url: str = DEFAULT_DATABASE_URL

    def __repr_args__(self) -> Any:
        # A password in the URL never reaches a repr, a str or a log line.
        for name, value in super().__repr_args__():
            yield name, redact_url(value) if name == "url" else value


def redact_url(url: str) -> str:
    """``url`` with its password (in the userinfo or a password-like query parameter) as
    ``***`` (:func:`bot.privacy.urls.hide_password`)."""
    from bot.privacy.urls import hide_password

    return hide_password(url)


class SearchSettings(_Section):
    score_cutoff: float = Field(default=80.0, ge=0, le=100)
    """When nothing matches: names scoring this (0-100, rapidfuzz ratio) are near misses, and
    only they (within ``ambiguity_margin``) are offered as the closest names."""
    ambiguity_margin: float = Field(default=4.0, ge=0, le=100)
    """How far under ``score_cutoff`` a closest name may score and still be offered."""
    refresh_seconds: float = Field(default=1.0, ge=0, le=3600)
    """How often the search index checks for ballots changed by another process."""


class ChartSettings(_Section):
    cache_dir: str = "ballotbot-charts"
    """Where result pictures are cached (relative to the working folder), one per version."""
    max_files: int = Field(default=500, ge=1)


class AnnouncementSettings(_Section):
    per_channel_seconds: float = Field(default=1.0, ge=0)
    """Least time between two messages to one channel (Slack allows about one a second)."""
    per_platform_per_second: float = Field(default=48.0, gt=0)
    """Most messages a second to one platform from this process: a little under Discord's 50
    requests a second, so jitter on the way does not cross the limit."""
    max_attempts: int = Field(default=8, ge=1)
    lease_seconds: float = Field(default=60.0, gt=0)
    """How long a claimed message is this dispatcher's before another may take it."""
    poll_seconds: float = Field(default=1.0, gt=0)
    pictures: bool = True
    """Announcements carry the result picture. On Slack each picture is a file upload (three
    more API calls, under Slack's stricter file limits): a union announcing to thousands of
    Slack channels may prefer the card alone."""
    organiser_channels: list[str] = []
    """Where organisers hear of a channel that can no longer be reached: "slack:C0123",
    "discord:1234567890", "console:console". Empty: the delivery log and the bot's log only."""

    @field_validator("organiser_channels")
    @classmethod
    def _platform_and_channel(cls, channels: list[str]) -> list[str]:
        for channel in channels:
            platform, colon, channel_id = channel.partition(":")
            if not colon or platform not in ("slack", "discord", "console") or not channel_id:
                raise ValueError(
                    f"{channel!r} is not platform:channel_id (slack, discord, console)"
                )
        return channels


class ReminderSettings(_Section):
    """Turnout reminders: the default plan, the union's clock, and what is kept how long."""

    time_zone: str = "Europe/London"
    send_at: str = "09:00"
    """Local time of day a reminder is due (before quiet hours are applied)."""
    on_open: bool = True
    days_before_close: list[int] = [7, 3, 1]
    posting_days: int = Field(default=2, ge=0)
    """Postal ballots: the last safe posting day is this many working days before the close."""
    quiet_start: str = "21:00"
    quiet_end: str = "08:00"
    """Quiet hours, local: nothing is sent inside them; what falls due waits for the end."""
    grace_seconds: float = Field(default=6 * 3600.0, ge=0)
    """A reminder missed while the bot was down goes out this late at most; else skipped."""
    retention_days: int = Field(default=30, ge=0)
    """Opt-ins and "posted my paper" times are deleted this long after the ballot closes."""
    contact: str = ""
    """How to get a replacement paper, when a ballot's plan does not say."""
    sync_seconds: float = Field(default=60.0, gt=0)
    """How often the scheduler looks for new or changed ballots to plan."""

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, name: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{name!r} is not a time zone name such as Europe/London") from None
        return name

    @field_validator("send_at", "quiet_start", "quiet_end")
    @classmethod
    def _clock(cls, text: str) -> str:
        from datetime import time

        try:
            time.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a time of day such as 09:00") from None
        return text

    @field_validator("days_before_close")
    @classmethod
    def _days(cls, days: list[int]) -> list[int]:
        if any(d < 0 for d in days):
            raise ValueError("days before the close cannot be negative")
        return sorted(set(days), reverse=True)

    @model_validator(mode="after")
    def _sent_outside_quiet_hours(self) -> ReminderSettings:
        from datetime import time

        send, start, end = (
            time.fromisoformat(t) for t in (self.send_at, self.quiet_start, self.quiet_end)
        )
        inside = start <= send < end if start <= end else send >= start or send < end
        if inside:
            raise ValueError(
                f"send_at {self.send_at} is inside the quiet hours ({self.quiet_start}-"
                f"{self.quiet_end}), when nothing is sent: choose a send_at outside them, or "
                "change quiet_start / quiet_end"
            )
        return self


class PrivacySettings(_Section):
    """How members appear in the logs. See the README, section Privacy."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    log_salt: SecretStr | None = None
    """The salt of members' pseudonyms in logs (``BALLOTBOT_LOG_SALT`` overrides it; better
    kept in the environment, like every secret). Unset: a random salt is made at first start
    and kept in the database, shared by every process. Changing it gives every member a new
    pseudonym: older log lines no longer match."""


Role = Literal["slack", "discord", "dispatcher", "scheduler", "feeds"]


class ProcessSettings(_Section):
    """What this process does. One config can run N identical processes on PostgreSQL."""

    roles: list[Role] = ["slack", "discord", "dispatcher", "scheduler", "feeds"]
    """slack: answer Slack (any number of processes, behind a load balancer); discord: hold the
    Discord gateway connection (one process at a time); dispatcher: send announcements and
    reminders (any number); scheduler: plan reminders (one at a time); feeds: poll results
    feeds (one at a time). Roles for a platform that is not enabled are ignored."""
    leader_retry_seconds: float = Field(default=5.0, gt=0)
    """How often a waiting process tries to take over one-at-a-time work."""
    stall_seconds: float = Field(default=0.25, gt=0)
    """An event loop stall longer than this is logged, with what was running: one process
    answers every member on one loop, and Slack gives up after three seconds."""
    health_host: str = "127.0.0.1"
    health_port: int = Field(default=0, ge=0, le=65535)
    """GET /healthz and /readyz for a load balancer or supervisor; 0: no health server (the
    Slack HTTP endpoint serves both on its own port anyway)."""


class ConsoleSettings(_Section):
    organisers: list[str] = ["local"]
    """Console user names allowed to run organiser commands (the local user by default)."""


class SlackSettings(_Section):
    enabled: bool = False
    mode: Literal["socket", "http"] = "socket"
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=0, le=65535)
    api_url: str = "https://slack.com/api/"
    organisers: list[str] = []


class DiscordSettings(_Section):
    enabled: bool = False
    api_url: str = "https://discord.com/api/v10"
    gateway_url: str = ""
    guild_ids: list[int] = []
    organiser_roles: list[str] = []


class FeedSettings(_Section):
    """One ``[[feeds]]`` entry: a CSV or JSON file in the import columns, polled."""

    url: str
    format: Literal["csv", "json"] = "csv"
    interval_seconds: float = Field(default=300.0, ge=1)
    """How often to look; a failing feed is tried less often (doubling, at most an hour)."""

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{url!r} is not an http:// or https:// address")
        return url


class VerdictSettings(_Section):
    """How verdicts read figures that leave room for doubt."""

    plausible_spoilt_pct: float = Field(default=5.0, ge=0, le=100)
    """With only a turnout and a yes share reported, the 40% support test is taken as met
    (and marked inferred) when failing it would need more than this share of the papers
    returned to have been spoilt. Spoilt papers in UK postal ballots are usually well under
    1%; at or below the bound the test stays "not known", with the margin shown."""


class RuleSettings(_Section):
    """One ``[[rules]]`` entry: a rule set added to, or replacing, the built-in table."""

    name: str
    jurisdiction: Literal["GB", "NI"]
    starts: str
    """First opening date (YYYY-MM-DD) the rules apply to."""
    ends: str | None = None
    turnout_min_pct: float | None = Field(default=None, ge=0, le=100)
    support_min_pct_of_eligible: float | None = Field(default=None, ge=0, le=100)
    mandate_months: int | None = Field(default=None, ge=0)
    notice_days: int | None = Field(default=None, ge=0)
    source: str = ""


class UnionSettings(_Section):
    """One ``[[unions]]`` entry: a union search should know, or more names for a known one
    (an entry whose name or short name is already known adds its names to that union)."""

    name: str = Field(min_length=1)
    """The full name: "Independent Workers' Union of Great Britain"."""
    short: str | None = None
    """What members call it, shown in replies: "IWGB"."""
    also: list[str] = []
    """Other names: former names, merged unions, local spellings."""


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    search: SearchSettings = SearchSettings()
    console: ConsoleSettings = ConsoleSettings()
    charts: ChartSettings = ChartSettings()
    announcements: AnnouncementSettings = AnnouncementSettings()
    reminders: ReminderSettings = ReminderSettings()
    privacy: PrivacySettings = PrivacySettings()
    process: ProcessSettings = ProcessSettings()
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()
    verdicts: VerdictSettings = VerdictSettings()
    rules: list[RuleSettings] = []
    feeds: list[FeedSettings] = []
    unions: list[UnionSettings] = []
    """More unions for search and subscriptions than the built-in table (bot.search.unions)."""
    demo_data: bool = True
    """Load the seed ballots when the database is empty."""

    @model_validator(mode="after")
    def _one_port_each(self) -> Settings:
        slack, process = self.slack, self.process
        if (
            slack.enabled
            and slack.mode == "http"
            and slack.port != 0
            and process.health_port == slack.port
            and process.health_host == slack.host
        ):
            raise ValueError(
                f"[process] health_port {process.health_port} is [slack] port too: the Slack "
                "port serves /healthz and /readyz itself; set health_port = 0 or another port"
            )
        return self

    def warnings(self) -> list[str]:
        """Settings that can all be loaded but do not do what they seem to: said at start."""
        said = []
        roles = set(self.process.roles)
        if not roles:
            said.append("[process] roles is empty: this process will do nothing")
        if self.feeds and "feeds" not in roles:
            said.append(
                '[[feeds]] are set but [process] roles has no "feeds": this process does not '
                "poll them"
            )
        enabled = {"slack": self.slack.enabled, "discord": self.discord.enabled, "console": True}
        for channel in self.announcements.organiser_channels:
            platform = channel.split(":", 1)[0]
            if not enabled.get(platform, True):
                said.append(
                    f"[announcements] organiser_channels names {channel}, but [{platform}] is "
                    "not enabled: organisers will not hear there"
                )
        if self.slack.enabled and not self.slack.organisers:
            said.append(
                "[slack] organisers is empty: nobody on Slack can run /ballot admin commands"
            )
        if self.discord.enabled and not self.discord.organiser_roles:
            said.append(
                "[discord] organiser_roles is empty: nobody on Discord can run /ballot admin "
                "commands"
            )
        if self.reminders.quiet_start == self.reminders.quiet_end:
            said.append(
                "[reminders] quiet_start equals quiet_end: there are no quiet hours, reminders "
                "may go out at night"
            )
        return said


class ConfigError(Exception):
    """The config file cannot be used; the message says where and why."""


_EXPECTED = {
    "bool_type": "bool",
    "bool_parsing": "bool",
    "int_type": "int",
    "int_parsing": "int",
    "int_from_float": "int",
    "float_type": "float",
    "float_parsing": "float",
    "string_type": "str",
    "list_type": "list",
    "model_type": "section",
    "dict_type": "section",
    "model_attributes_type": "section",
}
"""pydantic's type errors, by the type the setting takes."""

_TAKES = {
    "bool": "true or false (no quotes)",
    "int": "a whole number (no quotes)",
    "float": "a number (no quotes)",
    "str": "text in quotes",
    "list": "a list in square brackets",
    "section": "a [section] of settings",
}
_YES, _NO = {"yes", "y", "on", "true", "1"}, {"no", "n", "off", "false", "0"}


def _toml(value: Any) -> str:
    """A value as it is written in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def _kind(value: Any) -> str:
    kinds: dict[type, str] = {
        bool: "true/false",
        str: "text",
        int: "a whole number",
        float: "a number",
        list: "a list",
        dict: "a section",
    }
    return kinds.get(type(value), "a value")


def _fixed(value: Any, takes: str) -> str | None:
    """``value`` written as the type the setting takes, when that is clear; else None."""
    text = str(value).strip()
    if takes == "bool" and isinstance(value, str | int):
        return "true" if text.lower() in _YES else "false" if text.lower() in _NO else None
    if takes == "int":
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, str) and text.lstrip("-").isdigit():
            return str(int(text))
    if takes == "float" and isinstance(value, str):
        try:
            return repr(float(text))
        except ValueError:
            return None
    if takes == "str" and isinstance(value, int | float | bool):
        return json.dumps(_toml(value))
    if takes == "list" and isinstance(value, str):
        return _toml([value])
    return None


def _known_keys(loc: list[str]) -> list[str]:
    """The settings beside the one at ``loc`` (the sections, for a top-level name)."""
    model: Any = Settings
    for part in loc[:-1]:
        if part.isdigit():  # an item of a list of sections: [[unions]]
            continue
        field = model.model_fields.get(part)
        model = None if field is None else _model_in(field.annotation)
        if model is None:
            return []
    return list(model.model_fields)


def _model_in(annotation: Any) -> Any:
    """The settings model an annotation holds (``X``, ``list[X]``, ``X | None``), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _problem(error: Any) -> str:
    """One pydantic error as ``section.key: what is wrong``; a value of the wrong type is
    named with its key, what it is, what the key takes and, when clear, how to write it."""
    loc = [str(part) for part in error["loc"]]
    where = ".".join(loc) or "settings"
    if error["type"] == "extra_forbidden":
        said = f"{where}: is not a setting ballotbot knows (a typo?)"
        close = difflib.get_close_matches(loc[-1].lower(), _known_keys(loc), n=1, cutoff=0.6)
        if not close:
            return said
        named = f"[{close[0]}]" if len(loc) == 1 else close[0]  # top level: sections
        return f"{said}; the closest setting is {named}"
    takes = _EXPECTED.get(error["type"])
    if takes is not None and "input" in error:
        value = error["input"]
        item = bool(loc) and loc[-1].isdigit()  # an item of a list: guild_ids.0
        if item:
            where = f"{'.'.join(loc[:-1])}[{loc[-1]}]"
        said = f"{where} is {_toml(value)}, {_kind(value)}, but it takes {_TAKES[takes]}"
        fixed = _fixed(value, takes)
        if fixed is not None:
            said += f": write {fixed} in the list" if item else f": write {loc[-1]} = {fixed}"
        return said
    return f"{where}: " + str(error["msg"]).removeprefix("Value error, ")


def load_settings(path: Path | None = None, database_url: str | None = None) -> Settings:
    """Read ``path`` (if given), then ``BALLOTBOT_DATABASE_URL``, then ``database_url``;
    ``BALLOTBOT_LOG_SALT`` overrides ``[privacy] log_salt``."""
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"config file {path} not found: give the path of your settings file, or start "
                "one from the example (cp config.example.toml config.toml)"
            ) from None
        except IsADirectoryError:
            raise ConfigError(
                f"config file {path} cannot be read: Is a directory. Give the path of the "
                f"settings file itself, such as {path / 'config.toml'} (start one with: cp "
                "config.example.toml config.toml)"
            ) from None
        except PermissionError:
            raise ConfigError(
                f"config file {path} cannot be read: Permission denied. Let the user running "
                f"ballotbot read it (ls -l {path}; chmod or chown it), or give another file"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
            fix = (
                "save it as UTF-8"
                if isinstance(exc, UnicodeDecodeError)
                else "check the path and that it is a readable file"
            )
            raise ConfigError(f"config file {path} cannot be read: {why}; {fix}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"config file {path} is not valid TOML: {exc}. Fix that line "
                "(config.example.toml shows every setting)"
            ) from None
    try:
        # Strict: TOML has types, so `enabled = "yes"` or `port = "3000"` is a mistake to
        # name, not a string to coerce (pydantic's lax mode would read "yes" as true).
        settings = Settings.model_validate(raw, strict=True)
    except ValidationError as exc:
        problems = "; ".join(_problem(err) for err in exc.errors())
        raise ConfigError(
            f"config file {path}: {problems}. Fix it (config.example.toml documents every "
            "setting and its default)"
        ) from None
    # ``--database ''`` is a mistake to report (storage.database.check_database_url), not
    # a reason to fall back quietly on another database; an empty variable is an unset one.
    url = database_url if database_url is not None else os.environ.get("BALLOTBOT_DATABASE_URL")
    if url is not None and (url or database_url is not None):
        settings.database.url = url
    salt = os.environ.get("BALLOTBOT_LOG_SALT", "").strip()
    if salt:
        settings.privacy.log_salt = SecretStr(salt)
    return settings
