"""Tables of the catalogue: information systems, information resources (datasets), their
distributions and the data services that serve them, field-level schemas, the business
glossary, the change history, URL checks and the search index.

The information resource (what data exists) is kept apart from the technical interface
that serves it (data service), because the strategy names mixing the two as a root problem.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dati import clock
from dati.auth.models import User
from dati.db.base import Base, UTCDateTime
from dati.orgs.models import Organisation


class AccessRights(enum.StrEnum):
    """dct:accessRights, mapped to the EU access-right vocabulary (PUBLIC, RESTRICTED, NON_PUBLIC)."""

    PUBLIC = "public"
    RESTRICTED = "restricted"
    NON_PUBLIC = "non_public"


class FieldClassification(enum.StrEnum):
    PERSONAL_IDENTIFIER = "personal_identifier"
    PERSONAL_DATA = "personal_data"
    SPECIAL_CATEGORY = "special_category"
    OPEN = "open"


class SystemStatus(enum.StrEnum):
    PLANNED = "planned"
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    RETIRED = "retired"


def _enum(cls: type[enum.Enum], length: int = 24) -> Enum:
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class InformationSystem(Base):
    """A state information system (e.g. the Population Register system) owned by one institution."""

    __tablename__ = "catalog_system"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title_lv: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    description_lv: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    owner_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SystemStatus] = mapped_column(
        _enum(SystemStatus), default=SystemStatus.PRODUCTION
    )
    homepage: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    owner: Mapped[Organisation] = relationship(lazy="joined")
    resources: Mapped[list[Resource]] = relationship(
        back_populates="system", order_by="Resource.title_lv"
    )
    data_services: Mapped[list[DataService]] = relationship(
        back_populates="system", order_by="DataService.title_lv"
    )


class Resource(Base):
    """An information resource (dcat:Dataset) with its DCAT-AP 3.0.1 properties."""

    __tablename__ = "catalog_resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    # URL slug: /catalog/{name}, /dataset/{name}.ttl
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title_lv: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    description_lv: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    owner_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    publisher_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_system.id", ondelete="SET NULL"), index=True
    )
    steward_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    keywords_lv: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords_en: Mapped[list[str]] = mapped_column(JSON, default=list)
    # EU data-theme codes (GOVE, SOCI, ...)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    # "LV" or a municipality ISO code (LV-RIX, ...)
    spatial: Mapped[str | None] = mapped_column(String(20))
    temporal_start: Mapped[date | None] = mapped_column(Date)
    temporal_end: Mapped[date | None] = mapped_column(Date)
    # EU frequency codes (DAILY, MONTHLY, ANNUAL, UPDATE_CONT, ...)
    frequency: Mapped[str | None] = mapped_column(String(20))
    issued: Mapped[date | None] = mapped_column(Date)
    modified: Mapped[date | None] = mapped_column(Date)
    access_rights: Mapped[AccessRights] = mapped_column(_enum(AccessRights), index=True)
    # An EU licence code (CC_BY_4_0, CC0, ...) or a licence URL.
    licence: Mapped[str | None] = mapped_column(String(300))
    rights: Mapped[str | None] = mapped_column(Text)
    conforms_to: Mapped[str | None] = mapped_column(String(500))
    landing_page: Mapped[str | None] = mapped_column(String(500))
    # EU high-value-dataset category code (c_ac64a52d geospatial, ...), None if not an HVD.
    hvd_category: Mapped[str | None] = mapped_column(String(20))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    primary_key: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Frictionless form: [{"fields": [...], "reference": {"resource": name, "fields": [...]}}]
    foreign_keys: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Cached MQA result, recomputed on every change so listings can sort and aggregate.
    quality_score: Mapped[int] = mapped_column(Integer, default=0)
    completeness: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    owner: Mapped[Organisation] = relationship(foreign_keys=[owner_org_id], lazy="joined")
    publisher: Mapped[Organisation | None] = relationship(foreign_keys=[publisher_org_id])
    system: Mapped[InformationSystem | None] = relationship(back_populates="resources")
    steward: Mapped[User | None] = relationship()
    fields: Mapped[list[ResourceField]] = relationship(
        back_populates="resource",
        order_by="ResourceField.position",
        cascade="all, delete-orphan",
    )
    distributions: Mapped[list[Distribution]] = relationship(
        back_populates="resource", order_by="Distribution.id", cascade="all, delete-orphan"
    )
    data_services: Mapped[list[DataService]] = relationship(
        secondary="catalog_data_service_resource", back_populates="resources"
    )

    def __repr__(self) -> str:
        return f"<Resource {self.name}>"


class ResourceField(Base):
    """One field of a resource's Frictionless Table Schema."""

    __tablename__ = "catalog_resource_field"
    __table_args__ = (UniqueConstraint("resource_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20), default="string")
    format: Mapped[str | None] = mapped_column(String(100))
    title_lv: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    constraints: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    classification: Mapped[FieldClassification] = mapped_column(
        _enum(FieldClassification), default=FieldClassification.OPEN
    )
    glossary_term_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_glossary_term.id", ondelete="SET NULL"), index=True
    )

    resource: Mapped[Resource] = relationship(back_populates="fields")
    glossary_term: Mapped[GlossaryTerm | None] = relationship(lazy="joined")


class Distribution(Base):
    """A dcat:Distribution: one concrete form of a resource (a file or an access URL)."""

    __tablename__ = "catalog_distribution"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), index=True
    )
    title_lv: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    access_url: Mapped[str] = mapped_column(String(1000))
    download_url: Mapped[str | None] = mapped_column(String(1000))
    # EU file-type code (CSV, JSON, XLSX, ...) or free text for formats outside the vocabulary.
    format: Mapped[str | None] = mapped_column(String(40))
    media_type: Mapped[str | None] = mapped_column(String(100))
    byte_size: Mapped[int | None] = mapped_column(Integer)
    licence: Mapped[str | None] = mapped_column(String(300))
    rights: Mapped[str | None] = mapped_column(Text)
    conforms_to: Mapped[str | None] = mapped_column(String(500))
    issued: Mapped[date | None] = mapped_column(Date)
    modified: Mapped[date | None] = mapped_column(Date)
    access_service_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_data_service.id", ondelete="SET NULL")
    )

    resource: Mapped[Resource] = relationship(back_populates="distributions")
    access_service: Mapped[DataService | None] = relationship()


