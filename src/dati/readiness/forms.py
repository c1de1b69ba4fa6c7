"""Reading HTML form posts in the readiness pages: the whole form as a dependency, trimmed text."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData


async def _form(request: Request) -> FormData:
    # Starlette caches the parsed form, so the CSRF check and the route read it once.
    return await request.form()


Form = Annotated[FormData, Depends(_form)]


def text(form: FormData, name: str) -> str:
    """A field's value without surrounding spaces; "" when absent or a file."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
