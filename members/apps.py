"""Group membership: joining, leaving, listing, bans, and who may take part in what."""

from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from . import demo, personal_data  # noqa: F401 - connects the signal receivers
