"""Eager writes (portal/twisted_writes.py): a TCP transport with nothing buffered sends at once;
anything else takes Twisted's buffered path, so bytes keep their order and a lost or closing
connection is handled as Twisted handles it. Real sockets (a socketpair), a recording reactor."""

import socket

import pytest
from twisted.internet import main, tcp
from twisted.internet.protocol import Protocol

from portal.twisted_writes import write_eagerly

write_eagerly()  # what portal/asgi.py does in every daphne process


class RecordingReactor:
    def __init__(self):
        self.writers = []

    def addWriter(self, descriptor):
        self.writers.append("add")

    def removeWriter(self, descriptor):
        self.writers.append("remove")

    def addReader(self, descriptor):
        pass

    def removeReader(self, descriptor):
        pass


@pytest.fixture
def pair():
    ours, peer = socket.socketpair()
    peer.settimeout(2)
    reactor = RecordingReactor()
    transport = tcp.Connection(ours, Protocol(), reactor=reactor)
    transport.connected = 1
    yield transport, peer, reactor
    ours.close()
    peer.close()


def received(peer, n: int) -> bytes:
    data = b""
    while len(data) < n:
        data += peer.recv(n - len(data))
    return data


def test_asgi_installs_it():
    import portal.asgi  # noqa: F401

    assert tcp.Connection.write.portal_eager is True


def test_with_nothing_buffered_the_data_is_sent_without_waiting_for_the_loop(pair):
    transport, peer, reactor = pair

    transport.write(b"frame one")
    transport.write(b"frame two")

    assert received(peer, 18) == b"frame oneframe two"
    assert reactor.writers == []  # no writer registered: nothing waited for a turn
    assert (transport._tempDataBuffer, transport.dataBuffer) == ([], b"")


def test_behind_buffered_data_a_write_waits_its_turn_in_order(pair):
    transport, peer, reactor = pair
    transport._tempDataBuffer, transport._tempDataLen = [b"first "], 6

    transport.write(b"second")

    assert reactor.writers == ["add"]
    peer.setblocking(False)
    with pytest.raises(BlockingIOError):
        peer.recv(100)  # nothing jumped the queue
    peer.setblocking(True)
    assert transport.doWrite() is None
    assert received(peer, 12) == b"first second"


def test_what_the_kernel_does_not_take_is_buffered_and_sent_later(pair):
    transport, peer, reactor = pair
    transport.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    big = bytes(range(256)) * 4096  # 1 MiB, more than the socket takes at once

    transport.write(big)

    assert reactor.writers == ["add"]
    assert 0 < transport._tempDataLen < len(big)
    data = b""
    while len(data) < len(big):
        transport.doWrite()
        data += peer.recv(len(big))
    assert data == big


def test_a_closing_connection_keeps_twisteds_path(pair):
    transport, _, reactor = pair
    transport.disconnecting = True

    transport.write(b"late")

    assert reactor.writers == ["add"]
    assert transport._tempDataBuffer == [b"late"]


def test_a_lost_peer_is_met_by_the_next_dowrite_as_twisted_would(pair):
    transport, peer, reactor = pair
    peer.close()

    transport.write(b"to nobody")  # the send fails (EPIPE): buffered, as Twisted would

    assert (reactor.writers, transport._tempDataBuffer) == (["add"], [b"to nobody"])
    assert transport.doWrite() is main.CONNECTION_LOST  # the loop's turn closes it
