"""Talk pages: threaded discussion of every page, with moderation and subscriptions."""
