"""Platform operations behind the shell's own routes (metrics)."""

from __future__ import annotations

from prometheus_client import generate_latest

from dati.auth.actor import Actor, Role
from dati.auth.permissions import Permission, has_any_role, require

VIEW_METRICS = Permission("system.metrics", "Read operational metrics", has_any_role(Role.AUDITOR))


def read_metrics(*, actor: Actor) -> bytes:
    """Prometheus metrics in text format, for auditors, admins and scrapers holding their token."""
    require(actor, VIEW_METRICS)
    return bytes(generate_latest())
