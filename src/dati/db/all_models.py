"""Imports every feature's models so Base.metadata knows all tables (Alembic, tests)."""

from dati.ai import models as ai_models  # noqa: F401
from dati.audit import models as audit_models  # noqa: F401
from dati.auth import models as auth_models  # noqa: F401
from dati.catalog import models as catalog_models  # noqa: F401
from dati.db.base import Base
from dati.exchange import models as exchange_models  # noqa: F401
from dati.exchange.agreements import models as agreements_models  # noqa: F401
from dati.interop import models as interop_models  # noqa: F401
from dati.monitoring import models as monitoring_models  # noqa: F401
from dati.orgs import models as orgs_models  # noqa: F401
from dati.portal import models as portal_models  # noqa: F401
from dati.readiness import models as readiness_models  # noqa: F401

metadata = Base.metadata
