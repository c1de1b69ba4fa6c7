"""audit log: cheaper appends - the entry hash is no longer a unique key; on SQLite the
subject index is a table without rowid

Every append inserted its (random) hash into a unique index, touching a random page of it;
nothing looks entries up by hash but the verifier explaining a break, which reads the log
once for all of them. ``seq`` stays unique and orders the chain.

SQLite cannot drop a table constraint: ``audit_entry`` is rebuilt. The database's foreign
keys stay on (they cannot be switched off inside the migration's transaction), so
``audit_subject``, which refers to it, is moved aside first and put back after - as a
WITHOUT ROWID table: its primary key (entry_id, subject) is then the table itself, two
B-trees per row instead of three, and the index on ``subject`` covers the citizen's
lookup. (PostgreSQL has no such tables; there it stays as it is.) On a large log this
copies both tables once.

Revision ID: audit_0002
Revises: audit_0001
Create Date: 2026-11-22 13:04:33.493344
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "audit_0002"
down_revision: str | Sequence[str] | None = "audit_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASIDE = "audit_subject_aside"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("uq_audit_entry_hash", "audit_entry", type_="unique")
        return
    _move_subjects_aside()
    with op.batch_alter_table("audit_entry") as batch_op:
        batch_op.drop_constraint("uq_audit_entry_hash", type_="unique")
    _put_subjects_back(with_rowid=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.create_unique_constraint("uq_audit_entry_hash", "audit_entry", ["hash"])
        return
    _move_subjects_aside()
    with op.batch_alter_table("audit_entry") as batch_op:
        batch_op.create_unique_constraint("uq_audit_entry_hash", ["hash"])
    _put_subjects_back(with_rowid=True)


def _subject_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
    ]


def _move_subjects_aside() -> None:
    aside = op.create_table(ASIDE, *_subject_columns())
    subjects = sa.table("audit_subject", sa.column("entry_id"), sa.column("subject"))
    op.execute(
        sa.insert(aside).from_select(
            ["entry_id", "subject"], sa.select(subjects.c.entry_id, subjects.c.subject)
        )
    )
    op.drop_index("ix_audit_subject_subject", table_name="audit_subject")
    op.drop_table("audit_subject")


def _put_subjects_back(*, with_rowid: bool) -> None:
    subjects = op.create_table(
        "audit_subject",
        *_subject_columns(),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["audit_entry.id"], name="fk_audit_subject_entry_id_audit_entry"
        ),
        sa.PrimaryKeyConstraint("entry_id", "subject", name="pk_audit_subject"),
        sqlite_with_rowid=with_rowid,
    )
    op.create_index("ix_audit_subject_subject", "audit_subject", ["subject"], unique=False)
    aside = sa.table(ASIDE, sa.column("entry_id"), sa.column("subject"))
    op.execute(
        sa.insert(subjects).from_select(
            ["entry_id", "subject"],
            sa.select(aside.c.entry_id, aside.c.subject).order_by(
                aside.c.entry_id, aside.c.subject
            ),
        )
    )
    op.drop_table(ASIDE)
