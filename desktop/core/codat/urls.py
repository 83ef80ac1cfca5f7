"""Which URLs LinkDesk uses: Link URLs it shows the customer, and API bases it sends the key to.

A Link URL comes from Codat's answer (``redirect`` of a company, ``linkUrl`` of a connection) and
goes into the QR code, the invitation and the browser. Only ``https`` is accepted, and ``http``
on a loopback address (the embedded sandbox serves its Link pages there); ``file:``,
``javascript:``, ``data:``, ``http`` on any other host, or no URL at all are refused with a
message that says why. Codat's own Link URLs are ``https://link.codat.io/...`` (Codat docs,
"Authorize your customers with Link").

An API base that is ``http`` on a non-loopback host would send the API key in clear on every
request (Codat authenticates with ``Authorization: Basic base64(key)``): refused unless the user
insists explicitly (the ``allow_insecure_http`` setting or ``--insecure-http``).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class RefusedUrl(ValueError):
    """A URL LinkDesk will not use; ``str()`` is the message for the user."""


def is_loopback(host: str | None) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1`` (the host as urlsplit gives it)."""
    if not host:
        return False
    name = host.strip("[]").lower().rstrip(".")
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _parts(url: str) -> tuple[str, str | None]:
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        raise RefusedUrl("it contains spaces or control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # a port that is not a number raises ValueError here
    except ValueError as exc:
        raise RefusedUrl(f"it cannot be read as a web address ({exc})") from None
    return parts.scheme.lower(), host


def _shown(url: str) -> str:
    return repr(url if len(url) <= 80 else url[:77] + "...")


def check_link_url(url: object) -> str:
    """The Link URL itself when LinkDesk may show and open it; else RefusedUrl saying why."""
    if not isinstance(url, str) or not url.strip():
        raise RefusedUrl(
            "Codat's answer has no Link URL, so there is nothing to send the customer."
        )
    try:
        scheme, host = _parts(url)
    except RefusedUrl as exc:
        raise RefusedUrl(f"The Link URL {_shown(url)} was refused: {exc}.") from None
    if scheme == "https" and host:
        return url
    if scheme == "http" and is_loopback(host):
        return url  # the embedded sandbox's Link pages, on this computer only
    if scheme == "http":
        why = "it is http:// on a public host, so the customer's page would not be encrypted"
    elif not host and scheme in ("https", "http"):
        why = "it names no host"
    else:
        why = f"a {scheme or 'relative'}: address is not a web page for the customer"
    raise RefusedUrl(
        f"The Link URL {_shown(url)} was refused: {why}. Only https:// Link URLs are used."
    )


def check_api_base(url: str, *, allow_insecure_http: bool = False) -> str:
    """The API base without a trailing slash when the key may be sent there; else RefusedUrl.

    ``https`` anywhere and ``http`` on loopback are accepted; ``http`` elsewhere only with
    ``allow_insecure_http``; any other scheme never.
    """
    try:
        scheme, host = _parts(url)
    except RefusedUrl as exc:
        raise RefusedUrl(f"The API base URL {_shown(url)} is not usable: {exc}.") from None
    if scheme not in ("https", "http") or not host:
        raise RefusedUrl(
            f"The API base URL {_shown(url)} is not usable: it must start with https:// and "
            "name a host, such as https://api.codat.io."
        )
    if scheme == "http" and not is_loopback(host) and not allow_insecure_http:
        raise RefusedUrl(
            f"LinkDesk will not send the API key to {_shown(url)}: http:// on a host other than "
            "this computer would send it unencrypted. Use https://, or, if you really mean it, "
            "turn on “Allow http:// API base” in Settings (or pass --insecure-http)."
        )
    return url.rstrip("/")
