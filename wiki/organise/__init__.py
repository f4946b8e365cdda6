"""Organising pages: links and backlinks, categories, redirects, moves, delete and undelete."""
