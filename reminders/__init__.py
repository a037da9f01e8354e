"""Scheduled emails about an event: reminders before it (exactly once) and the recap after it."""
