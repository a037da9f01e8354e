from django.apps import AppConfig


class RsvpConfig(AppConfig):
    name = "rsvp"
    verbose_name = "RSVPs and check-in"
