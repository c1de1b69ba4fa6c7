"""Tables of the audit feature."""
