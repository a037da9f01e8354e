"""Stop autobahn formatting debug log lines nobody reads, on every websocket handshake.

Daphne speaks websockets through autobahn, whose protocol formats its debug messages before
the logger decides to drop them: each new connection pretty-prints its 29 options
(`pformat`, about 0.6 ms) and colours some fifty names with click (`autobahn.util.hl`, about
0.15 ms). Together that was most of daphne's own cost per handshake, which all of a room pays
again when it reconnects after a restart (docs/benchmarks.md, "Idle sockets and reconnect
storms"). Here `pformat` in autobahn's protocol module formats only when a log line is
actually written, and the names stay uncoloured. Done once, when portal/asgi.py is imported.
"""

from pprint import pformat


class _Formatted:
    """`pformat(value)`, computed only if someone turns it into text."""

    __slots__ = ("value",)

    def __init__(self, value, *args, **kwargs) -> None:
        self.value = value

    def __str__(self) -> str:
        return pformat(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def skip_unread_debug_formatting() -> None:
    try:
        import autobahn.util
        import autobahn.websocket.protocol
    except ImportError:  # served by something other than daphne
        return
    protocol = autobahn.websocket.protocol
    if protocol.pformat is _Formatted:
        return
    protocol.pformat = _Formatted
    # The one place that must return text itself (a str() of the handshake timings).
    protocol.Timings.__str__ = lambda self: pformat(self._timings)
    autobahn.util._HAS_CLICK = False
