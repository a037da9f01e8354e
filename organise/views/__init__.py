"""Organiser pages, by flow: the group's events (`groups`), event forms (`events`), the
dashboard and its panels and quick actions (`dashboard`), co-organisers (`people`), messages to
attendees (`messages`) and CSV exports (`exports`).

Thin: each view finds its group or event with `organised_group_get`/`organised_event_get`
(anyone but the group's organisers: not found) and writes through the services. A refusal
shown in place (a form field, a panel) is answered with its status; any other refusal is left
to `portal.refusals`.
"""
