"""The one kind of link the bot draws from data: a ballot's source, when it is a real web page.

A ``source_url`` comes from an import or a feed. Slack (``<url|label>``) and Discord
(``[label](url)``, an embed's ``url``) each have a link syntax that a crafted URL could close
early and continue with text of its own, and Discord refuses a whole message whose embed URL
it does not accept. :func:`web_url` returns the URL only when it is a well-formed http(s)
address, with every character that could end a link in either syntax percent-encoded;
anything else is shown as text, never as a link.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

MAX_URL = 2000
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"(?=.{{1,253}}\Z){_LABEL}(?:\.{_LABEL})+")
"""A DNS name with at least one dot: ``www.unison.org.uk``."""
_SAFE = "/?#&=+%:;,!$'*@~-._"
"""Kept as they are in a path, query or fragment; everything else is percent-encoded
(including ``(``, ``)``, ``[``, ``]``, ``<``, ``>``, ``|``, spaces and quotes)."""


def web_url(url: str | None) -> str | None:
    """``url`` as a link target, or None when it should not be one.

    Accepted: ``http`` or ``https``, a host name of letters, digits, dots and hyphens (no
    user name or password before it: ``https://official.org@evil.example`` is refused), an
    optional port, and a path/query/fragment without spaces or control characters. The
    result has the characters that could close a Slack or Discord link percent-encoded.
    """
    if not url or len(url) > MAX_URL or url != url.strip():
        return None
    if any(ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = parts.hostname or ""
    if "@" in parts.netloc or not _HOST.fullmatch(host):
        return None
    netloc = host.lower() if port is None else f"{host.lower()}:{port}"
    rest = quote(parts.path or "/", safe=_SAFE)
    if parts.query:
        rest += "?" + quote(parts.query, safe=_SAFE)
    if parts.fragment:
        rest += "#" + quote(parts.fragment, safe=_SAFE)
    return f"{parts.scheme.lower()}://{netloc}{rest}"


def host_of(url: str) -> str:
    """The host a :func:`web_url` link goes to, for its label (``www.bbc.co.uk``)."""
    return urlsplit(url).hostname or url
