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


def privacy_embed_url(url: str, *, start: int | None = None) -> str | None:
    """The youtube-nocookie player URL for a YouTube link (no cookies until play), else None;
    `start` seconds in (the player's `start=`)."""
    video = youtube_id(url)
    if not video:
        return None
    embed = f"https://www.youtube-nocookie.com/embed/{video}"
    return f"{embed}?start={start}" if start else embed


def watch_url_at(url: str, *, start: int | None = None) -> str:
    """A link that opens the recording `start` seconds in: for YouTube the canonical watch
    link with `t=`; any other link is returned as it is (no known way to say a time)."""
    video = youtube_id(url)
    if not video or not start:
        return url
    return f"https://www.youtube.com/watch?v={video}&t={start}s"


def timestamp(seconds: int) -> str:
    """`1:02:03` or `4:05`: how a start time reads next to a link."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
