"""The test database as migrating left it, kept between runs of the suite.

Migrating an empty SQLite database runs every operation of every app's history and renders
the models' states for them: most of the seconds a test process needs before its first test,
paid again by every process of every run although the migrations rarely change. A run keeps
the migrated database in pytest's cache directory, under a fingerprint of everything that
decides what migrating writes; a later run with the same fingerprint copies it into its
in-memory database instead, then lets ``migrate`` run as usual: it finds every migration
applied and only sends its signals. A changed, added or removed migration, another Django or
SQLite, or other apps give another fingerprint, and the database is migrated afresh.

A row a migration dates with the time of migrating (the data version's first) then carries
the time the copy was made, as it would on any database migrated earlier.
"""

import hashlib
import os
import sqlite3
from contextlib import closing, contextmanager
from importlib import import_module
from pathlib import Path

import pytest


class KeptMigrations:
    """pytest-django's test databases start, on SQLite, from the migrated database an earlier
    run kept in pytest's cache directory; with the cache turned off (``-p no:cacheprovider``)
    they are migrated as usual."""

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        cache = getattr(request.config, "cache", None)
        if (
            fixturedef.argname != "django_db_setup"
            # The project's own fixture of that name runs after pytest-django's.
            or fixturedef.func.__module__ != "pytest_django.fixtures"
            or cache is None
        ):
            return (yield)
        with kept_between_runs(cache.mkdir("migrated-databases")):
            return (yield)


def fingerprint(connection):
    """What decides the schema and rows that migrating ``connection`` writes: every file of
    every app's migrations package (helpers the migrations import among them), with Django's
    and SQLite's versions and the apps installed. None where the models decide instead (an
    app without migrations, or migrations turned off, as ``--nomigrations`` does), which no
    copy can follow."""
    # Imported here: pytest loads this plugin before pytest-django sets Django up.
    import django
    from django.apps import apps
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
    for app_config in sorted(apps.get_app_configs(), key=lambda config: config.label):
        module_name, _ = MigrationLoader.migrations_module(app_config.label)
        try:
            package = import_module(module_name) if module_name else None
        except ModuleNotFoundError:
            package = None
        if package is None or not hasattr(package, "__path__"):
            if any(app_config.get_models()):
                return None
            continue
        for directory in package.__path__:
            for path in sorted(Path(directory).glob("*.py")):
                digest.update(f"{app_config.label}/{path.name}".encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


@contextmanager
def kept_between_runs(directory):
    """While active, ``migrate`` on an in-memory SQLite database starts from the copy kept in
    ``directory`` for its fingerprint, and keeps one there when there was none."""
    from django.core.management.commands import migrate
    from django.db import connections

    # The class itself, whatever later takes its module's name (pytest-django's quieter
    # subclass does): the change is undone where it was made.
    command_class = migrate.Command
    run = command_class.handle

    def handle(command, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite" or not connection.is_in_memory_db():
            return run(command, *args, **options)
        key = fingerprint(connection)
        if key is None:
            return run(command, *args, **options)
        kept = directory / f"{key}.sqlite3"
        connection.ensure_connection()
        if kept.exists() and _copy_in(kept, connection.connection):
            # Every migration is recorded as applied: migrate only sends its signals.
            return run(command, *args, **options)
        result = run(command, *args, **options)
        _keep(connection.connection, kept)
        return result

    command_class.handle = handle
    try:
        yield
    finally:
        command_class.handle = run


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
    """Keep a copy of ``database`` as ``kept``, if the cache directory takes it: a copy is
    only a shortcut, and a run that cannot keep one migrates as before."""
    # Written whole under a name of its own, then renamed: another process starting at the
    # same moment reads either no copy or a complete one.
    partial = kept.with_name(f"{kept.stem}.{os.getpid()}.partial")
    try:
        with closing(sqlite3.connect(partial)) as copy:
            database.backup(copy)
        os.replace(partial, kept)
    except (OSError, sqlite3.Error):
        return
    finally:
        partial.unlink(missing_ok=True)
    for other in kept.parent.glob("*.sqlite3"):
        if other != kept:
            # Made by migrations as they were once: never used again.
            other.unlink(missing_ok=True)
