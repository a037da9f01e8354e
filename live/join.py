"""The join code: a short code per event that a room can type (`/j/K7Q4`), and its QR code.

The code is the event's id, shuffled by a fixed permutation (a small Feistel network) and
written in Crockford's base 32: digits and capitals without I, L, O and U, read back
case-insensitively with O as 0 and I or L as 1. Nothing is stored: every event has its code
from its creation, the same on every server and across restarts, and it stays the same if the
event's slug changes. Codes are not secrets (the live page they lead to is public whenever the
event is); the shuffle only keeps neighbouring events' codes from looking alike.

Ids below 2**20 have 4 characters, below 2**30 six, below 2**40 eight.
"""

import hashlib
import io

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)} | {"O": 0, "I": 1, "L": 1}
_BITS_BY_LENGTH = {4: 20, 6: 30, 8: 40}
_ROUNDS = 4
MAX_CODE_LENGTH = 12  # what the form accepts, separators included


def _round(value: int, round_no: int, half_bits: int) -> int:
    digest = hashlib.blake2s(f"join:{round_no}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest) & ((1 << half_bits) - 1)


def _permute(number: int, bits: int, *, inverse: bool = False) -> int:
    half = bits // 2
    mask = (1 << half) - 1
    left, right = number >> half, number & mask
    rounds = range(_ROUNDS - 1, -1, -1) if inverse else range(_ROUNDS)
    for round_no in rounds:
        if inverse:
            left, right = right ^ _round(left, round_no, half), left
        else:
            left, right = right, left ^ _round(right, round_no, half)
    return (left << half) | right


def join_code(event_id: int) -> str:
    """The event's code, e.g. `K7Q4`."""
    for length, bits in _BITS_BY_LENGTH.items():
        if event_id < 1 << bits:
            number = _permute(event_id, bits)
            return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(length)))
    raise ValueError("An event id this big has no join code.")


def normalise(text: str) -> str:
    """What a person typed, as a code: capitals, no spaces or dashes."""
    return "".join(text.split()).replace("-", "").upper()


def event_id_for(code: str) -> int | None:
    """The event id a code stands for; None for anything that is not a code."""
    code = normalise(code)
    bits = _BITS_BY_LENGTH.get(len(code))
    if bits is None or any(c not in _VALUE for c in code):
        return None
    number = 0
    for c in code:
        number = (number << 5) | _VALUE[c]
    event_id = _permute(number, bits, inverse=True)
    # Each id has one code: the shortest that holds it.
    return event_id if event_id > 0 and join_code(event_id) == code.translate(_CANONICAL) else None


_CANONICAL = str.maketrans({"O": "0", "I": "1", "L": "1"})


def qr_svg(url: str, *, label: str) -> SafeString:
    """An inline SVG QR code of `url` (no file, no external asset), dark on white with its
    quiet zone, named for screen readers by `label`; it scales with its CSS box."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", xmldecl=False, svgns=True, nl=False, omitsize=True, border=4,
        dark="#000", light="#fff", svgclass="block h-auto w-full", lineclass=None,
    )  # fmt: skip
    svg = buffer.getvalue().decode()
    named = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return mark_safe(named)  # noqa: S308 - segno's own markup; the label is escaped
