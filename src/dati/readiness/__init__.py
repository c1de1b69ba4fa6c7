"""readiness feature."""
