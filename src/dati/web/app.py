"""The FastAPI application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from dati import __version__
from dati.config import Settings, load_settings
from dati.db.database import Database
from dati.exchange.lookup_route import KeyLookupMiddleware
from dati.logging import configure_logging
from dati.web import errors
from dati.web.csrf import verify_csrf
from dati.web.middleware import DbSessionMiddleware, LanguageMiddleware, RequestLogMiddleware

STATIC_DIR = Path(__file__).resolve().parent / "static"

API_DESCRIPTION = """The native dati API. Errors are RFC 9457 problem details
(`application/problem+json`). Authenticate with `Authorization: Bearer <token>`
(create a token on your account page or with `dati token create`)."""


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the app. Tests pass a Database bound to a rolled-back connection."""
    settings = settings or load_settings()
    configure_logging(settings.log_level, settings.log_json)
    database = database or Database(settings.effective_database_url)
    app = FastAPI(
        title="dati API",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(verify_csrf)],
    )
    app.state.settings = settings
    app.state.database = database

    errors.install(app)
    _include_routers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # Added innermost first: key lookups, language, the session cookie, the DB session, logging.
    app.add_middleware(KeyLookupMiddleware)
    app.add_middleware(LanguageMiddleware, default=settings.default_language)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.effective_secret_key,
        session_cookie="dati_session",
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(DbSessionMiddleware, database=database)
    app.add_middleware(RequestLogMiddleware)
    return app


def _include_routers(app: FastAPI) -> None:
    # Explicit list: reading it tells you every feature the app serves.
    from dati.ai import api as ai_api
    from dati.ai import views as ai_views
    from dati.audit import api as audit_api
    from dati.audit import views as audit_views
    from dati.auth import api as auth_api
    from dati.auth import views as auth_views
    from dati.catalog import api as catalog_api
    from dati.catalog import views as catalog_views
    from dati.exchange import api as exchange_api
    from dati.exchange import views as exchange_views
    from dati.exchange.agreements import api as agreements_api
    from dati.exchange.agreements import views_agreements, views_requests
    from dati.interop import api as interop_api
    from dati.interop import ckan_api, dcat_api
    from dati.interop import views as interop_views
    from dati.monitoring import api as monitoring_api
    from dati.monitoring import views as monitoring_views
    from dati.orgs import api as orgs_api
    from dati.orgs import views as orgs_views
    from dati.readiness import api as readiness_api
    from dati.readiness import views as readiness_views
    from dati.web import system

    app.include_router(system.router)
    # The data API first: routes are matched in order, and it serves the most requests.
    app.include_router(exchange_api.router, prefix="/api/v1")
    app.include_router(auth_api.router, prefix="/api/v1")
    app.include_router(orgs_api.router, prefix="/api/v1")
    app.include_router(catalog_api.router, prefix="/api/v1")
    app.include_router(monitoring_api.router, prefix="/api/v1")
    app.include_router(interop_api.router, prefix="/api/v1")
    app.include_router(auth_views.router)
    app.include_router(orgs_views.router)
    app.include_router(catalog_views.router)
    app.include_router(exchange_views.router)
    app.include_router(dcat_api.router)
    app.include_router(ckan_api.router)
    app.include_router(interop_views.router)
    app.include_router(ai_api.router, prefix="/api/v1")
    app.include_router(ai_views.router)
    app.include_router(readiness_api.router, prefix="/api/v1")
    app.include_router(readiness_views.router)
    app.include_router(audit_api.router, prefix="/api/v1")
    app.include_router(agreements_api.requests_router, prefix="/api/v1")
    app.include_router(agreements_api.router, prefix="/api/v1")
    app.include_router(views_requests.router)
    app.include_router(views_agreements.router)
    app.include_router(audit_views.router)
    app.include_router(monitoring_views.router)
