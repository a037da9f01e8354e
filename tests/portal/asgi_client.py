"""A test client that sends each request through the portal's ASGI handler, as daphne does:
the thread pool handler (portal/asgi_http.py) with its front for cached pages
(portal/pagecache_front.py), on one event loop for the client's lifetime."""

import asyncio

from channels.testing import HttpCommunicator
from django.db import connections
from django.http import HttpResponse

from portal.asgi_http import ThreadPoolASGIHandler


class AsgiClient:
    def __init__(self, threads: int = 1):
        self.handler = ThreadPoolASGIHandler(threads=threads)
        self.loop = asyncio.new_event_loop()

    def get(self, path: str, *, headers: dict[str, str] | None = None) -> HttpResponse:
        return self.request("GET", path, headers=headers)

    def head(self, path: str, *, headers: dict[str, str] | None = None) -> HttpResponse:
        return self.request("HEAD", path, headers=headers)

    def request(self, method: str, path: str, *, headers: dict | None = None) -> HttpResponse:
        url, _, query = path.partition("?")
        given = {name.lower(): value for name, value in (headers or {}).items()}
        given.setdefault("host", "testserver")
        sent = [(name.encode(), value.encode()) for name, value in given.items()]
        communicator = HttpCommunicator(self.handler, method, url, headers=sent)
        communicator.scope["query_string"] = query.encode()
        answer = self.loop.run_until_complete(self._exchange(communicator))
        response = HttpResponse(answer["body"], status=answer["status"])
        for name, value in answer["headers"]:
            response.headers[name.decode()] = value.decode()
        return response

    def record_threads(self, monkeypatch) -> list[str]:
        """The paths of the requests that, from now on, take one of the handler's threads
        (the whole middleware chain) rather than being answered by the front."""
        taken: list[str] = []
        respond = self.handler._respond

        def counted(scope, body_file):
            taken.append(scope["path"])
            return respond(scope, body_file)

        monkeypatch.setattr(self.handler, "_respond", counted)
        return taken

    @staticmethod
    async def _exchange(communicator: HttpCommunicator) -> dict:
        answer = await communicator.get_response(timeout=10)
        await communicator.wait(timeout=10)  # the handler has handed its thread back
        return answer

    def close(self) -> None:
        """Closes the database connections of the handler's threads, then the threads."""
        free = self.handler._free_threads.get(self.loop)
        while free is not None and not free.empty():
            executor = free.get_nowait()
            executor.submit(connections.close_all).result()
            executor.shutdown()
        self.loop.close()
