"""Property-based test of the seat rules: random RSVPs, cancels, guest changes, capacity
changes and the waitlist cut-off, checked after every step against the rules in the issue.

How many sequences it tries is the Hypothesis profile's (tests/conftest.py): `make test` runs a
fixed, derandomised set, so a failure reproduces and a pass means the same every time;
`make test-explore` searches far more with a fresh seed. Among the breaks it catches in the fixed
set: the waitlist promoted in reverse order (tests/rsvp/test_waitlist_order.py pins it too)."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from portal.errors import ServiceError
from rsvp import services
from rsvp.models import Rsvp, RsvpSettings
from tests import factories

PEOPLE = 7
GUESTS_ALLOWED = 2


class SeatRules(RuleBasedStateMachine):
    capture_on_commit = None  # set by the test: pytest-django's on-commit capturer

    def __init__(self):
        super().__init__()
        self.event = factories.make_event(capacity=4)
        self.settings = RsvpSettings.objects.create(event=self.event, guests_allowed=GUESTS_ALLOWED)
        self.users = [factories.make_user() for _ in range(PEOPLE)]
        self.cutoff_passed = False
        self.seats_before = 0
        self.before = self.snapshot()
        self.promotions = Counter()  # (rsvp id, queued_at) -> promotion emails

    # Helpers ---------------------------------------------------------------------------

    def snapshot(self) -> dict[int, tuple]:
        return {
            r.pk: (r.status, r.guests, r.queued_at, r.promoted_at)
            for r in Rsvp.objects.filter(event=self.event)
        }

    def seats(self) -> int:
        return Rsvp.objects.filter(event=self.event, status="going").aggregate(
            n=Coalesce(Sum(F("guests") + 1), 0)
        )["n"]

    def own(self, who: int) -> Rsvp | None:
        return Rsvp.objects.filter(event=self.event, user=self.users[who]).first()

    def step(self, action) -> None:
        """Run one action; a refused one must change nothing."""
        self.before = self.snapshot()
        self.seats_before = self.seats()
        sent = len(mail.outbox)
        try:
            with self.capture_on_commit(execute=True):
                action()
        except ServiceError as error:
            assert 400 <= error.status < 500
            assert error.message
            assert self.snapshot() == self.before
        for message in mail.outbox[sent:]:
            if message.subject.startswith("A seat opened up"):
                rsvp = Rsvp.objects.get(event=self.event, user__email=message.to[0])
                self.promotions[(rsvp.pk, rsvp.queued_at)] += 1

    # Rules -----------------------------------------------------------------------------

    @initialize(queued=st.booleans())
    def start(self, queued):
        """Half the runs start from a full event with three parties waiting (of one, two and
        one seats): from there nearly every step frees seats for some of the queue but not all,
        where the order decides who goes."""
        if not queued:
            return
        for who, guests in ((0, 2), (1, 0), (2, 0), (3, 1), (4, 0)):
            self.rsvp(who=who, guests=guests)

    @rule(who=st.integers(0, PEOPLE - 1), guests=st.integers(-1, GUESTS_ALLOWED + 1))
    def rsvp(self, who, guests):
        self.step(
            lambda: services.rsvp_create(event=self.event, user=self.users[who], guests=guests)
        )

    @rule(who=st.integers(0, PEOPLE - 1), guests=st.integers(-1, GUESTS_ALLOWED + 1))
    def change_guests(self, who, guests):
        if mine := self.own(who):
            self.step(
                lambda: services.rsvp_guests_change(
                    rsvp_id=mine.pk, user=self.users[who], guests=guests
                )
            )

    @rule(who=st.integers(0, PEOPLE - 1))
    def cancel(self, who):
        if mine := self.own(who):
            self.step(lambda: services.rsvp_cancel(rsvp_id=mine.pk, user=self.users[who]))

    @rule()
    def a_single_seat_frees(self):
        """Someone going alone cancels: one seat frees, often enough for only part of the
        queue (random cancels and capacity changes mostly free room for all or none)."""
        alone = Rsvp.objects.filter(event=self.event, status="going", guests=0).last()
        if alone:
            self.step(lambda: services.rsvp_cancel(rsvp_id=alone.pk, user=alone.user))

    @rule(capacity=st.integers(0, 8))
    def change_capacity(self, capacity):
        def save():
            self.event.capacity = capacity
            self.event.save()

        self.step(save)

    @rule()
    def pass_cutoff(self):
        self.settings.waitlist_cutoff_at = timezone.now() - timedelta(seconds=1)
        self.settings.save()
        self.event.refresh_from_db()
        self.cutoff_passed = True
        self.before = self.snapshot()
        self.seats_before = self.seats()

    # Invariants ------------------------------------------------------------------------

    @invariant()
    def seats_never_exceed_capacity(self):
        # A capacity cut keeps the seats already given; no step may add seats beyond it.
        seats = self.seats()
        if seats > self.seats_before:
            assert seats <= self.event.capacity
        assert seats <= max(self.event.capacity, self.seats_before)

    @invariant()
    def promotions_follow_the_queue(self):
        now = self.snapshot()
        promoted = [
            pk for pk, row in now.items()
            if row[0] == "going" and pk in self.before and self.before[pk][0] == "waitlisted"
        ]  # fmt: skip
        if self.cutoff_passed:
            assert promoted == []
        waiting = [(row[2], pk, row[1]) for pk, row in now.items() if row[0] == "waitlisted"]
        for pk in promoted:
            queued, guests = now[pk][2], now[pk][1]
            # Nobody who was ahead and needed no more seats was skipped.
            assert not [w for w in waiting if (w[0], w[1]) < (queued, pk) and w[2] <= guests]

    @invariant()
    def the_waitlist_moves_by_itself(self):
        if self.cutoff_passed:
            return
        free = self.event.capacity - self.seats()
        fitting = Rsvp.objects.waitlisted().filter(event=self.event, guests__lte=free - 1)
        assert not fitting.exists()

    @invariant()
    def nobody_is_promoted_twice(self):
        assert all(n == 1 for n in self.promotions.values())

    @invariant()
    def one_rsvp_per_person(self):
        assert Rsvp.objects.filter(event=self.event).count() <= PEOPLE


@pytest.mark.hypothesis
@pytest.mark.django_db
def test_seat_rules_hold_for_any_sequence(django_capture_on_commit_callbacks):
    SeatRules.capture_on_commit = staticmethod(django_capture_on_commit_callbacks)
    run_state_machine_as_test(
        SeatRules,
        settings=settings(stateful_step_count=25, suppress_health_check=[HealthCheck.too_slow]),
    )
