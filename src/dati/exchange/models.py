"""Tables of the exchange feature."""
