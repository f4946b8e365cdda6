"""Recent changes: the filtered lists of edits and comments, and their Atom feeds."""
