"""Tables of the readiness feature."""
