"""A channel's apprise URL: validated, shown only as a hint, and kept out of every text.

An apprise URL carries its credentials anywhere: the bot token of `tgram://TOKEN/CHAT`, the
webhook id and token of `discord://ID/TOKEN`, the password of `mailto://user:pass@host`, the
path of a webhook. So the hint keeps only the scheme and a host that looks like one (a domain
or an address), and the redaction removes every other piece of the URL."""

from __future__ import annotations

import re
from urllib.parse import unquote

import apprise

from apps.exchanges.redaction import REDACTED, redact, secret_register

URL_MAX_LENGTH = 2048  # characters
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.S)
_PIECES = re.compile(r"[/@?&#=:,;\s]+")
_COARSE_PIECES = re.compile(r"[/@?&#=,;\s]+")  # keeps 'id:token' (Telegram's bot token) whole
_HOST = re.compile(r"^(?:localhost|\[[0-9a-fA-F:.]+\]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$")
_MIN_PIECE = 3  # shorter pieces (ports' digits excepted) are not worth hiding


def url_scheme(url: str) -> str:
    match = _SCHEME.match(url.strip())
    return match["scheme"].lower() if match else ""


def _authority(rest: str) -> str:
    return re.split(r"[/?#]", rest, maxsplit=1)[0]


def url_hint(url: str) -> str:
    """What may be shown of `url`: the scheme and a host that looks like one, the rest masked
    ('tgram://…', 'json://127.0.0.1:…', 'mailto://…@smtp.example.com…')."""
    match = _SCHEME.match(url.strip())
    if not match:
        return "…"
    scheme, rest = match["scheme"].lower(), match["rest"]
    authority = _authority(rest)
    userinfo, _, hostport = authority.rpartition("@")
    host = hostport.rsplit(":", 1)[0] if hostport.count(":") == 1 else hostport
    if not host or not _HOST.match(host):
        return f"{scheme}://…"
    shown = f"{scheme}://{'…@' if userinfo else ''}{host}"
    if hostport != host:
        return f"{shown}:…"  # the port, and whatever follows it
    return f"{shown}/…" if rest != authority else shown


def url_secret_parts(url: str) -> list[str]:
    """The pieces of `url` that may be secret (all but the scheme and a host that looks like
    one), longest first, decoded and as written."""
    match = _SCHEME.match(url.strip())
    rest = match["rest"] if match else url
    authority = _authority(rest)
    hostport = authority.rpartition("@")[2]
    host = hostport.rsplit(":", 1)[0] if hostport.count(":") == 1 else hostport
    port = hostport[len(host) + 1 :] if hostport != host else ""
    host_public = bool(_HOST.match(host or ""))
    public = {host} if host_public else set()
    if port.isdigit():  # a port, not a token after a colon (Telegram's id:token)
        public |= {port, hostport} if host_public else {port}
    parts = set()
    for piece in [*_COARSE_PIECES.split(rest), *_PIECES.split(rest)]:
        for variant in (piece, unquote(piece)):
            if len(variant) >= _MIN_PIECE and variant not in public:
                parts.add(variant)
    return sorted(parts, key=len, reverse=True)


def url_protect(url: str) -> None:
    """Redact `url` and its secret-looking pieces from every later log line of this process
    (apps/exchanges/redaction.py). Pieces that are plain words ('alerts', 'hook') would redact
    ordinary log text: only the whole URL and pieces with a digit or 16+ characters go there;
    `url_redact` removes every piece from the texts we store."""
    secret_register(url.strip())
    for piece in url_secret_parts(url):
        if any(c.isdigit() for c in piece) or len(piece) >= 16:
            secret_register(piece)


def url_redact(text: str, url: str) -> str:
    """`text` without `url` or any of its secret pieces (and without registered secrets)."""
    text = text.replace(url.strip(), REDACTED)
    for piece in url_secret_parts(url):
        text = text.replace(piece, REDACTED)
    return redact(text)


def url_invalid(url: str) -> str | None:
    """Why apprise would not take `url` (in words, without the URL), or None when it does."""
    url = url.strip()
    if not url:
        return "Enter the channel's URL (apprise's syntax, e.g. tgram://bottoken/ChatID)."
    if len(url) > URL_MAX_LENGTH:
        return f"At most {URL_MAX_LENGTH} characters."
    if not _SCHEME.match(url):
        return "Not an apprise URL: it starts with a service, e.g. tgram://, discord://, mailto://."
    url_protect(url)  # apprise logs the URLs it refuses
    with apprise.LogCapture(level=apprise.logging.WARNING):
        accepted = apprise.Apprise().add(url)
    if not accepted:
        return (
            f"apprise does not accept this {url_scheme(url)}:// URL: an unknown service or a "
            "missing or malformed part (see https://github.com/caronc/apprise/wiki)."
        )
    return None
