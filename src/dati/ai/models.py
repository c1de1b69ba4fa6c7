"""Tables of the ai feature."""
