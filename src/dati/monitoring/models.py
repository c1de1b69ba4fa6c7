"""Tables of the monitoring feature."""
