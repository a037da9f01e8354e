from django.apps import AppConfig


class RsvpConfig(AppConfig):
    name = "rsvp"
    verbose_name = "RSVPs and check-in"

    def ready(self) -> None:
        from . import demo, personal_data, receivers  # noqa: F401 - connects the signal receivers
