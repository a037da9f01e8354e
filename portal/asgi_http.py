"""Django's HTTP handler for ASGI, run the way a threaded WSGI server runs a sync app.

Stock `ASGIHandler` gives every request a thread of its own (a fresh `ThreadSensitiveContext`)
and, with an async middleware chain, hops between the event loop and that thread for every
sync middleware hook and again for the view: about twenty hops a request here. Under a burst
(500 RSVPs at once) that is 500 threads fighting the event loop for the GIL on two cores, and
a two-query GET falls to ~70 requests a second (docs/benchmarks.md, "RSVP rush").

Every view and middleware of the portal is sync, so this handler runs the whole sync chain, and
the request signals around it, in one hop, on one of a fixed number of long-lived threads per
process; requests beyond that wait
their turn on the event loop, where waiting is cheap. Each thread keeps its database
connection between requests, as under gunicorn's threaded workers. Websockets do not pass
through here (Channels routes them to the consumers).

The request body is bounded here, before Django buffers it (portal/limits.py), and read on the
event loop before the request takes a thread, so a slow upload does not hold one. An anonymous
page the cache holds is then answered on the event loop, without a thread
(portal/pagecache_front.py).
"""

import asyncio
import weakref
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix

from . import limits
from .http_load import request_in_progress
from .pagecache_front import CachedPagesFront


class _BodyAlreadyRead:
    """The request's `receive`, carrying the body file read before the request took a thread."""

    def __init__(self, receive, body_file):
        self.receive = receive
        self.body_file = body_file

    async def __call__(self):
        # After the body, Django only listens for the client going away.
        return await self.receive()


class _Sent(Exception):
    """The response went out: ends the task group listening for a disconnect."""


class ThreadPoolASGIHandler(ASGIHandler):
    def __init__(self, threads: int):
        if threads < 1:
            raise ValueError("an HTTP handler needs at least one thread")
        # Not ASGIHandler.__init__: that would build the async middleware chain this class
        # exists to avoid.
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self.cached_pages = CachedPagesFront()
        self.threads = threads
        # One set of threads per event loop: in production one loop per process, but tests
        # may drive the same application from several loops.
        self._free_threads: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Queue]
        self._free_threads = weakref.WeakKeyDictionary()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        with request_in_progress():
            await self._serve(scope, receive, send)

    async def _serve(self, scope, receive, send):
        limit = limits.body_limit(scope)
        declared = limits.declared_length(scope)
        if declared is not None and declared > limit:
            await limits.send_too_large(scope, send, limit)  # not a byte of the body read
            return
        counting = limits.CountingReceive(receive, limit)
        try:
            body_file = await self.read_body(counting)
        except RequestAborted:
            if counting.exceeded:
                await limits.send_too_large(scope, send, limit)
            return  # else the client went away
        if (cached := self._cached_page(scope, body_file)) is not None:
            with closing(body_file):
                await self.send_response(cached, send)
            return
        free = self._free_threads_of_this_loop()
        try:
            executor = await free.get()
        except BaseException:
            body_file.close()  # cancelled while waiting for a thread; handle() would close it
            raise
        try:
            # Every thread-sensitive call of this request (signals, middleware, view, closing
            # the response) runs on `executor`'s single thread.
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, _BodyAlreadyRead(receive, body_file), send)
        finally:
            free.put_nowait(executor)

    async def handle(self, scope, receive, send):
        """Django's `ASGIHandler.handle` with one hop to the thread instead of three: the
        request_started signal, the request, the response and (for a response already in
        memory) its close, which sends request_finished, all in one call. Each hop costs a
        thread wake-up and one of the event loop, for every request."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        with closing(body_file):
            set_script_prefix(get_script_prefix(scope))
            respond = sync_to_async(self._respond, thread_sensitive=True)
            response = await respond(scope, body_file)
            try:
                async with asyncio.TaskGroup() as tasks:
                    tasks.create_task(self.listen_for_disconnect(receive))
                    await self.send_response(response, send)
                    raise _Sent
            except* (_Sent, RequestAborted):
                pass
            if response.streaming:
                await sync_to_async(response.close)()

    def _cached_page(self, scope, body_file):
        """An anonymous page the cache holds, answered here on the event loop without a thread
        (portal/pagecache_front.py); None for everything else."""
        if not self.cached_pages.may_answer(scope["method"]):
            return None
        request, _ = self.create_request(scope, body_file)  # reads nothing of the body
        return self.cached_pages.respond(request) if request is not None else None

    def _respond(self, scope, body_file):
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size  # the server chunks; fewer, larger parts
        if not response.streaming:
            response.close()  # its content is in memory: request_finished now, in this hop
        return response

    async def read_body(self, receive):
        # handle() asks again for the body; it was read (and bounded) in __call__.
        if isinstance(receive, _BodyAlreadyRead):
            return receive.body_file
        return await super().read_body(receive)

    def _free_threads_of_this_loop(self) -> asyncio.Queue:
        loop = asyncio.get_running_loop()
        free = self._free_threads.get(loop)
        if free is None:
            # Last in, first out: at low load the same few threads (and connections) serve.
            free = asyncio.LifoQueue()
            for n in range(self.threads):
                free.put_nowait(ThreadPoolExecutor(1, thread_name_prefix=f"http-{n}"))
            self._free_threads[loop] = free
        return free
