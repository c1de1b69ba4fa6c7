"""organisations

Revision ID: orgs_0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dati.db.base

revision: str = "orgs_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("orgs",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("short_name", sa.String(length=40), nullable=False),
        sa.Column("name_lv", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("reg_number", sa.String(length=20), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "MINISTRY",
                "AGENCY",
                "MUNICIPALITY",
                "COMPANY",
                "RESEARCH",
                "NGO",
                name="orgkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("municipality_code", sa.String(length=10), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("created_at", dati.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_parent_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("reg_number", name=op.f("uq_organisation_reg_number")),
        sa.UniqueConstraint("short_name", name=op.f("uq_organisation_short_name")),
    )
    op.create_index(op.f("ix_organisation_parent_id"), "organisation", ["parent_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_organisation_parent_id"), table_name="organisation")
    op.drop_table("organisation")
