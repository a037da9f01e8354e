"""The queued sends (Django's tasks, `run_after` on the database backend; `db_worker`).

Queued by `reminders.services.reminders_schedule` with the event's id, the offset and the
event time the send was computed for (ISO 8601), so a task finds out itself whether the event
still stands and still starts (or ends) then. Returns how many emails it sent.
"""

from datetime import datetime

from django.tasks import task

from .sending import recap_send, reminders_send


@task
def send_event_reminders(event_id: int, offset_minutes: int, for_time: str) -> int:
    return reminders_send(
        event_id=event_id,
        offset_minutes=offset_minutes,
        for_time=datetime.fromisoformat(for_time),
    )


@task
def send_event_recap(event_id: int, offset_minutes: int, for_time: str) -> int:
    return recap_send(
        event_id=event_id,
        offset_minutes=offset_minutes,
        for_time=datetime.fromisoformat(for_time),
    )
