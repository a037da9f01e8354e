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
from django.utils import timezone

from live.demo import load_live_demo
from rsvp.demo import load_demo_rsvps

from .models import Event, Group, Speaker, Sponsor, Talk, Venue

SYDNEY = ZoneInfo("Australia/Sydney")
ORGANISER_EMAIL = "organiser@example.com"
ORGANISER_PASSWORD = "sydjango-demo"  # noqa: S105 - a demo account, printed for the reader
MEMBER_EMAIL = "member@example.com"


@dataclass(frozen=True)
class DemoTalk:
    title: str
    slug: str
    speaker: str | None
    abstract: str
    duration: int
    slides: str = ""
    source: str = ""


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
    ),
    DemoTalk(
        "10(8) Simple Techniques to Make Your DRF API Faster",
        "10-8-simple-techniques-to-make-your-drf-api-faster",
        "Artem Kolesnikov",
        "Practical, low-effort changes that sped up a large, long-lived Django REST Framework "
        "application, chosen for the most gain for the least work.",
        25,
        slides="https://slides.city2code.com/django-drf-performance",
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
        },
    )
    if created and demo.speaker:
        talk.speakers.add(_speaker(demo.speaker))
    return talk


def _user(email: str, username: str, *, staff: bool = False):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": email, "is_staff": staff}
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

    organiser = _user(ORGANISER_EMAIL, "organiser", staff=True)
    organiser.groups.add(_organiser_permissions())
    _user(MEMBER_EMAIL, "member")

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
        _talk(reconnect, demo, order)

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

    load_cfp_demo(group=group, organiser=organiser, now=now)
    load_demo_rsvps(member_email=MEMBER_EMAIL)
    load_live_demo(member_email=MEMBER_EMAIL, organiser_email=ORGANISER_EMAIL)
    return {"group": group, "organiser": organiser}


# --- Call for talks: the ideas board from the second seed document, an open call, two proposals --

# Topic titles as listed in the seed (a program chair's wish list); the descriptions are ours.
TALK_IDEAS = [
    (
        "No GIL, No Problem? How Python (possibly) removing the Global Interpreter Lock might "
        "affect your Django app",
        "Free-threaded CPython is arriving as a build option. What would a typical Django app "
        "gain or lose, sync and async, CPU-bound and I/O-bound?",
    ),
    (
        "New features in Django 5.1",
        "Pick something from the release notes you are excited about and show it in action.",
    ),
    (
        "Challenges of using a project like Django in a world where single-page apps (SPAs) "
        "are the norm",
        "How to make the case for server-rendered apps to people who have only known "
        "JavaScript-first front ends.",
    ),
    (
        "Unexpected use cases, especially ones that make the world better",
        "Django doing good somewhere you would not expect it.",
    ),
    (
        "Clever hacks (such as Carlton Gibson's single-file Django project)",
        "Unorthodox, even absurd uses of Django and Python, and what they teach.",
    ),
    (
        "HTMX/Alpine/Tailwind/other new CSS/frontend framework",
        "Front-end tools that pair well with Django templates, shown on a real page.",
    ),
    (
        "Have you used channels for websockets? How about using them with an HTMX project?",
        "Live updates without a single-page app: Channels, websockets and HTMX together.",
    ),
    (
        "Development and testing techniques that help you build better code",
        "Habits and tests that make life easier for the next developer, and kinder teams.",
    ),
    (
        "Philosophical debates around code architecture, such as when to make the call on a "
        "large-scale refactor",
        "Rewrite, refactor or leave it alone? How you decided, and how it turned out.",
    ),
    (
        "Database tips and tricks",
        "ORM queries for speed and for readability, read replicas, table design, GIS.",
    ),
    (
        "The Django, Python, and web dev communities: the past, the future, the present, the "
        "culture, the why, the who, and the what that makes it all possible",
        "Rebuilding local groups after the pandemic, and getting people to volunteer.",
    ),
    (
        "Using Django in machine learning projects",
        "Real data analysis that helps users, beyond bolting on a chatbot.",
    ),
    (
        "Performance and scaling",
        "From a handful of users to a few thousand at once: what had to change.",
    ),
    (
        "Deployment at any size",
        "From a hobby project to a large monolith: fast, boring, reliable deployments.",
    ),
    (
        "Career development",
        "Growing as a developer when the room spans one year to thirty of experience.",
    ),
    (
        "Ethics in programming: all code we write has consequences and potential misuse",
        "How code gets misused, and what we can or should do about it.",
    ),
    (
        "GPTs, LLMs, and AIs, oh my!",
        "Using generative models responsibly: cost, climate, copyright and correctness.",
    ),
    (
        "Personal growth: how the community helped you in some way and you'd like to pay it "
        "forward",
        "A personal story of what the community gave you.",
    ),
    (
        "Something else entirely?",
        "A talk that fits nowhere else. Propose it anyway.",
    ),
]

DEMO_PROPOSALS = [
    {
        "idea": "Have you used channels for websockets? How about using them with an HTMX project?",
        "title": "Live Q&A with Channels and HTMX, no SPA required",
        "abstract": "How this very portal pushes live question lists to every open browser: a "
        "Channels consumer, server-rendered fragments and the htmx `ws` extension.\n\n"
        "- what to broadcast (whole state, not deltas)\n- reconnects that heal themselves\n"
        "- testing it with Playwright",
        "length": 20,
        "status": "in_voting",
    },
    {
        "idea": "Database tips and tricks",
        "title": "Five query-count tests that saved our pages",
        "abstract": "A lightning tour of `django_assert_num_queries` in practice.",
        "length": 5,
        "status": "submitted",
    },
]


def load_cfp_demo(*, group: Group, organiser, now: datetime) -> None:
    """Talk ideas, an open call with public tallies, and two proposals by the demo member."""
    from .models import CallForTalks, IdeaVote, Proposal, TalkIdea

    CallForTalks.objects.get_or_create(
        group=group,
        defaults={
            "voting_opens_at": now - timedelta(days=7),
            "voting_closes_at": now + timedelta(days=28),
            "tallies": CallForTalks.Tallies.PUBLIC,
        },
    )
    member = get_user_model().objects.get(username="member")
    ideas = {}
    for offset, (title, description) in enumerate(TALK_IDEAS):
        ideas[title], _ = TalkIdea.objects.get_or_create(
            group=group,
            title=title,
            defaults={
                "description": description,
                "author": organiser,
                "created_at": now - timedelta(days=len(TALK_IDEAS) - offset),
            },
        )
    for voter, titles in ((organiser, TALK_IDEAS[:6:2]), (member, TALK_IDEAS[:3])):
        for title, _ in titles:
            IdeaVote.objects.get_or_create(idea=ideas[title], user=voter)
    for spec in DEMO_PROPOSALS:
        Proposal.objects.get_or_create(
            group=group,
            submitter=member,
            title=spec["title"],
            defaults={
                "idea": ideas[spec["idea"]],
                "abstract": spec["abstract"],
                "length_minutes": spec["length"],
                "status": spec["status"],
            },
        )
    _speaker_for_member(member)


def _speaker_for_member(member) -> None:
    Speaker.objects.get_or_create(
        user=member,
        defaults={"name": "Demo Member", "slug": "demo-member", "bio": "A member who speaks."},
    )
