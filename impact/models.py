"""Models of the impact app (filled by the activity issue)."""
