"""The ceiling for bench/pages.py: a bare ASGI app (no Django) answering pages of a given size.

Every HTTP request is answered 200 with an HTML body of as many bytes as the portal's page it
stands for: `BARE_PAGE_SIZES` (JSON, set by bench/pages.py) maps a path to its size for an
anonymous visitor (`"anonymous"`) and for a request carrying a cookie (`"signed_in"`); a path
it does not know gets `"default"` bytes. Bodies are built once, at import. Served by the same
server (daphne) as the portal, so the gap between the two is what Django's page costs.
"""

import json
import os

from bench.servers import serve_bare_app_as_the_portal

serve_bare_app_as_the_portal()

_SIZES = json.loads(os.environ.get("BARE_PAGE_SIZES", "{}"))
_DEFAULT = b"x" * int(_SIZES.get("default", 20_000))
_BODIES = {
    kind: {path.encode(): b"x" * size for path, size in _SIZES.get(kind, {}).items()}
    for kind in ("anonymous", "signed_in")
}
_HEADERS = [(b"content-type", b"text/html; charset=utf-8")]


async def app(scope, receive, send):
    if scope["type"] != "http":
        return  # daphne sends no lifespan; websockets are not part of this benchmark
    signed_in = any(name == b"cookie" for name, _ in scope["headers"])
    path = scope.get("raw_path") or scope["path"].encode()
    body = _BODIES["signed_in" if signed_in else "anonymous"].get(path, _DEFAULT)
    headers = [*_HEADERS, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
