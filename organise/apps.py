from django.apps import AppConfig


class OrganiseConfig(AppConfig):
    name = "organise"
    verbose_name = "Organiser tools"

    def ready(self) -> None:
        # The dashboard listens to attendance changes (live numbers) and logins (the nav flag).
        from . import personal_data, receivers  # noqa: F401
