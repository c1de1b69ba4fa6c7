"""exchange feature."""
