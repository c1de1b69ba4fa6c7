"""The metadata database's transactions on SQLite."""

from __future__ import annotations


def test_a_form_post_waits_for_a_concurrent_writer_instead_of_failing(tmp_path) -> None:
    """A transaction that read first and writes later (a login) survives another connection's
    commit in between, because it took SQLite's write lock at BEGIN."""
    import threading
    import time

    from sqlalchemy import text

    from dati.db.database import Database, begin_immediately

    db = Database(f"sqlite:///{tmp_path}/t.sqlite3")
    with db.bind.begin() as conn:  # type: ignore[union-attr]
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    first = db.new_session()
    token = begin_immediately.set(True)
    try:
        first.execute(text("SELECT count(*) FROM t"))  # reads first, as a login does
    finally:
        begin_immediately.reset(token)

    def other_writer() -> None:
        with db.session() as second:
            second.execute(text("INSERT INTO t VALUES (2)"))

    thread = threading.Thread(target=other_writer)
    thread.start()
    time.sleep(0.3)  # the other writer is now waiting for the lock, not committing past us
    first.execute(text("INSERT INTO t VALUES (1)"))
    first.commit()
    first.close()
    thread.join()
    with db.session() as check:
        assert sorted(check.scalars(text("SELECT x FROM t"))) == [1, 2]
    db.dispose()
