"""monitoring feature."""