class DataService(Base):
    """A dcat:DataService: the technical interface (API, WMS, X-Road service) serving resources."""

    __tablename__ = "catalog_data_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title_lv: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    description_lv: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    owner_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_system.id", ondelete="SET NULL"), index=True
    )
    endpoint_url: Mapped[str] = mapped_column(String(1000))
    endpoint_description: Mapped[str | None] = mapped_column(String(1000))
    access_rights: Mapped[AccessRights] = mapped_column(_enum(AccessRights))
    licence: Mapped[str | None] = mapped_column(String(300))
    conforms_to: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    owner: Mapped[Organisation] = relationship(lazy="joined")
    system: Mapped[InformationSystem | None] = relationship(back_populates="data_services")
    resources: Mapped[list[Resource]] = relationship(
        secondary="catalog_data_service_resource", back_populates="data_services"
    )


class DataServiceResource(Base):
    """dcat:servesDataset: which resources a data service serves."""

    __tablename__ = "catalog_data_service_resource"

    data_service_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_data_service.id", ondelete="CASCADE"), primary_key=True
    )
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class GlossaryTerm(Base):
    """A business concept fields can point to, so recipients interpret data without asking."""

    __tablename__ = "catalog_glossary_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    term_lv: Mapped[str] = mapped_column(String(200))
    term_en: Mapped[str] = mapped_column(String(200), default="")
    definition_lv: Mapped[str] = mapped_column(Text)
    definition_en: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    owner_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    broader_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_glossary_term.id", ondelete="SET NULL")
    )
    # Names of related (not broader/narrower) terms, e.g. household ~ family.
    related: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    owner: Mapped[Organisation | None] = relationship()
    broader: Mapped[GlossaryTerm | None] = relationship(remote_side=[id])


class Change(Base):
    """One recorded metadata change: who, when, which field, old and new value."""

    __tablename__ = "catalog_change"
    __table_args__ = (Index("ix_catalog_change_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    # system, resource, field, distribution, data_service, glossary_term
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    # The resource a field or distribution change belongs to, for the resource's history.
    resource_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(10))  # created, updated, deleted
    field: Mapped[str] = mapped_column(String(100), default="")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class UrlCheck(Base):
    """The last reachability check of a URL, written by the background checker only."""

    __tablename__ = "catalog_url_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(1000), unique=True)
    status_code: Mapped[int | None] = mapped_column(Integer)
    reachable: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(String(300))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class SearchPosting(Base):
    """Inverted index: one row per (stemmed term, resource) with its BM25 term impact, i.e.
    tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen)) with the average length at indexing time,
    in hundredths. Multiplied by the term's current idf at query time."""

    __tablename__ = "catalog_search_posting"
    # Clustered by (term, resource_id) on SQLite, so a term's postings are read in one sweep.
    __table_args__ = {"sqlite_with_rowid": False}

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    impact: Mapped[int] = mapped_column(Integer)


class SearchDocument(Base):
    """One row per indexed resource: its weighted length (so a re-index can correct the
    totals) and its sort keys, in a narrow table the search engine reads quickly."""

    __tablename__ = "catalog_search_document"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), primary_key=True
    )
    length: Mapped[float] = mapped_column(Float)
    sort_title: Mapped[str] = mapped_column(String(100), default="")
    modified: Mapped[date | None] = mapped_column(Date)
    quality_score: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IndexLog(Base):
    """Which resources' index entries changed, in order. App processes keep an in-memory copy
    of the index and catch up from this log; the random token tells a row that was rolled
    back and its id reused apart from the row the copy has seen."""

    __tablename__ = "catalog_index_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(16))


class FacetValue(Base):
    """One facet value of a resource (institution, theme, format, access, licence, HVD, personal)."""

    __tablename__ = "catalog_facet_value"
    __table_args__ = (Index("ix_catalog_facet_value_lookup", "facet", "value", "resource_id"),)

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), primary_key=True
    )
    facet: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)


class SearchStats(Base):
    """Running totals for BM25 (number of documents, total length), kept by the indexer."""

    __tablename__ = "catalog_search_stats"

    id: Mapped[int] = mapped_column(primary_key=True)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    total_length: Mapped[float] = mapped_column(Float, default=0.0)
