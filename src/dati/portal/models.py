"""Tables of the portal feature."""
