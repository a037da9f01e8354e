"""Websocket URL routes (wrapped by origin and auth middleware in portal/asgi.py)."""

from django.urls import path

from .consumers import LiveConsumer

websocket_urlpatterns: list = [
    path("ws/events/<id:event_id>/live/", LiveConsumer.as_asgi()),
]
