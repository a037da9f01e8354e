from django.utils.functional import SimpleLazyObject

from .selectors import group_default


def portal_group(request):
    """The portal's main group for the layout (lazy: no query unless a template uses it)."""
    return {"portal_group": SimpleLazyObject(group_default)}
