"""Tables of the catalog feature."""
