"""The pure core: text logic with no Flask, no database, no I/O."""
