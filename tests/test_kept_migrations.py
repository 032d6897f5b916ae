"""The migrated test database kept between runs is used only while the migrations are the
ones it was made by."""

import sqlite3
from contextlib import closing
from pathlib import Path

from django.db import connection

from .kept_migrations import _copy_in, _keep, fingerprint


def test_the_fingerprint_moves_when_any_migration_changes(monkeypatch):
    before = fingerprint(connection)
    assert fingerprint(connection) == before
    read_bytes = Path.read_bytes

    def edited(path):
        data = read_bytes(path)
        return data + b"\n# edited\n" if path.name.startswith("0001_") else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert fingerprint(connection) != before


def test_no_copy_stands_for_tables_made_from_the_models(settings):
    # As under --nomigrations: syncdb makes the tables from the models, which no
    # fingerprint of migrations follows.
    settings.MIGRATION_MODULES = {"reforms": None}
    assert fingerprint(connection) is None


def test_a_kept_copy_replaces_the_older_ones_and_a_broken_one_is_dropped(tmp_path):
    with closing(sqlite3.connect(":memory:")) as made:
        made.execute("CREATE TABLE t (x)")
        made.execute("INSERT INTO t VALUES (42)")
        made.commit()
        stale = tmp_path / "0ld.sqlite3"
        stale.write_bytes(b"")
        _keep(made, tmp_path / "new.sqlite3")
    assert [path.name for path in tmp_path.iterdir()] == ["new.sqlite3"]

    with closing(sqlite3.connect(":memory:")) as fresh:
        assert _copy_in(tmp_path / "new.sqlite3", fresh)
        assert fresh.execute("SELECT x FROM t").fetchall() == [(42,)]

    # A directory that cannot take a copy leaves the run as it was.
    with closing(sqlite3.connect(":memory:")) as made:
        _keep(made, tmp_path / "missing" / "copy.sqlite3")
    assert not (tmp_path / "missing").exists()

    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database" * 100)
    with closing(sqlite3.connect(":memory:")) as fresh:
        assert not _copy_in(broken, fresh)
    assert not broken.exists()
