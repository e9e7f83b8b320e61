"""The two Slack listeners: the ``/ballot`` slash command and a click on one of our buttons.

Both only convert: a Slack payload becomes a :class:`bot.requests.Request`, the core answers,
the :class:`bot.replies.Reply` becomes Block Kit. Slack wants a 200 within three seconds, so
the core gets a budget (two seconds, counted from when the request arrived): a fast answer
rides in the acknowledgement itself, a slow one (a busy database, a picture to draw) is
acknowledged with "working on it" and delivered through ``response_url``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient
from slack_sdk.webhook.webhook_response import WebhookResponse

from adapters.slack.blocks import (
    ACTION_PREFIX,
    NO_PARSING,
    RUN_ACTION,
    SHARE_ACTION,
    Message,
    fallback,
    notice,
    render,
    working_on_it,
)
from adapters.slack.forms import FORM_CALLBACK, errors_for, modal, submitted, with_general_error
from adapters.slack.http import RECEIVED_AT
from adapters.slack.payloads import BlockActions, ButtonAction, SlashCommand
from adapters.slack.sender import SlackSender
from bot.actions import LEGACY_PREFIX, is_public, legacy
from bot.ports import (
    Answerer,
    PermanentSendError,
    RefusedSendError,
    RetryableSendError,
    SendError,
)
from bot.replies import Image, Reply, error
from bot.requests import Request

log = logging.getLogger(__name__)

ANSWER_BUDGET = 2.0
"""Seconds from the request's arrival the core may take before we acknowledge first: Slack
gives up after three, and the acknowledgement itself needs a moment on a busy process."""

CROWDED = 64
"""Answers being waited for at once past which a new request is acknowledged ("working on
it") after :data:`CROWDED_WAIT` rather than the whole budget. A burst of hundreds (everyone
answering one reminder) would otherwise have all its acknowledgements fall due together two
seconds later, hundreds in one turn of the event loop; this way they go out as the requests
arrive, and the members know sooner."""
CROWDED_WAIT = 0.25

RENDERS_KEPT = 64
"""Renderings kept for repeated answers (the core keeps 2,048 answers; these are the hot ones).
Each holds its answer and its Block Kit (~20 KB): 512 of them were 5 MB of a `ballotbot run`
that must stay under 150 MB (``bench/RESULTS.md``, issue 18)."""

ACTION_PATTERN = re.compile("^" + re.escape(ACTION_PREFIX))
"""Every button we draw (``ballot:press:<n>``; before actions ``ballot:run:<n>`` and
``ballot:share``) and nobody else's."""
_LEGACY_RUN = re.compile(re.escape(RUN_ACTION.format("")) + r"\d+")

Ack = Callable[..., Awaitable[Any]]
Respond = Callable[..., Awaitable[Any]]


def request_from_command(body: SlashCommand) -> Request:
    """``/ballot kirklees`` typed in a channel -> the core's request (text without /ballot)."""
    return Request(
        text=body.get("text", ""),
        platform="slack",
        user_id=body.get("user_id", ""),
        channel_id=body.get("channel_id", ""),
        workspace=body.get("team_id"),
    )


def request_from_action(body: BlockActions, action: ButtonAction) -> Request:
    """A button click -> a press of the action it carries (``verb:id``), by whoever clicked.

    A button drawn before actions (``action_id`` ``ballot:run:<n>`` or ``ballot:share``)
    carries grammar text: it goes to the core marked as such (``/ballot ...``), which
    answers it only when it is a plain lookup.
    """
    channel = body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id")
    value = action.get("value", "")
    if _is_legacy(action) and not legacy(value):
        value = f"{LEGACY_PREFIX} {value}"
    return Request(
        text="",
        platform="slack",
        user_id=body.get("user", {}).get("id", ""),
        channel_id=channel or "",
        workspace=body.get("team", {}).get("id") or body.get("user", {}).get("team_id"),
        action=value,
    )


def _is_legacy(action: ButtonAction) -> bool:
    action_id = action.get("action_id", "")
    return action_id == SHARE_ACTION or bool(_LEGACY_RUN.fullmatch(action_id))


def is_share(action: ButtonAction) -> bool:
    """Share in channel: an old Share button by its ``action_id``, a new one by its verb."""
    if _is_legacy(action):
        return action.get("action_id") == SHARE_ACTION
    return is_public(action.get("value", ""))


def private(message: Message) -> Message:
    """An acknowledgement's body: the message, for the member alone, with :data:`NO_PARSING`
    (bolt's ``ack`` takes a whole body as a dict, and sends it as it is)."""
    return {"response_type": "ephemeral", **message, **NO_PARSING}


