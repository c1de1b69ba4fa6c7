"""ASGI entry point for uvicorn workers: the app built from DATI_* settings."""

from dati.web.app import create_app

app = create_app()
