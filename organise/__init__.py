"""Organiser tools: run a group's events without the admin, and the live event dashboard.

Everything here checks `meetups.rules.is_group_organiser` in the view and again in the service;
a group or event the user does not organise answers 404.
"""
