"""CSV downloads of an event's attendees, questions and proposal votes.

Written by `portal.csv_export` (times in the event's zone, to the second; formula escaping).
The attendee file is the RSVP app's (`rsvp.selectors.attendee_csv_rows`): the same columns and
order as its own attendee download.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from feedback.selectors import TALK_CSV_HEADER, talk_csv_rows
from portal.csv_export import csv_response
from portal.errors import not_found
from portal.http import login_required
from rsvp.selectors import ATTENDEE_CSV_HEADER, attendee_csv_rows

from .. import selectors
from ._common import event_for

CHUNK = 500

QUESTION_HEADER = [
    "talk",
    "question",
    "asked_by",
    "anonymous",
    "status",
    "votes",
    "asked_at",
    "answered_at",
]
VOTE_HEADER = ["proposal", "proposal_status", "voter", "voted_at"]


def _question_rows(event):
    for q in selectors.questions_for_export(event=event).iterator(chunk_size=CHUNK):
        yield (
            q.talk.title if q.talk else "(whole event)",
            q.text,
            q.author.get_username(),
            q.is_anonymous,
            q.status,
            q.vote_count,
            q.created_at,
            q.answered_at,
        )


def _vote_rows(event):
    for v in selectors.votes_for_export(event=event).iterator(chunk_size=CHUNK):
        yield (v.proposal.title, v.proposal.status, v.user.get_username(), v.created_at)


EXPORTS = {
    "attendees": (ATTENDEE_CSV_HEADER, lambda event: attendee_csv_rows(event=event)),
    "questions": (QUESTION_HEADER, _question_rows),
    "votes": (VOTE_HEADER, _vote_rows),
    "talks": (TALK_CSV_HEADER, lambda event: talk_csv_rows(event=event)),
}


@require_GET
@login_required
def export_csv(request: HttpRequest, group: str, event: str, what: str) -> HttpResponse:
    organised_event = event_for(request, group, event)
    if what not in EXPORTS:
        raise not_found("No such export.")
    header, rows = EXPORTS[what]
    return csv_response(
        filename=f"{organised_event.slug}-{what}.csv",
        header=header,
        rows=rows(organised_event),
        tz=organised_event.tzinfo,
    )
