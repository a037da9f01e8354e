"""Emails to members: preferences, new-event announcements, organisers' announcements, unsubscribe."""
