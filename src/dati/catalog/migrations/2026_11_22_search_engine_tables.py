"""search engine tables

Revision ID: catalog_0002
Revises: catalog_0001
Create Date: 2026-11-22 05:37:32.097851
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dati.db.base

revision: str = "catalog_0002"
down_revision: str | Sequence[str] | None = "catalog_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The search index is derived data: emptied here, rebuilt by `dati catalog reindex`.
    op.execute("DELETE FROM catalog_search_posting")
    op.execute("DELETE FROM catalog_facet_value")
    op.execute("DELETE FROM catalog_search_stats")
    op.execute("INSERT INTO catalog_search_stats (id, documents, total_length) VALUES (1, 0, 0)")
    op.create_table(
        "catalog_index_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_index_log")),
    )
    op.create_table(
        "catalog_search_document",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("length", sa.Float(), nullable=False),
        sa.Column("sort_title", sa.String(length=100), nullable=False),
        sa.Column("modified", sa.Date(), nullable=True),
        sa.Column("quality_score", sa.Integer(), nullable=False),
        sa.Column("created_at", dati.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resource.id"],
            name=op.f("fk_catalog_search_document_resource_id_catalog_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_id", name=op.f("pk_catalog_search_document")),
    )
    op.drop_index(
        op.f("ix_catalog_search_posting_resource_id"), table_name="catalog_search_posting"
    )
    op.drop_table("catalog_search_posting")
    op.create_table(
        "catalog_search_posting",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resource.id"],
            name=op.f("fk_catalog_search_posting_resource_id_catalog_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "resource_id", name=op.f("pk_catalog_search_posting")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        op.f("ix_catalog_search_posting_resource_id"),
        "catalog_search_posting",
        ["resource_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_catalog_search_posting_resource_id"), table_name="catalog_search_posting"
    )
    op.drop_table("catalog_search_posting")
    op.create_table(
        "catalog_search_posting",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("tf", sa.Float(), nullable=False),
        sa.Column("doc_len", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resource.id"],
            name=op.f("fk_catalog_search_posting_resource_id_catalog_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "resource_id", name=op.f("pk_catalog_search_posting")),
    )
    op.create_index(
        op.f("ix_catalog_search_posting_resource_id"),
        "catalog_search_posting",
        ["resource_id"],
        unique=False,
    )
    op.drop_table("catalog_search_document")
    op.drop_table("catalog_index_log")
