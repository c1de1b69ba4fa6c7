"""Tables of the interop feature."""