async def reply_privately(
    respond: Respond,
    message: Message,
    *,
    replace_original: bool,
    session: aiohttp.ClientSession | None = None,
) -> WebhookResponse:
    """Post ``message`` to the request's ``response_url`` for the member alone, with
    :data:`NO_PARSING`. Bolt's ``respond`` has no ``parse`` or ``link_names``; its URL, proxy
    and TLS settings are used as they are. ``session``: an HTTP session kept for every
    follow-up (bolt's own opens a new one, a connection and to Slack a TLS handshake, for
    each: after a burst of members, hundreds at once, all on the event loop)."""
    url = getattr(respond, "response_url", None)
    if not url:
        raise ValueError("this request has no response_url to answer on")
    client = AsyncWebhookClient(
        url=url,
        session=session,
        proxy=getattr(respond, "proxy", None),
        ssl=getattr(respond, "ssl", None),
    )
    body = {**private(message), "replace_original": replace_original}
    return await client.send_dict(body)


class BallotListeners:
    """Answers slash commands and clicks with the core; keeps follow-ups it started in flight."""

    def __init__(self, core: Answerer, sender: SlackSender, budget: float = ANSWER_BUDGET):
        self.core = core
        self.sender = sender
        self.budget = budget
        self._tasks: set[asyncio.Task[None]] = set()
        self._renders: dict[int, tuple[Reply, list[Message]]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._waiting = 0

    def register(self, app: AsyncApp, command: str = "/ballot") -> None:
        app.command(command)(self.on_command)
        app.action(ACTION_PATTERN)(self.on_action)
        app.view(FORM_CALLBACK)(self.on_form)

    async def drain(self, grace: float = 10.0) -> None:
        """Let follow-ups already promised to a member finish (when stopping), for a while."""
        if self._tasks:
            _, late = await asyncio.wait(list(self._tasks), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _kept_session(self) -> aiohttp.ClientSession:
        """One HTTP session for every follow-up (see :func:`reply_privately`)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def on_command(
        self, ack: Ack, body: SlashCommand, respond: Respond, context: dict[str, Any]
    ) -> None:
        work = self._answer(request_from_command(body))
        reply = await self._within_budget(work, context)
        if reply is None:
            await ack(private(working_on_it()))
            self._spawn(self._follow_up(work, respond, replace_original=True))
            return
        if reply.form is not None and body.get("trigger_id"):
            await ack()  # no message: the form opens instead
            channel = body.get("channel_id", "")
            view = modal(reply.form, channel)
            try:
                await self.sender.client.views_open(trigger_id=body["trigger_id"], view=view)
                return
            except SlackApiError as exc:
                log.warning("could not open the form (%s): answering with text", exc)
        first, *rest = self._rendered(reply)
        await ack(private(first))
        if rest:
            self._spawn(self._send(rest, respond, replace_original=False))
        if reply.image is not None:
            self._spawn(self._picture(reply.image, body.get("channel_id", ""), respond))

    async def on_action(
        self,
        ack: Ack,
        body: BlockActions,
        action: ButtonAction,
        respond: Respond,
        context: dict[str, Any],
    ) -> None:
        await ack()
        request = request_from_action(body, action)
        work = self._answer(request)
        if is_share(action):
            await self._spawn_or_wait(self._share(work, request.channel_id, respond), context)
            return
        # Clicked on a private card: replace it. On a public one: answer the clicker alone.
        replace = bool(body.get("container", {}).get("is_ephemeral", False))
        await self._spawn_or_wait(self._follow_up(work, respond, replace_original=replace), context)

    async def on_form(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]
    ) -> None:
        """A form submitted: its boxes go to the core one by one, as the member who submitted.

        A refusal stays in the modal: under each box it is about, or, when it is about no
        box, as a general error above them. An answer closes the modal and is shown to the
        member alone in the channel the form came from. An answer slower than the budget
        closes the modal at once and is shown when it comes.
        """
        submission, channel, keys = submitted(view)
        if submission is None:
            stale = error(
                "This form is from an older version of ballotbot",
                "Close it and open it again; nothing was changed.",
            )
            await ack(response_action="update", view=with_general_error(view, stale))
            return
        user = body.get("user", {})
        request = Request(
            text="",
            platform="slack",
            user_id=user.get("id", ""),
            channel_id=channel,
            workspace=body.get("team", {}).get("id") or user.get("team_id"),
            form=submission,
        )
        work = self._answer(request)
        reply = await self._within_budget(work, context)
        if reply is None:
            await ack()
            self._spawn(self._show_form_answer(work, channel, request.user_id))
            return
        if not reply.ok:
            errors = errors_for(reply, keys)
            if errors:
                await ack(response_action="errors", errors=errors)
            else:
                await ack(response_action="update", view=with_general_error(view, reply))
            return
        await ack()
        await self._show_form_answer(work, channel, request.user_id)

    async def _show_form_answer(self, work: asyncio.Future[Reply], channel: str, user: str) -> None:
        first = render(await work, max_messages=1)[0]
        try:
            await self.sender.client.chat_postEphemeral(
                channel=channel, user=user, link_names=False, parse="none", **first
            )
        except SlackApiError as exc:
            log.warning("form answered but not shown in %s: %s", channel, exc)

    def _rendered(self, reply: Reply) -> list[Message]:
        """Block Kit for a private answer. The core hands back the very same Reply for a
        repeated question, so its rendering is kept too (by identity: a Reply is immutable)."""
        kept = self._renders.get(id(reply))
        if kept is not None and kept[0] is reply:
            return kept[1]
        messages = render(reply)
        self._renders[id(reply)] = (reply, messages)
        if len(self._renders) > RENDERS_KEPT:
            self._renders.pop(next(iter(self._renders)))
        return messages

    def _answer(self, request: Request) -> asyncio.Future[Reply]:
        async def answer() -> Reply:
            try:
                return await self.core.handle(request)
            except Exception:
                log.exception("the core failed on %r", request.action or request.text)
                return error("Something went wrong on our side", "Nothing was changed.")

        return asyncio.ensure_future(answer())

    def _left(self, context: dict[str, Any] | None) -> float:
        """Seconds of the budget left: counted from the request's arrival (HTTP mode), else
        from now (Socket Mode, where bolt hands the request over as it comes)."""
        received = (context or {}).get(RECEIVED_AT)
        spent = 0.0 if received is None else time.monotonic() - received
        return max(0.0, self.budget - spent)

    async def _within_budget(
        self, work: asyncio.Future[Reply], context: dict[str, Any] | None = None
    ) -> Reply | None:
        left = self._left(context)
        if self._waiting >= CROWDED:
            left = min(left, CROWDED_WAIT)
        self._waiting += 1
        try:
            return await asyncio.wait_for(asyncio.shield(work), left)
        except TimeoutError:
            return None
        finally:
            self._waiting -= 1

    async def _follow_up(
        self, work: asyncio.Future[Reply], respond: Respond, *, replace_original: bool
    ) -> None:
        await self._send(render(await work), respond, replace_original=replace_original)

    async def _share(self, work: asyncio.Future[Reply], channel: str, respond: Respond) -> None:
        """Post the card publicly with chat.postMessage; tell only the clicker if Slack says no."""
        reply = await work
        if not reply.ok:
            await self._send(render(reply), respond, replace_original=False)
            return
        try:
            await self.sender.post(channel, reply)
        except PermanentSendError as exc:
            text = (
                f"I can't post in this channel ({fallback(str(exc))}). Invite me with "
                "`/invite @ballotbot`, or share from a channel I'm in."
            )
            await self._send([notice(text)], respond, replace_original=False)
        except RefusedSendError as exc:
            text = f"Slack refused the card ({fallback(str(exc))}): it was not shared."
            await self._send([notice(text)], respond, replace_original=False)
        except RetryableSendError:
            text = "Slack is busy right now: the card was not shared. Please try again shortly."
            await self._send([notice(text)], respond, replace_original=False)

    async def _picture(self, image: Image, channel: str, respond: Respond) -> None:
        """Slack cannot attach a file to a private reply: the picture goes to the channel."""
        try:
            await self.sender.picture(channel, image)
        except SendError as exc:
            text = f"I could not post the picture in this channel ({fallback(str(exc))})."
            await self._send([notice(text)], respond, replace_original=False)

    async def _send(
        self, messages: list[Message], respond: Respond, *, replace_original: bool
    ) -> None:
        for n, message in enumerate(messages):
            response = await reply_privately(
                respond,
                message,
                replace_original=replace_original and n == 0,
                session=self._kept_session(),
            )
            if response.status_code != 200:
                log.warning("response_url refused a reply: HTTP %s", response.status_code)
                return

    async def _spawn_or_wait(
        self, job: Coroutine[Any, Any, None], context: dict[str, Any] | None = None
    ) -> None:
        """Finish ``job`` inside the budget (the click's 200 waits for it), else in background."""
        task = self._spawn(job)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), self._left(context))

    def _spawn(self, job: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a Slack follow-up failed", exc_info=task.exception())
