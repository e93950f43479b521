"""Models of the indicators app (filled by its own issue)."""
