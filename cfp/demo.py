"""Demo call for talks: the ideas board from the second seed document (../shared/seeds/), an
open call with public tallies, and two proposals by the demo member. Loaded by meetups'
`load_demo` through its `demo_loaded` signal."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.dispatch import receiver

from meetups.demo import demo_loaded
from meetups.models import Group, Speaker

from .models import CallForTalks, IdeaVote, Proposal, TalkIdea

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
    """Talk ideas, an open call with public tallies and a decision date a week after voting
    closes, and two proposals by the demo member."""
    CallForTalks.objects.get_or_create(
        group=group,
        defaults={
            "voting_opens_at": now - timedelta(days=7),
            "voting_closes_at": now + timedelta(days=28),
            "decisions_at": now + timedelta(days=35),
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


@receiver(demo_loaded, dispatch_uid="cfp.demo")
def on_demo_loaded(*, group: Group, organiser, now: datetime, **kwargs) -> None:
    load_cfp_demo(group=group, organiser=organiser, now=now)
    # The admin's "Organisers" group (made by meetups' demo) may correct call-for-talks rows too.
    organisers = AuthGroup.objects.get(name="Organisers")
    organisers.permissions.add(*Permission.objects.filter(content_type__app_label="cfp"))
