"""Send a socket's data at once when nothing is waiting, rather than on the reactor's next turn.

Twisted's TCP transport buffers every write and asks the event loop to say when the socket is
writable: under daphne's asyncio reactor an `epoll_ctl` to add the writer, a turn of the loop,
the `send`, and an `epoll_ctl` to remove the writer again. A socket with nothing buffered is
almost always writable, so here its data goes to `send` straight away and only what the kernel
did not take is buffered, the Twisted way. A live broadcast writes one frame to each of
thousands of sockets, so that is one system call per frame instead of three
(docs/benchmarks.md, "Eager writes"). Order is kept: data is sent at once only when nothing
is buffered before it. TLS (which daphne does not terminate here), a connection closing,
and Unix sockets passing file descriptors keep Twisted's own path. Installed once, when
portal/asgi.py is imported.
"""

import functools


def write_eagerly() -> None:
    try:
        from twisted.internet import tcp
    except ImportError:  # served by something other than daphne
        return
    buffered_write = tcp.Connection.write
    if getattr(buffered_write, "portal_eager", False):
        return

    @functools.wraps(buffered_write)
    def write(self, data) -> None:
        if (
            type(data) is bytes
            and data
            and not self.TLS
            and self.connected
            and not (self.disconnecting or self._writeDisconnecting or self._writeDisconnected)
            and not self._tempDataBuffer
            and self.offset >= len(self.dataBuffer)
            and not getattr(self, "_sendmsgQueue", None)
        ):
            sent = self.writeSomeData(data)
            if isinstance(sent, int):
                if sent >= len(data):
                    return
                data = data[sent:]
            # A partial send buffers the rest; a lost connection (an exception returned) buffers
            # it all, and the next doWrite meets the loss and closes, as Twisted would.
        buffered_write(self, data)

    write.portal_eager = True
    tcp.Connection.write = write
