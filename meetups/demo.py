"""Demo content from the documents the product started from (../shared/seeds/).

Facts (titles, names, dates, venue, links, attendance) come from the seeds; the prose is ours.
Every write is get-or-create keyed on a natural key, so loading twice changes nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.contrib.sites.models import Site
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from .models import Event, Group, Speaker, Sponsor, Talk, TalkResource, Venue

SYDNEY = ZoneInfo("Australia/Sydney")
ORGANISER_EMAIL = "organiser@example.com"
ORGANISER_PASSWORD = "sydjango-demo"  # noqa: S105 - a demo account, printed for the reader
MEMBER_EMAIL = "member@example.com"

# Sent inside load_demo's transaction once the group, events and accounts exist: the apps built
# on meetups add their demo rows from it (each connects a receiver in its AppConfig.ready, so
# they run in INSTALLED_APPS order). Arguments: group, organiser, member_email, organiser_email,
# now.
demo_loaded = Signal()


@dataclass(frozen=True)
class DemoTalk:
    title: str
    slug: str
    speaker: str | None
    abstract: str
    duration: int
    slides: str = ""
    source: str = ""
    # Where the talk starts in the evening's recording, in seconds (the talk page starts there).
    recording_start: int | None = None


RECONNECT_TALKS = [
    DemoTalk(
        "What is Django and why is it relevant in 2024?",
        "what-is-django-and-why-is-it-relevant-in-2024",
        "Rui Da Costa",
        "Django first shipped in 2005, which makes it a veteran among web frameworks. This talk "
        "looks at why it is still the framework many Python teams reach for: the survey numbers, "
        "the Sydney job market, and what it is like to be paid to use it at companies of every "
        "size.",
        25,
        slides="https://docs.google.com/presentation/d/1wxvqZ3Gk8VMaRWrB6mUiMxOC1voc_R-GP52X2p8469w/edit?usp=drive_link",
        recording_start=75,
    ),
    DemoTalk(
        "Concurrency in Python and Django",
        "concurrency-in-python-and-django",
        "Hashim Muqtadir",
        "Threads, processes, greenlets, async and the GIL: a tour of Python's concurrency tools, "
        "the myths around them, and how to use them well in a Django project without giving up "
        "readable code.",
        25,
        slides="https://drive.google.com/file/d/10fXf40SOgZRVBaN3eLb3vPLuFxLwoc0v/view?usp=drive_link",
        source="https://drive.google.com/file/d/17VUKo-7g4Vm7Zj_Jqpk6OHaDIMMHGz_V/view?usp=drive_link",
        recording_start=1710,
    ),
    DemoTalk(
        "10(8) Simple Techniques to Make Your DRF API Faster",
        "10-8-simple-techniques-to-make-your-drf-api-faster",
        "Artem Kolesnikov",
        "Practical, low-effort changes that sped up a large, long-lived Django REST Framework "
        "application, chosen for the most gain for the least work.",
        25,
        slides="https://slides.city2code.com/django-drf-performance",
        recording_start=3345,
    ),
]

SPEAKER_BIOS = {
    "Rui Da Costa": "Django developer and one of the people behind SyDjango's 2024 reboot.",
    "Hashim Muqtadir": "Python developer with a long-standing interest in concurrency.",
    "Artem Kolesnikov": "Leads a team maintaining a large Django REST Framework application.",
}

UPCOMING = [
    {
        "slug": "sydjango-channels-and-htmx-night",
        "title": "SyDjango: Channels and HTMX night",
        "description": "An evening on live, server-rendered Django: websockets with Channels, "
        "partial page updates with HTMX, and when you do not need a single-page app at all.",
        "weeks_ahead": 4,
        "talks": [
            DemoTalk(
                "Channels and websockets in an HTMX project",
                "channels-and-websockets-in-an-htmx-project",
                None,
                "Pushing server-rendered fragments over a websocket and swapping them in place.",
                20,
            ),
            DemoTalk(
                "Django in a world of single-page apps",
                "django-in-a-world-of-single-page-apps",
                None,
                "What a server-rendered app gives up, what it gains, and how to make the case.",
                20,
            ),
        ],
    },
    {
        "slug": "sydjango-databases-and-performance",
        "title": "SyDjango: Databases and performance",
        "description": "ORM queries that read well and run fast, scaling to a few thousand "
        "users, and what free-threaded Python may mean for a Django app.",
        "weeks_ahead": 9,
        "talks": [
            DemoTalk(
                "No GIL, No Problem? Free-threaded Python and your Django app",
                "no-gil-no-problem",
                None,
                "What PEP 703 could change for a typical Django project, sync and async.",
                25,
            ),
            DemoTalk(
                "Database tips and tricks for the ORM",
                "database-tips-and-tricks-for-the-orm",
                None,
                "Structuring ORM queries for speed and for readability, and read replicas.",
                20,
            ),
        ],
    },
]


def _wednesday_after(day: date, weeks: int) -> datetime:
    """An 18:00 Sydney start on the first Wednesday at least `weeks` weeks after `day`."""
    target = day + timedelta(weeks=weeks)
    target += timedelta(days=(2 - target.weekday()) % 7)
    return datetime.combine(target, time(18, 0), tzinfo=SYDNEY)


def _speaker(name: str) -> Speaker:
    speaker, _ = Speaker.objects.get_or_create(
        slug=name.lower().replace(" ", "-"),
        defaults={"name": name, "bio": SPEAKER_BIOS.get(name, "")},
    )
    return speaker


def _talk(event: Event, demo: DemoTalk, order: int) -> Talk:
    talk, created = Talk.objects.get_or_create(
        slug=demo.slug,
        defaults={
            "event": event,
            "title": demo.title,
            "abstract": demo.abstract,
            "duration_minutes": demo.duration,
            "order": order,
            "slides_url": demo.slides,
            "source_url": demo.source,
            "recording_start_seconds": demo.recording_start,
        },
    )
    if created and demo.speaker:
        talk.speakers.add(_speaker(demo.speaker))
    return talk


def _user(email: str, username: str, *, name: str, staff: bool = False):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": email, "is_staff": staff, "first_name": name}
    )
    if created:
        user.set_password(ORGANISER_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _organiser_permissions() -> AuthGroup:
    """A Django auth group that lets staff organisers use the admin for meetup records."""
    organisers, _ = AuthGroup.objects.get_or_create(name="Organisers")
    perms = Permission.objects.filter(content_type__app_label="meetups")
    organisers.permissions.add(*perms)
    return organisers


@transaction.atomic
def load_demo(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    Site.objects.update_or_create(pk=1, defaults={"domain": "127.0.0.1:8000", "name": "SyDjango"})

    organiser = _user(ORGANISER_EMAIL, "organiser", name="Olive Organiser", staff=True)
    organiser.groups.add(_organiser_permissions())
    _user(MEMBER_EMAIL, "member", name="Mia Member")

    group, _ = Group.objects.get_or_create(
        slug="sydjango",
        defaults={
            "name": "SyDjango",
            "tagline": "The Sydney Django and Python web community",
            "description": "We meet in Sydney to share what we are building with Django: "
            "talks, lightning talks and pizza, hosted by local companies.",
            "time_zone": "Australia/Sydney",
            "owner": organiser,
        },
    )
    group.organisers.add(organiser)

    sponsor, _ = Sponsor.objects.get_or_create(name="Cover Genius")
    venue, _ = Venue.objects.get_or_create(name="Cover Genius", defaults={"city": "Sydney"})

    reconnect, _ = Event.objects.get_or_create(
        slug="sydjango-1-2024-re-connect",
        defaults={
            "group": group,
            "title": "SyDjango #1 2024 (Re-connect)",
            "starts_at": datetime(2024, 2, 21, 18, 0, tzinfo=SYDNEY),
            "ends_at": datetime(2024, 2, 21, 20, 30, tzinfo=SYDNEY),
            "time_zone": "Australia/Sydney",
            "venue": venue,
            "host_sponsor": sponsor,
            "description": "The first SyDjango of 2024 and the group's reboot: three talks on "
            "why Django still matters, concurrency in Python, and faster DRF APIs.",
            "capacity": 50,
            "status": Event.Status.PUBLISHED,
            "recording_url": "https://www.youtube.com/watch?v=jeJmQazH3jA",
            "external_url": "https://www.meetup.com/sydjango/events/298539230",
            "recorded_attendance": 35,
        },
    )
    for order, demo in enumerate(RECONNECT_TALKS, start=1):
        talk = _talk(reconnect, demo, order)
        if demo.recording_start:
            # A video link that opens the evening's recording where this talk starts.
            TalkResource.objects.get_or_create(
                talk=talk,
                kind=TalkResource.Kind.VIDEO,
                url=reconnect.recording_url,
                defaults={"title": "This talk in the evening's recording",
                          "start_seconds": demo.recording_start},
            )  # fmt: skip

    for spec in UPCOMING:
        starts_at = _wednesday_after(now.astimezone(SYDNEY).date(), spec["weeks_ahead"])
        event, _ = Event.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "group": group,
                "title": spec["title"],
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=2, minutes=30),
                "time_zone": "Australia/Sydney",
                "venue": venue,
                "host_sponsor": sponsor,
                "description": spec["description"],
                "capacity": 60,
                "status": Event.Status.PUBLISHED,
            },
        )
        for order, demo in enumerate(spec["talks"], start=1):
            _talk(event, demo, order)

    demo_loaded.send(
        sender=load_demo,
        group=group,
        organiser=organiser,
        member_email=MEMBER_EMAIL,
        organiser_email=ORGANISER_EMAIL,
        now=now,
    )
    return {"group": group, "organiser": organiser}
