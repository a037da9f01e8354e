"""Organiser tools: run a group's events without the admin, and the live event dashboard.

Every view, API route and service asks `organise.rules.require_organiser` (meetups'
`is_group_organiser`); a group or event the user does not organise answers 404.
"""
