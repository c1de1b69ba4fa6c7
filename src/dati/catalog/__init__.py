"""catalog feature."""
