from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders"

    def ready(self) -> None:
        from . import demo, personal_data, receivers  # noqa: F401 - connects the signal receivers
