"""Full-text search over pages (and optionally talk), on SQLite FTS5 or PostgreSQL."""
