"""`{{ user|display_name }}` in every template (a builtin: settings.TEMPLATES), so a page names
a person the one way `portal.people.display_name` does."""

from django import template

from portal.people import display_name

register = template.Library()
register.filter("display_name", display_name)
