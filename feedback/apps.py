"""Talk feedback: ratings and comments from people who were in the room, private to the
speakers and the organisers."""

from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        # Connects the signal receivers and registers the permissions.
        from . import demo, personal_data, receivers, rules  # noqa: F401
