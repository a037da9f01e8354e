"""What meetups tells the layers above it about events, without knowing who listens.

- `event_published(sender=Event, event=...)`: a draft became public. Sent by the service that
  publishes (organise's `event_publish`), every time, republishing included; a receiver that
  must act once per event (notify's new-event email) keeps its own record of that.
"""

from django.dispatch import Signal

event_published = Signal()
