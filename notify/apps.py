from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from . import demo, personal_data, receivers, rules  # noqa: F401 - connects the receivers
