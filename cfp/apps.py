from django.apps import AppConfig


class CfpConfig(AppConfig):
    name = "cfp"
    verbose_name = "Call for talks"

    def ready(self) -> None:
        from . import demo, personal_data  # noqa: F401 - connects the signal receivers
