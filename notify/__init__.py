"""Emails to members: preferences, new-event emails, organisers' announcements, unsubscribe."""
