"""A question's markup in a Q&A broadcast, rendered once per state of that question.

A broadcast carries one Q&A's whole list for each audience, and a vote changes one
question's count. Rendering every question again for every broadcast made each broadcast cost
more the longer the list: about 0.7 ms a question for the public and 1.6 ms for organisers
(with their moderation forms), so a room with 40 questions spent about 100 ms of CPU on every
vote's broadcast. Here each item is kept under everything it shows, so a broadcast renders
only the items whose state changed, and an item is never shown from an older state: a changed
question has a new key. Pages render their own items (with the viewer's votes and CSRF
token); these are for broadcasts only, which carry neither.
"""

import threading

from django.template.loader import render_to_string

from .models import Question

# Items kept per process; the oldest go first. A state's item outlives it only until then.
MAX_ITEMS = 4096

_items: dict[tuple, str] = {}
_lock = threading.Lock()


def _key(question: Question, context: dict) -> tuple:
    """Everything live/fragments.html#question_item shows: the question's own columns, its
    author's names, and the broadcast's context for this audience."""
    author = question.author
    return (
        tuple(getattr(question, field.attname) for field in Question._meta.concrete_fields),
        (author.get_username(), author.get_full_name(), author.email),
        context["audience"],
        context["can_vote"],
        context["pinned_id"] == question.pk,
        context["qa_url"],
        context["event"].time_zone,
    )


def question_item(question: Question, context: dict) -> str:
    """The item of `question` for a broadcast's `context` (audience, can_vote, pinned_id,
    qa_url, event; no viewer's votes and no CSRF token)."""
    if context.get("my_votes") or context.get("csrf_token"):
        raise ValueError("a broadcast's items carry no viewer's votes and no CSRF token")
    key = _key(question, context)
    html = _items.get(key)
    if html is None:
        html = render_to_string("live/fragments.html#question_item", {**context, "q": question})
        with _lock:
            _items[key] = html
            while len(_items) > MAX_ITEMS:
                del _items[next(iter(_items))]
    return html


def forget_all() -> None:
    """Drop every kept item (a fresh process; tests)."""
    with _lock:
        _items.clear()
