"""ASGI entry point: HTTP through Django, websockets through Channels."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Django must be set up before anything imports models (the consumers do).
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402

from portal.asgi_http import ThreadPoolASGIHandler  # noqa: E402
from portal.autobahn_logs import skip_unread_debug_formatting  # noqa: E402
from portal.twisted_forms import disable_form_parsing  # noqa: E402
from portal.twisted_writes import write_eagerly  # noqa: E402

# Under daphne, Twisted would parse each form body in memory before Django bounds it.
disable_form_parsing()
# And Twisted would wait a turn of the event loop before sending each websocket frame.
write_eagerly()
# And autobahn would format debug lines nobody reads on every websocket handshake.
skip_unread_debug_formatting()
django_asgi_app = ThreadPoolASGIHandler(threads=settings.HTTP_THREADS)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

from live.routing import websocket_urlpatterns  # noqa: E402
from portal.websockets import (  # noqa: E402
    AuthMiddlewareStack,
    SameOriginOnly,
    refuse_unknown_path,
)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginOnly(
            AuthMiddlewareStack(
                # Last, so a path no route knows is refused rather than raised.
                URLRouter([*websocket_urlpatterns, re_path(r"", refuse_unknown_path)])
            )
        ),
    }
)

# The startup heap (Django, the URL conf, templates, about 130,000 objects) lives as long as
# the process: out of the cyclic collector's passes, so a full collection, which a storm of
# reconnects triggers as the heap grows, walks only what came since.
gc.freeze()
# The youngest generation is collected after 10,000 new container objects instead of 2,000.
# At 2,000, what a heartbeat or a request has in flight is caught there and promoted, and a
# worker holding 10,000 quiet sockets ran a full collection (0.8 s with every socket paused)
# about every two minutes; at 10,000, none in the three minutes watched after the connects
# (docs/benchmarks.md, "The collector's young generation").
GC_YOUNG_THRESHOLD = 10_000
gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
