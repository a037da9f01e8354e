"""`{% load organise %}`: organiser links whose permission is checked in Python."""

from django import template

from organise import nav as tags

register = template.Library()

register.simple_tag(tags.organise_event_url, takes_context=True)
register.simple_tag(tags.organise_nav_url, takes_context=True)
