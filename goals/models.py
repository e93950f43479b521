"""Models of the goals app (filled by its own issue)."""
