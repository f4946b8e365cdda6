"""Watching pages, notifications (in the wiki and by email), and one's email preferences."""
