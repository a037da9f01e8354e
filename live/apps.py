from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = "Live event mode"

    def ready(self) -> None:
        from . import demo, personal_data, signals  # noqa: F401 - connects receivers
