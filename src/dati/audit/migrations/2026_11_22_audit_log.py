"""audit log: hash-chained entries, chain head, signed checkpoints, platform key, subjects,
access-time roll-up

Revision ID: audit_0001
Revises:
Create Date: 2026-11-22 05:29:36.702419
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dati.db.base

revision: str = "audit_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("audit",)
depends_on: str | Sequence[str] | None = "auth_0001"


def upgrade() -> None:
    op.create_table(
        "audit_access_stat",
        sa.Column("hour", dati.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resource", sa.String(length=100), nullable=False),
        sa.Column("recipient_org_id", sa.Integer(), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=True),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("denied", sa.Integer(), nullable=False),
        sa.Column("buckets", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint(
            "hour", "resource", "recipient_org_id", name=op.f("pk_audit_access_stat")
        ),
    )
    with op.batch_alter_table("audit_access_stat", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_access_stat_provider_org_id"), ["provider_org_id"], unique=False
        )

    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("checkpoint_seq", sa.BigInteger(), nullable=False),
        sa.Column("checkpoint_at", dati.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    # The single head row every append locks.
    op.execute(
        sa.text(
            "INSERT INTO audit_chain_head (id, seq, hash, checkpoint_seq) VALUES (1, 0, :genesis, 0)"
        ).bindparams(genesis="0" * 64)
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", dati.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_checkpoint_seq")),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", dati.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("actor_org_id", sa.Integer(), nullable=True),
        sa.Column("provider_org_id", sa.Integer(), nullable=True),
        sa.Column("agreement_id", sa.String(length=40), nullable=True),
        sa.Column("agreement_version", sa.Integer(), nullable=True),
        sa.Column("resource", sa.String(length=100), nullable=True),
        sa.Column("resource_version", sa.Integer(), nullable=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("filter", sa.Text(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("subject_count", sa.Integer(), nullable=False),
        sa.Column("subjects_digest", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("duration_us", sa.BigInteger(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_entry_hash")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_entry_seq")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_entry_org_at", ["actor_org_id", "at"], unique=False)
        batch_op.create_index("ix_audit_entry_provider_at", ["provider_org_id", "at"], unique=False)
        batch_op.create_index("ix_audit_entry_resource_at", ["resource", "at"], unique=False)

    op.create_table(
        "audit_platform_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=60), nullable=False),
        sa.Column("sealed_private_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", dati.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", dati.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_platform_key")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_audit_platform_key_fingerprint")),
    )
    op.create_table(
        "audit_subject",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["audit_entry.id"], name=op.f("fk_audit_subject_entry_id_audit_entry")
        ),
        sa.PrimaryKeyConstraint("entry_id", "subject", name=op.f("pk_audit_subject")),
    )
    with op.batch_alter_table("audit_subject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_subject_subject"), ["subject"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_subject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_subject_subject"))

    op.drop_table("audit_subject")
    op.drop_table("audit_platform_key")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_resource_at")
        batch_op.drop_index("ix_audit_entry_provider_at")
        batch_op.drop_index("ix_audit_entry_org_at")
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_agreement_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))

    op.drop_table("audit_entry")
    op.drop_table("audit_checkpoint")
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_access_stat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_access_stat_provider_org_id"))

    op.drop_table("audit_access_stat")
