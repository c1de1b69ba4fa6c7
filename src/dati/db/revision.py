"""Developer helper: autogenerate a migration into one feature's folder.

    python -m dati.db.revision FEATURE "what changed" [--depends-on REV]

The first revision of a feature gets the feature's branch label; later ones continue
that branch. Review the generated file: autogenerate sees every feature's tables, so
delete operations that belong to other features.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from dati.db import migrate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("feature", choices=sorted(migrate.FEATURES))
    parser.add_argument("message")
    parser.add_argument("--depends-on", default=None)
    args = parser.parse_args()
    folder = migrate.migrations_dir(args.feature)
    folder.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'gen.sqlite3'}"
        migrate.upgrade(url)
        cfg = migrate.alembic_config(url)
        cfg.set_main_option("version_locations", " ".join(migrate.version_locations()))
        script = ScriptDirectory.from_config(cfg)
        existing = [
            r for r in script.walk_revisions() if args.feature in (r.branch_labels or set())
        ]
        count = len(list(folder.glob("*.py")))
        rev_id = f"{args.feature}_{count + 1:04d}"
        slug = "_".join(args.message.lower().split())[:40]
        cfg.set_main_option("file_template", f"{date.today():%Y_%m_%d}_{slug}")
        command.revision(
            cfg,
            message=args.message,
            autogenerate=True,
            rev_id=rev_id,
            version_path=str(folder),
            head=f"{args.feature}@head" if existing else "base",
            branch_label=None if existing else args.feature,
            depends_on=args.depends_on,
        )


if __name__ == "__main__":
    main()
