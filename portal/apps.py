from django.apps import AppConfig
from django.urls import register_converter

from .numbers import IdConverter


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        # `<id:pk>` in every app's urls.py: a primary key too big for the database is a 404.
        register_converter(IdConverter, "id")
        from . import personal_data, time_zones  # noqa: F401 - connects the signal receivers
