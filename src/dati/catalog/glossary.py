"""The business glossary: shared concepts (household, private household, family ...) that
fields point to, so a recipient can interpret data without asking the provider."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.catalog import history, service, stemmer, vocabularies
from dati.catalog.models import GlossaryTerm, Resource, ResourceField
from dati.catalog.permissions import EDIT_GLOSSARY, VIEW_CATALOGUE
from dati.catalog.schemas import GlossaryTermCreate, GlossaryTermUpdate
from dati.errors import Conflict, Invalid, NotFound
from dati.i18n import gettext as _

TERM_ATTRIBUTES = ("term_lv", "term_en", "definition_lv", "definition_en", "source", "related")


def list_terms(*, session: Session, actor: Actor, q: str = "") -> list[GlossaryTerm]:
    """All terms, or those whose name or definition contains the words (any case, any diacritics)."""
    require(actor, VIEW_CATALOGUE)
    terms = list(session.scalars(select(GlossaryTerm).order_by(GlossaryTerm.term_lv)))
    wanted = stemmer.terms_lv(q)
    if not wanted:
        return terms

    def text(t: GlossaryTerm) -> set[str]:
        return set(stemmer.terms_lv(f"{t.term_lv} {t.definition_lv}")) | set(
            stemmer.terms_en(f"{t.term_en} {t.definition_en}")
        )

    return [t for t in terms if all(w in text(t) for w in wanted)]


def get_term(*, session: Session, actor: Actor, name: str) -> GlossaryTerm:
    """One glossary term by name."""
    require(actor, VIEW_CATALOGUE)
    return _term(session, name)


def _term(session: Session, name: str) -> GlossaryTerm:
    term = session.scalars(select(GlossaryTerm).where(GlossaryTerm.name == name)).first()
    if term is None:
        raise NotFound(_("Glossary term {name} does not exist.", name=name))
    return term


def fields_using(*, session: Session, actor: Actor, term: GlossaryTerm) -> list[ResourceField]:
    """The fields linked to a term, with their resources."""
    require(actor, VIEW_CATALOGUE, term)
    stmt = (
        select(ResourceField)
        .join(Resource)
        .where(ResourceField.glossary_term_id == term.id)
        .order_by(Resource.title_lv, ResourceField.position)
    )
    return list(session.scalars(stmt))


def narrower(session: Session, term: GlossaryTerm) -> list[GlossaryTerm]:
    return list(
        session.scalars(
            select(GlossaryTerm)
            .where(GlossaryTerm.broader_id == term.id)
            .order_by(GlossaryTerm.term_lv)
        )
    )


def _check(
    session: Session, term_lv: str, definition_lv: str, broader: str | None, related: list[str]
) -> tuple[int | None, dict[str, str]]:
    errors: dict[str, str] = {}
    if not term_lv.strip():
        errors["term_lv"] = _("Enter the term in Latvian.")
    if not definition_lv.strip():
        errors["definition_lv"] = _("Enter the definition in Latvian.")
    broader_id = None
    if broader:
        broader_id = session.scalar(select(GlossaryTerm.id).where(GlossaryTerm.name == broader))
        if broader_id is None:
            errors["broader"] = _("Unknown glossary term.")
    known = set(session.scalars(select(GlossaryTerm.name).where(GlossaryTerm.name.in_(related))))
    if set(related) - known:
        errors["related"] = _(
            "Unknown glossary term(s): {names}.", names=", ".join(sorted(set(related) - known))
        )
    return broader_id, errors


def create_term(*, session: Session, actor: Actor, data: GlossaryTermCreate) -> GlossaryTerm:
    """Define a new business term."""
    owner = service.find_org(session, data.owner, "owner") if data.owner else None
    target = GlossaryTerm(owner_org_id=owner.id if owner else None)
    require(actor, EDIT_GLOSSARY, target)
    related = [r.strip() for r in data.related if r.strip()]
    broader_id, errors = _check(session, data.term_lv, data.definition_lv, data.broader, related)
    name = (data.name or "").strip() or service.slugify(data.term_lv)
    if not vocabularies.is_slug(name):
        errors["name"] = _("Use 3-100 lowercase letters, digits and hyphens.")
    if errors:
        raise Invalid(_("The term has errors; nothing was saved."), errors=errors)
    if session.scalar(select(GlossaryTerm.id).where(GlossaryTerm.name == name)):
        raise Conflict(
            _("A glossary term called {name} exists.", name=name),
            errors={"name": _("Already taken.")},
        )
    term = GlossaryTerm(
        name=name,
        term_lv=data.term_lv.strip(),
        term_en=data.term_en.strip(),
        definition_lv=data.definition_lv.strip(),
        definition_en=data.definition_en.strip(),
        source=data.source.strip(),
        owner_org_id=owner.id if owner else None,
        broader_id=broader_id,
        related=related,
    )
    session.add(term)
    session.flush()
    history.record(
        session,
        actor,
        entity="glossary_term",
        entity_id=term.id,
        resource_id=None,
        before=None,
        after=history.snapshot(term, TERM_ATTRIBUTES),
    )
    return term


def update_term(
    *, session: Session, actor: Actor, name: str, data: GlossaryTermUpdate
) -> GlossaryTerm:
    """Change a term; resources whose fields use it are re-indexed for search."""
    term = _term(session, name)
    require(actor, EDIT_GLOSSARY, term)
    changes = data.model_dump(exclude_unset=True)
    related = [r.strip() for r in changes.get("related", term.related) if r.strip()]
    broader = changes.get("broader", term.broader.name if term.broader else None)
    broader_id, errors = _check(
        session,
        changes.get("term_lv", term.term_lv) or "",
        changes.get("definition_lv", term.definition_lv) or "",
        broader,
        related,
    )
    if broader_id == term.id:
        errors["broader"] = _("A term cannot be broader than itself.")
    if errors:
        raise Invalid(_("The term has errors; nothing was saved."), errors=errors)
    before = history.snapshot(
        term, TERM_ATTRIBUTES, {"broader": term.broader.name if term.broader else None}
    )
    for key in ("term_lv", "term_en", "definition_lv", "definition_en", "source"):
        if key in changes and changes[key] is not None:
            setattr(term, key, changes[key].strip())
    term.related = related
    term.broader_id = broader_id
    session.flush()
    session.refresh(term)
    history.record(
        session,
        actor,
        entity="glossary_term",
        entity_id=term.id,
        resource_id=None,
        before=before,
        after=history.snapshot(term, TERM_ATTRIBUTES, {"broader": broader}),
    )
    users = list(
        session.scalars(
            select(Resource).where(
                Resource.id.in_(
                    select(ResourceField.resource_id).where(
                        ResourceField.glossary_term_id == term.id
                    )
                )
            )
        )
    )
    if users:
        service.after_change(session, users)
    return term


def count_fields(session: Session) -> dict[int, int]:
    """How many fields use each term (for the glossary list)."""
    rows = session.execute(
        select(ResourceField.glossary_term_id, func.count())
        .where(ResourceField.glossary_term_id.is_not(None))
        .group_by(ResourceField.glossary_term_id)
    )
    return {term_id: count for term_id, count in rows if term_id is not None}
