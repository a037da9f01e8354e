from django.core.management.base import BaseCommand

from meetups.demo import ORGANISER_EMAIL, ORGANISER_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo group, venue, events, talks and accounts (safe to run again)."

    def handle(self, *args, **options):
        load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write(
            f"Demo organiser login: {ORGANISER_EMAIL} / {ORGANISER_PASSWORD} "
            "(also member@example.com with the same password)"
        )
