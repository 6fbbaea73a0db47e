"""Fetch a URL (http/https only) within the size and time limits, then load it like a file."""

from __future__ import annotations

import time
from pathlib import PurePosixPath

import httpx

from ingest.loaders.assemble import assemble_document, guarded
from ingest.loaders.base import DEFAULT_LIMITS, LoadedDocument, LoadError, LoadLimits, check_size, human_size
from ingest.loaders.sniff import sniff

__all__ = ["load_url"]

_HTML_MIMES = {"text/html", "application/xhtml+xml"}


def load_url(
    url: str, limits: LoadLimits = DEFAULT_LIMITS, client: httpx.Client | None = None
) -> LoadedDocument:
    """Fetch `url` and load what comes back; every failure is a `LoadError`."""
    return guarded(url, lambda: _load_url(url, limits, client))


def _load_url(url: str, limits: LoadLimits, client: httpx.Client | None) -> LoadedDocument:
    parsed = _parse_url(url)
    if client is None:
        with httpx.Client(timeout=limits.timeout_s, follow_redirects=True) as own_client:
            data, content_type = _fetch(own_client, url, limits)
    else:
        data, content_type = _fetch(client, url, limits)
    check_size(len(data), limits, url)

    mime, charset = _parse_content_type(content_type)
    kind = sniff(data, url, expected="html" if mime in _HTML_MIMES else None, charset=charset)
    # The bytes decide binary formats; the header only settles what kind of text a text response is.
    if kind == "text" and mime in _HTML_MIMES:
        kind = "html"
    path = parsed.path.rstrip("/")
    # Without a title inside the document, the last path segment reads better than host+path.
    fallback = PurePosixPath(path).name or parsed.host
    return assemble_document(
        data, kind, parsed.host + path, None, limits, url, url=url, charset=charset, fallback_title=fallback
    )


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except Exception as exc:  # httpx.InvalidURL and friends
        raise LoadError(url, "invalid URL") from exc
    if parsed.scheme not in {"http", "https"}:
        scheme = parsed.scheme or "none"
        raise LoadError(url, f"unsupported URL scheme '{scheme}' (only http and https)")
    if not parsed.host:
        raise LoadError(url, "invalid URL (no host)")
    return parsed


def _fetch(client: httpx.Client, url: str, limits: LoadLimits) -> tuple[bytes, str]:
    # httpx timeouts are per network operation; a server trickling bytes needs an overall deadline too.
    deadline = time.monotonic() + limits.timeout_s
    try:
        with client.stream("GET", url, timeout=limits.timeout_s, follow_redirects=True) as response:
            if not response.is_success:  # a 3xx here is a redirect that could not be followed
                phrase = response.reason_phrase or ""
                raise LoadError(url, f"HTTP {response.status_code} {phrase}".strip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                check_size(int(declared), limits, url)
            chunks: list[bytes] = []
            received = 0
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received > limits.max_bytes:
                    raise LoadError(url, f"file too large (over {human_size(limits.max_bytes)} limit)")
                if time.monotonic() > deadline:
                    raise LoadError(url, "could not fetch URL: timed out")
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("content-type", "")
    except LoadError:
        raise
    except httpx.TimeoutException as exc:
        raise LoadError(url, "could not fetch URL: timed out") from exc
    except httpx.TooManyRedirects as exc:
        raise LoadError(url, "could not fetch URL: too many redirects") from exc
    except httpx.HTTPError as exc:
        raise LoadError(url, f"could not fetch URL: {_network_reason(exc)}") from exc


def _network_reason(exc: Exception) -> str:
    message = str(exc).lower()
    if "refused" in message:
        return "connection refused"
    if (
        "name or service not known" in message
        or "nodename nor servname" in message
        or "getaddrinfo" in message
    ):
        return "host not found"
    if "ssl" in message or "certificate" in message:
        return "TLS error"
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return first_line[:120] or type(exc).__name__


def _parse_content_type(header: str) -> tuple[str, str | None]:
    parts = [p.strip() for p in header.split(";")]
    mime = parts[0].lower() if parts else ""
    charset = None
    for part in parts[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"').lower()
    return mime, charset
