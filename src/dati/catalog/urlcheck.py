"""The background URL checker: asks every distribution's access and download URL whether it
answers (2xx/3xx), stores the result in ``catalog_url_check`` and refreshes the MQA scores
that depend on it. Run by ``dati catalog check-urls`` (cron, systemd timer); never by a page.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.catalog import indexer, quality, service
from dati.catalog.models import Distribution, Resource, UrlCheck
from dati.catalog.permissions import CHECK_URLS

USER_AGENT = "dati-catalogue-link-checker/1.0"


@dataclass
class CheckReport:
    checked: int
    reachable: int
    resources_refreshed: int


@dataclass(frozen=True)
class Outcome:
    url: str
    status_code: int | None
    reachable: bool
    error: str | None


def probe(client: httpx.Client, url: str) -> Outcome:
    """HEAD first; servers that refuse HEAD get a GET. Redirects count as answers (3xx)."""
    try:
        response = client.head(url)
        if response.status_code in (405, 501):
            with client.stream("GET", url) as streamed:
                response = streamed
        code = response.status_code
        return Outcome(url, code, 200 <= code < 400, None if code < 400 else f"HTTP {code}")
    except httpx.HTTPError as exc:
        return Outcome(url, None, False, type(exc).__name__)


def check_urls(
    *,
    session: Session,
    actor: Actor,
    limit: int | None = None,
    timeout: float = 10.0,
    workers: int = 8,
    client: httpx.Client | None = None,
) -> CheckReport:
    """Check the URLs whose last check is oldest (never-checked first) and refresh scores."""
    require(actor, CHECK_URLS)
    urls = _urls_by_staleness(session)[:limit] if limit else _urls_by_staleness(session)
    own_client = client is None
    client = client or httpx.Client(
        timeout=timeout, follow_redirects=False, headers={"user-agent": USER_AGENT}
    )
    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            outcomes = list(pool.map(lambda u: probe(client, u), urls))
    finally:
        if own_client:
            client.close()
    now = clock.now()
    existing = {c.url: c for c in session.scalars(select(UrlCheck).where(UrlCheck.url.in_(urls)))}
    for outcome in outcomes:
        row = existing.get(outcome.url) or UrlCheck(url=outcome.url)
        row.status_code, row.reachable = outcome.status_code, outcome.reachable
        row.error, row.checked_at = outcome.error, now
        session.add(row)
    session.flush()
    ids = quality.resources_with_url(session, set(urls))
    refreshed = 0
    for start in range(0, len(ids), 200):
        chunk = list(
            session.scalars(select(Resource).where(Resource.id.in_(ids[start : start + 200])))
        )
        service.after_change(session, chunk)
        refreshed += len(chunk)
    indexer.prune_log(session)  # the nightly job also keeps the search log short
    return CheckReport(len(outcomes), sum(o.reachable for o in outcomes), refreshed)


def _urls_by_staleness(session: Session) -> list[str]:
    used = union(
        select(Distribution.access_url.label("url")),
        select(Distribution.download_url.label("url")).where(
            Distribution.download_url.is_not(None)
        ),
    ).subquery()
    rows = session.execute(
        select(used.c.url, UrlCheck.checked_at).outerjoin(UrlCheck, UrlCheck.url == used.c.url)
    ).all()
    never = datetime.min.replace(tzinfo=clock.now().tzinfo)
    return [url for url, at in sorted(rows, key=lambda r: (r[1] or never, r[0]))]
