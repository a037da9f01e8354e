"""Privacy-friendly embedding of recordings."""

import re
from urllib.parse import parse_qs, urlparse

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com",
                  "www.youtube-nocookie.com"}  # fmt: skip


def youtube_id(url: str) -> str | None:
    """The video id of a YouTube watch, share or embed link; None for anything else."""
    try:
        parsed = urlparse(url)
    except ValueError:
        return None
    host = (parsed.hostname or "").lower()
    candidate = None
    if host == "youtu.be":
        candidate = parsed.path.lstrip("/").split("/")[0]
    elif host in _YOUTUBE_HOSTS:
        if parsed.path == "/watch":
            candidate = parse_qs(parsed.query).get("v", [""])[0]
        elif parsed.path.startswith(("/embed/", "/live/", "/shorts/")):
            candidate = parsed.path.split("/")[2]
    if candidate and _YOUTUBE_ID.match(candidate):
        return candidate
    return None


def privacy_embed_url(url: str) -> str | None:
    """The youtube-nocookie player URL for a YouTube link (no cookies until play), else None."""
    video = youtube_id(url)
    return f"https://www.youtube-nocookie.com/embed/{video}" if video else None
