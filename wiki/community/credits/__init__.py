"""Who did what: profiles, page information, the community page, activity charts."""
