"""A flat list of the app's routes with their full paths, for tests and docs.

FastAPI 0.165 keeps included routers nested (`_IncludedRouter`), so `app.routes` alone no
longer lists every endpoint; this walks the nesting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    tags: tuple[str, ...]
    in_schema: bool
    name: str


def _walk(route: Any) -> list[RouteInfo]:
    if hasattr(route, "effective_route_contexts"):
        found = []
        for ctx in route.effective_route_contexts():
            if isinstance(ctx.original_route, APIRoute):
                for method in sorted(ctx.methods - {"HEAD"}):
                    found.append(
                        RouteInfo(
                            method,
                            ctx.path,
                            tuple(str(t) for t in ctx.tags),
                            ctx.include_in_schema,
                            ctx.name,
                        )
                    )
        return found
    if isinstance(route, APIRoute):
        return [
            RouteInfo(
                m,
                route.path,
                tuple(str(t) for t in route.tags),
                route.include_in_schema,
                route.name,
            )
            for m in sorted((route.methods or set()) - {"HEAD"})
        ]
    return []


def all_routes(app: FastAPI) -> list[RouteInfo]:
    return [info for route in app.routes for info in _walk(route)]
