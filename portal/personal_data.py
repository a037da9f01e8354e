"""Hooks for "your data": every app says what it holds about a person, and forgets it.

The portal is the bottom layer, so it cannot ask the apps above it directly; each app that
stores personal data connects receivers to these two signals in its `AppConfig.ready()`.

- `personal_data_requested(sender=None, user=...)`: a receiver returns `(section, data)`, where
  `section` is a short name ("rsvps", "questions") and `data` is JSON-serialisable (lists of
  dicts, ISO 8601 times). The export is the merge of every receiver's answer.
- `account_erasing(sender=None, user=...)`: a receiver undoes or anonymises that app's part
  inside the caller's transaction (cancel RSVPs through the seat service so the waitlist moves,
  keep questions as "deleted member", withdraw proposals, revoke tokens, drop memberships). The
  account row itself is erased last by the caller.
"""

from django.dispatch import Signal

personal_data_requested = Signal()
account_erasing = Signal()
