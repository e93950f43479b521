"""Models of the futures app (filled by its own issue)."""
