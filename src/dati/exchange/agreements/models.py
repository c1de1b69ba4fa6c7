"""Tables of the agreements sub-feature."""
