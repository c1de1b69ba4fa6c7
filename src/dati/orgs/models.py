"""Organisation table."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dati import clock
from dati.db.base import Base, UTCDateTime


class OrgKind(enum.StrEnum):
    MINISTRY = "ministry"
    AGENCY = "agency"
    MUNICIPALITY = "municipality"
    COMPANY = "company"
    RESEARCH = "research"
    NGO = "ngo"


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    name_lv: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    reg_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    kind: Mapped[OrgKind] = mapped_column(Enum(OrgKind, native_enum=False, length=20))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    municipality_code: Mapped[str | None] = mapped_column(String(10))
    website: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])

    def name(self, lang: str = "lv") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_lv

    def __repr__(self) -> str:
        return f"<Organisation {self.short_name}>"
