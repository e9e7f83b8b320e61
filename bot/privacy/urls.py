"""Database URLs fit to print: no password, wherever in the URL it was written.

A database URL can carry a secret in two places: the userinfo (``user:secret@host``) and the
query (``?password=secret``, libpq's ``sslpassword=``, a driver's ``token=``). Every message and
log line that names a database URL shows it through :func:`hide_password`.

The core imports no database library, so this is plain text work, cautious by design:
everything up to the *last* ``@`` after the scheme is userinfo, and only the user name is kept
(SQLAlchemy would read ``user:p@ss@host`` as password ``p`` on host ``ss@host``). The storage
layer renders a URL SQLAlchemy parses as written with ``make_url(url).render_as_string(
hide_password=True)`` first, then hides its query here (:func:`storage.database.shown_url`).
"""

from __future__ import annotations

import re

HIDDEN = "***"

_SECRET_KEY = re.compile(r"pass|pwd|secret|token|key|auth|credential", re.IGNORECASE)
"""Query parameters whose value is a secret: password, passwd, sslpassword, pwd, secret,
token, api_key, sslkey (a path, hidden anyway: better too much than too little), auth..."""

_QUERY_PAIR = re.compile(r"(?P<sep>[?&;])(?P<key>[^=&;#]*)=(?P<value>[^&;#]*)")


def hide_password(url: object) -> str:
    """``url`` (a string or a SQLAlchemy ``URL``) with every password in it as ``***``.

    The userinfo password and every password-like query parameter (:data:`_SECRET_KEY`) are
    hidden; the user name, host, port, database and other parameters are kept. Never raises.
    """
    if hasattr(url, "render_as_string"):
        return _hide_query(_hide_userinfo(url.render_as_string(hide_password=True)))
    return _hide_query(_hide_userinfo(str(url)))


def secrets_in(url: object) -> list[str]:
    """The secret values written in ``url`` (userinfo password, password-like query values,
    as written and percent-decoded), longest first: for scrubbing them from a driver's error
    message, which may quote them."""
    from urllib.parse import unquote, unquote_plus

    if hasattr(url, "render_as_string"):
        text = str(url.render_as_string(hide_password=False))
    else:
        text = str(url)
    found: list[str] = []
    _, sep, rest = text.partition("://")
    if sep and "@" in rest:
        userinfo = rest.rpartition("@")[0]
        _, colon, password = userinfo.partition(":")
        if colon and password:
            found.append(password)
            # SQLAlchemy splits "p@ss@host" at the first "@": the driver then names the
            # host "ss@host", so each tail of the password is a secret too.
            pieces = password.split("@")
            found += ["@".join(pieces[i:]) + "@" for i in range(1, len(pieces))]
    for match in _QUERY_PAIR.finditer(text):
        if _SECRET_KEY.search(unquote(match["key"])) and match["value"]:
            found.append(match["value"])
    found += [unquote_plus(s) for s in found] + [unquote(s) for s in found]
    return sorted({s for s in found if len(s) >= 1}, key=len, reverse=True)


def scrub_secrets(text: str, url: object) -> str:
    """``text`` (an error message about ``url``) with any secret of ``url`` in it hidden."""
    for secret in secrets_in(url):
        text = text.replace(secret, HIDDEN)
    return text


def _hide_userinfo(text: str) -> str:
    scheme, sep, rest = text.partition("://")
    if not sep:
        # Not a URL: a "user:secret@host" written without a scheme is still hidden.
        scheme, rest = "", text
    if "@" not in rest:
        return text
    userinfo, _, after = rest.rpartition("@")
    user, colon, password = userinfo.partition(":")
    if colon and password == HIDDEN and "@" not in user:
        return text  # already hidden (SQLAlchemy's rendering)
    if "/" in user or "?" in user:  # no userinfo: the "@" is in the path or the query
        return text
    shown_user = f"{user}:{HIDDEN}" if colon else user
    return f"{scheme}{sep}{shown_user}@{after}"


def _hide_query(text: str) -> str:
    def hide(match: re.Match[str]) -> str:
        if _SECRET_KEY.search(match["key"]):
            return f"{match['sep']}{match['key']}={HIDDEN}"
        return match.group(0)

    if "?" not in text:
        return text
    head, _, query = text.partition("?")
    return head + _QUERY_PAIR.sub(hide, "?" + query)
