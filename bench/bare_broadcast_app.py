"""The baseline: a minimal bare-ASGI broadcast app (no Django, no Channels).

Websocket clients are kept in a set; `POST /broadcast` with a body of N (bytes) sends one text
frame of about N bytes, stamped like the live app's frames, to every socket, then answers with
the stamp. Served by the same server (daphne) as the portal in bench/live_fanout.py.
"""

import time

from bench.servers import serve_bare_app_as_the_portal

serve_bare_app_as_the_portal()

sockets: set = set()


async def app(scope, receive, send):
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        sockets.add(send)
        try:
            while (await receive())["type"] != "websocket.disconnect":
                pass
        finally:
            sockets.discard(send)
    elif scope["type"] == "http":
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        size = int(body or b"4000")
        stamp = time.time_ns()
        text = f'<div id="qa-open" data-broadcast="{stamp}">{"x" * size}</div>'
        message = {"type": "websocket.send", "text": text}
        for socket_send in list(sockets):
            await socket_send(message)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain")]})  # fmt: skip
        await send({"type": "http.response.body", "body": str(stamp).encode()})
