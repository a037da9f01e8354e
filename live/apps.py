from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = "Live event mode"

    def ready(self) -> None:
        from . import demo, signals  # noqa: F401 - connects the signal receivers
