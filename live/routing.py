"""Websocket URL routes (wrapped by origin and auth middleware in portal/asgi.py)."""

websocket_urlpatterns: list = []
