"""`dati demo`: fills an instance with demo data that feels like the real country.

Every feature contributes through its own ``factories`` module, which creates objects
through the service layer as the system actor, so demo data obeys the same rules as users' data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dati.ai import factories as ai_factories
from dati.auth import factories as auth_factories
from dati.auth.actor import Actor
from dati.catalog import factories as catalog_factories
from dati.config import Settings
from dati.exchange import factories as exchange_factories
from dati.exchange import service as exchange_service
from dati.exchange.agreements import factories as agreements_factories
from dati.interop import factories as interop_factories
from dati.monitoring import factories as monitoring_factories
from dati.orgs import factories as orgs_factories
from dati.readiness import factories as readiness_factories


@dataclass
class DemoReport:
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def load(session: Session, settings: Settings) -> DemoReport:
    """Load every feature's demo data in dependency order. Safe to run twice."""
    actor = Actor.system("demo")
    report = DemoReport()
    created, updated = orgs_factories.load_demo(session, actor)
    report.lines.append(f"organisations: {created} created, {updated} updated")
    report.logins = auth_factories.load_demo(session, actor)
    catalogue = catalog_factories.load_demo(session, actor)
    report.lines.append(
        f"catalogue: {catalogue.systems} systems, {catalogue.resources} resources, "
        f"{catalogue.terms} glossary terms, {catalogue.services} data services created"
    )
    report.lines += exchange_factories.load_demo(
        session, actor, exchange_service.store_for(settings)
    )
    created = ai_factories.load_demo(session, actor, settings.data_dir)
    report.lines.append(f"AI systems: {created} created")
    report.lines += readiness_factories.load_demo(session, actor)
    secret, store = settings.effective_secret_key, exchange_service.store_for(settings)
    report.lines += agreements_factories.load_demo(session, actor, secret)
    report.lines.append(
        agreements_factories.add_demo_citizen(session, actor, store, settings.data_dir)
    )
    # The gateway logs each read in a transaction of its own: commit what the reads rely on.
    session.commit()
    report.lines += agreements_factories.load_demo_accesses(session, secret, store)
    # End the read snapshot taken before those logged reads: on SQLite it could not turn into
    # a write transaction after another connection committed.
    session.commit()
    # After the catalogue's own demo data: harvesting adds a municipality's open data.
    report.lines += interop_factories.load_demo(session, actor)
    # Last: the live indicators are computed from everything loaded above.
    report.lines.append(monitoring_factories.load_demo(session, actor))
    return report
