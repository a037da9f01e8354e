"""live/coalesce.py in the background: the caller never renders, and a burst during a render
becomes one more render after it, never a queue of them."""

import threading
import time

from live.coalesce import Coalescer


class Held:
    """A send that records each call and can hold the first one in flight."""

    def __init__(self, hold_first: bool = False, fail_first: bool = False):
        self.calls: list[tuple[object, bool, str]] = []
        self.release = threading.Event()
        self.started = threading.Event()
        self.hold_first = hold_first
        self.fail_first = fail_first

    def __call__(self, key, detail):
        first = not self.calls
        self.calls.append((key, detail, threading.current_thread().name))
        self.started.set()
        if first and self.hold_first:
            assert self.release.wait(5)
        if first and self.fail_first:
            raise RuntimeError("render failed")


def _wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_background_request_returns_before_the_send_which_runs_on_the_worker():
    send = Held(hold_first=True)
    coalescer = Coalescer(send, window=lambda: 0, background=lambda: True)
    coalescer.request(7)  # returns although the send is held
    assert send.started.wait(5)
    assert send.calls == [(7, True, "live-broadcast")]
    send.release.set()


def test_a_burst_during_a_render_becomes_exactly_one_more_render():
    send = Held(hold_first=True)
    coalescer = Coalescer(send, window=lambda: 0, background=lambda: True)
    coalescer.request(7, detail=False)
    assert send.started.wait(5)
    for _ in range(40):
        coalescer.request(7, detail=False)
    coalescer.request(7, detail=True)
    send.release.set()
    _wait_for(lambda: len(send.calls) == 2)
    _wait_for(lambda: not coalescer._dirty)
    time.sleep(0.05)  # a third send would start now if any request were left unserved
    assert send.calls == [(7, False, "live-broadcast"), (7, True, "live-broadcast")]


def test_background_keeps_the_window_between_sends_of_a_key():
    send = Held()
    coalescer = Coalescer(send, window=lambda: 0.2, background=lambda: True)
    coalescer.request(1)
    _wait_for(lambda: len(send.calls) == 1)
    sent_first = time.monotonic()
    coalescer.request(1)
    coalescer.request(2)  # another key is not held back by key 1's window
    _wait_for(lambda: [k for k, *_ in send.calls] == [1, 2])
    assert time.monotonic() - sent_first < 0.2
    _wait_for(lambda: len(send.calls) == 3)
    assert time.monotonic() - sent_first >= 0.19
    assert [k for k, *_ in send.calls] == [1, 2, 1]


def test_a_failed_background_send_is_logged_and_the_next_request_is_sent(caplog):
    send = Held(fail_first=True)
    coalescer = Coalescer(send, window=lambda: 0, background=lambda: True)
    coalescer.request(7)
    _wait_for(lambda: "background broadcast for 7 failed" in caplog.text)
    coalescer.request(7)
    _wait_for(lambda: len(send.calls) == 2)
    assert [k for k, *_ in send.calls] == [7, 7]
