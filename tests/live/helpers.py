"""Helpers for driving the live websocket in-process with channels' WebsocketCommunicator."""

import contextlib

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client, TestCase

from live.hub import hub

ORIGIN = b"http://testserver"


def ws_path(event, *, qa="event", sort="top", view="live") -> str:
    return f"/ws/events/{event.pk}/live/?qa={qa}&sort={sort}&view={view}"


def communicator(path: str, *, client: Client | None = None, origin: bytes | None = ORIGIN):
    # Imported late: the origin validator reads ALLOWED_HOSTS when built, and pytest-django
    # adds "testserver" to it only once the session has started.
    from portal.asgi import application

    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin))
    if client is not None and "sessionid" in client.cookies:
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


@contextlib.asynccontextmanager
async def live_process():
    """The hub of this (test) process; stopped at the end so no task outlives the loop."""
    try:
        yield hub
    finally:
        await hub.stop()


def committed(func, /, **kwargs):
    """Run a service as if its transaction committed (its on_commit broadcasts run), async."""

    def call():
        with TestCase.captureOnCommitCallbacks(execute=True):
            return func(**kwargs)

    return database_sync_to_async(call)()


def only_presence(frame: str) -> bool:
    return frame.strip().startswith('<dd id="live-online"') and frame.count(" id=") == 1


async def next_frame(comm, *, timeout: float = 5) -> str:
    """The next frame that is not just an "online now" update (those come on their own tick)."""
    while True:
        frame = await comm.receive_from(timeout=timeout)
        if not only_presence(frame):
            return frame


async def quiet(comm, *, timeout: float = 0.3) -> bool:
    """True if nothing but presence updates arrives within `timeout`.

    (receive_nothing, not a timed-out receive: a timeout in receive_output kills the app.)
    """
    while not await comm.receive_nothing(timeout=timeout):
        if not only_presence(await comm.receive_from(timeout=timeout)):
            return False
    return True


async def close_code(comm, *, timeout: float = 5) -> int:
    """Wait for the server to close this socket; its close code."""
    while True:
        message = await comm.receive_output(timeout=timeout)
        if message["type"] == "websocket.close":
            return message["code"]


def field_values(instance) -> dict:
    """Every column of a model instance as loaded: to compare a written-out read with the ORM's."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
