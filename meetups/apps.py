from django.apps import AppConfig


class MeetupsConfig(AppConfig):
    name = "meetups"
    verbose_name = "Meetups"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  (connects the receivers)
