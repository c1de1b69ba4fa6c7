"""agreements: access requests and history, agreements and signatures, signing keys, usage, notifications

Revision ID: agreements_0001
Revises:
Create Date: 2026-11-22 05:37:45.657123
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dati.db.base

revision: str = "agreements_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("agreements",)
depends_on: str | Sequence[str] | None = ("auth_0001", "catalog_0001")


def upgrade() -> None:
    op.create_table(
        "agreement_usage",
        sa.Column("agreement_number", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agreement_number", "day", name=op.f("pk_agreement_usage")),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", dati.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("read_at", dati.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", dati.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_notification_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_user_read", ["user_id", "read_at"], unique=False)

    op.create_table(
        "org_signing_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=60), nullable=False),
        sa.Column("sealed_private_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", dati.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_name", sa.String(length=200), nullable=False),
        sa.Column("retired_at", dati.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisation.id"],
            name=op.f("fk_org_signing_key_org_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_signing_key")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_org_signing_key_fingerprint")),
    )
    with op.batch_alter_table("org_signing_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_signing_key_org_id"), ["org_id"], unique=False)

    op.create_table(
        "access_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("resource_name", sa.String(length=100), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=False),
        sa.Column("recipient_org_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_name", sa.String(length=200), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("requests_per_day", sa.Integer(), nullable=False),
        sa.Column("rows_per_day", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "approved",
                "rejected",
                "withdrawn",
                name="requeststatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("decided_at", dati.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", dati.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", dati.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_org_id"],
            ["organisation.id"],
            name=op.f("fk_access_request_provider_org_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_org_id"],
            ["organisation.id"],
            name=op.f("fk_access_request_recipient_org_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_access_request_requested_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resource.id"],
            name=op.f("fk_access_request_resource_id_catalog_resource"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_request")),
        sa.UniqueConstraint("number", name=op.f("uq_access_request_number")),
    )
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_request_provider_org_id"), ["provider_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_access_request_recipient_org_id"), ["recipient_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_access_request_resource_id"), ["resource_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_access_request_status"), ["status"], unique=False)

    op.create_table(
        "access_request_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("at", dati.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["access_request.id"],
            name=op.f("fk_access_request_event_request_id_access_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_request_event")),
    )
    with op.batch_alter_table("access_request_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_request_event_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("resource_name", sa.String(length=100), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=False),
        sa.Column("recipient_org_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "awaiting_provider",
                "awaiting_recipient",
                "active",
                "suspended",
                "revoked",
                "superseded",
                "expired",
                name="agreementstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("created_at", dati.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_at", dati.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", dati.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_org_id"],
            ["organisation.id"],
            name=op.f("fk_agreement_provider_org_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_org_id"],
            ["organisation.id"],
            name=op.f("fk_agreement_recipient_org_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["access_request.id"],
            name=op.f("fk_agreement_request_id_access_request"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resource.id"],
            name=op.f("fk_agreement_resource_id_catalog_resource"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
        sa.UniqueConstraint("number", "version", name=op.f("uq_agreement_number_version")),
    )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_number"), ["number"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_agreement_provider_org_id"), ["provider_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_recipient_org_id"), ["recipient_org_id"], unique=False
        )
        batch_op.create_index(
            "ix_agreement_recipient_resource",
            ["recipient_org_id", "resource_name", "status"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_agreement_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_resource_id"), ["resource_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_status"), ["status"], unique=False)

    op.create_table(
        "agreement_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column(
            "party",
            sa.Enum("provider", "recipient", name="party", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=60), nullable=False),
        sa.Column("signer_user_id", sa.Integer(), nullable=True),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("signed_at", dati.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_signature_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisation.id"],
            name=op.f("fk_agreement_signature_org_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["signer_user_id"],
            ["app_user.id"],
            name=op.f("fk_agreement_signature_signer_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_signature")),
        sa.UniqueConstraint(
            "agreement_id", "party", name=op.f("uq_agreement_signature_agreement_id_party")
        ),
    )
    with op.batch_alter_table("agreement_signature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_signature_agreement_id"), ["agreement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agreement_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_signature_agreement_id"))

    op.drop_table("agreement_signature")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_status"))
        batch_op.drop_index(batch_op.f("ix_agreement_resource_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_request_id"))
        batch_op.drop_index("ix_agreement_recipient_resource")
        batch_op.drop_index(batch_op.f("ix_agreement_recipient_org_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_provider_org_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_number"))

    op.drop_table("agreement")
    with op.batch_alter_table("access_request_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_request_event_request_id"))

    op.drop_table("access_request_event")
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_request_status"))
        batch_op.drop_index(batch_op.f("ix_access_request_resource_id"))
        batch_op.drop_index(batch_op.f("ix_access_request_recipient_org_id"))
        batch_op.drop_index(batch_op.f("ix_access_request_provider_org_id"))

    op.drop_table("access_request")
    with op.batch_alter_table("org_signing_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_signing_key_org_id"))

    op.drop_table("org_signing_key")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_user_read")

    op.drop_table("notification")
    op.drop_table("agreement_usage")
