"""Run in a subprocess against a migrated copy of `data/before_layers.sql` (DATABASE_URL): prints,
as JSON, every table's row count, what the moved models read back, and whether the rows still
work through the pages and the API (a ticket checks in, a token authenticates, both
invitations open). Django's own test client drives the requests, in this process."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
sys.path.insert(0, os.getcwd())
django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from cfp.models import Proposal  # noqa: E402
from organise.models import AttendeeMessage, OrganiserInvitation  # noqa: E402
from rsvp.models import Rsvp  # noqa: E402

User = get_user_model()
tables = connection.introspection.table_names()
counts = {}
with connection.cursor() as cursor:
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the schema
        counts[table] = cursor.fetchone()[0]

models = {
    f"{model._meta.app_label}.{model.__name__}": model._default_manager.count()
    for app in ("meetups", "rsvp", "cfp", "live", "organise", "portal")
    for model in apps.get_app_config(app).get_models()
}
proposal = Proposal.objects.select_related("idea", "group").get(title="Moving models between apps")
organiser = User.objects.get(username="organiser")
member = User.objects.get(username="member")

checks = {
    "proposal": {
        "idea": proposal.idea.title,
        "group": proposal.group.slug,
        "preferred_events": proposal.preferred_events.count(),
        "votes": proposal.votes.count(),
        "reviews": [(r.reviewer.username, r.score) for r in proposal.reviews.all()],
        "co_speakers": list(proposal.co_speakers.values_list("email", flat=True)),
    },
    "message_subject": AttendeeMessage.objects.get().subject,
    "invitation_email": OrganiserInvitation.objects.get().email,
    "content_types": sorted(
        f"{ct.app_label}.{ct.model}"
        for ct in ContentType.objects.filter(app_label__in=["meetups", "cfp", "organise"])
    ),
}

client = Client()
client.force_login(organiser)
response = client.post("/check-in/t/before-layers-ticket/")
checks["ticket_check_in_status"] = response.status_code
checks["ticket_checked_in"] = Rsvp.objects.get(ticket_token="before-layers-ticket").is_checked_in

api = Client()
response = api.get("/api/me/rsvps", headers={"authorization": "Bearer mp_before-layers-api-token"})
checks["token_status"] = response.status_code
checks["token_rsvps"] = len(response.json()) if response.status_code == 200 else None

invitee = Client()
invitee.force_login(member)
checks["co_speaker_invitation_status"] = invitee.get("/invitations/before-layers-co-speaker/").status_code
checks["organiser_invitation_status"] = invitee.get(
    "/organise/invitations/before-layers-organiser-invitation/"
).status_code

print(json.dumps({"counts": counts, "models": models, "checks": checks}))
