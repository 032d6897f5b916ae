"""The test database as migrating left it, kept between runs of the suite.

Migrating an empty SQLite database runs every operation of every app's history and renders
the models' states for them: most of the seconds a test process needs before its first test,
paid again by every process of every run although the migrations rarely change. A run keeps
the migrated database in pytest's cache directory, under a fingerprint of everything that
decides what migrating writes; a later run with the same fingerprint copies it into its
in-memory database instead, then lets ``migrate`` run as usual: it finds every migration
applied and only sends its signals. A changed, added or removed migration, another Django or
SQLite, or other apps give another fingerprint, and the database is migrated afresh.
"""

import hashlib
import os
import sqlite3
import sys
from contextlib import closing, contextmanager
from pathlib import Path

import pytest


class KeptMigrations:
    """pytest-django's test databases start, on SQLite, from the migrated database an earlier
    run kept in pytest's cache directory; with the cache turned off (``-p no:cacheprovider``)
    they are migrated as usual."""

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        cache = getattr(request.config, "cache", None)
        if fixturedef.argname != "django_db_setup" or fixturedef.baseid or cache is None:
            return (yield)
        with kept_between_runs(cache.mkdir("migrated-databases")):
            return (yield)


def fingerprint(connection):
    """What decides the schema and rows that migrating ``connection`` writes."""
    import django
    from django.conf import settings
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256()
    for part in (
        django.get_version(),
        sqlite3.sqlite_version,
        repr(settings.INSTALLED_APPS),
        repr(settings.AUTH_USER_MODEL),
        connection.vendor,
    ):
        digest.update(part.encode() + b"\0")
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key in sorted(loader.disk_migrations):
        module = sys.modules[loader.disk_migrations[key].__module__]
        digest.update(repr(key).encode() + b"\0")
        digest.update(Path(module.__file__).read_bytes() + b"\0")
    return digest.hexdigest()[:32]


@contextmanager
def kept_between_runs(directory):
    """While active, ``migrate`` on an in-memory SQLite database starts from the copy kept in
    ``directory`` for its fingerprint, and keeps one there when there was none."""
    from django.core.management.commands import migrate
    from django.db import connections

    run = migrate.Command.handle

    def handle(command, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite" or not connection.is_in_memory_db():
            return run(command, *args, **options)
        kept = directory / f"{fingerprint(connection)}.sqlite3"
        connection.ensure_connection()
        if kept.exists() and _copy_in(kept, connection.connection):
            return run(command, *args, **options)
        result = run(command, *args, **options)
        _keep(connection.connection, kept)
        return result

    migrate.Command.handle = handle
    try:
        yield
    finally:
        migrate.Command.handle = run


def _copy_in(kept, database):
    try:
        with closing(sqlite3.connect(f"file:{kept}?mode=ro", uri=True)) as source:
            source.backup(database)
    except sqlite3.DatabaseError:
        # Not a database, or not a whole one: migrate from scratch, and keep a good copy.
        kept.unlink(missing_ok=True)
        return False
    return True


def _keep(database, kept):
    # Written whole under a name of its own, then renamed: another process starting at the
    # same moment reads either no copy or a complete one.
    partial = kept.with_name(f"{kept.stem}.{os.getpid()}.partial")
    with closing(sqlite3.connect(partial)) as copy:
        database.backup(copy)
    os.replace(partial, kept)
    for other in kept.parent.glob("*.sqlite3"):
        if other != kept:
            # Made by migrations as they were once: never used again.
            other.unlink(missing_ok=True)
