"""dati — the public administration's data and AI governance platform."""

__version__ = "0.1.0"
