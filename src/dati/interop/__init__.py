"""interop feature."""
