from django.apps import AppConfig


class MeetupsConfig(AppConfig):
    name = "meetups"
    verbose_name = "Meetups"

    def ready(self) -> None:
        # The organiser dashboard listens to RSVP changes (live numbers) from start-up.
        from .organise import receivers  # noqa: F401
