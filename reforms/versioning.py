"""The data version: read on every public request, moved on by every change to the records.

Signals catch saves, deletes and relation changes from the admin, the shell and ``loaddata``
(which sends them with ``raw=True``); ``synthesize`` writes with ``bulk_create`` and
``rebuild_search_index`` follows writes made around the ORM, so both bump it themselves.
"""

import datetime
import os

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import NAMED_MODELS, DataVersion, FacetCount, FigureValue, Section, Statement

_CURRENT = f"SELECT version, changed_at FROM {DataVersion._meta.db_table} WHERE id = 1"

# A SQLite database file's header: the format a writer uses at offset 18 (1: rollback journal,
# 2: WAL) and, at offset 24, the file change counter (https://www.sqlite.org/fileformat.html).
_WRITE_VERSION_AT, _COUNTER_AT = 18, 24
_ROLLBACK_JOURNAL = 1

# ((database path, its file, its change counter), (version, changed_at)) as this process
# last read them.
_remembered = None
# Each database file this process reads the header of, by (path, device, inode): opened once
# and never closed, for closing any descriptor of a file drops every lock SQLite holds on it
# in the process (POSIX advisory locks belong to the process, not to the descriptor). The
# inode tells a file put in place of another at the same path; the one it replaced stays
# open, its space on disk held, until the process ends.
_headers = {}


def _change_counter(path):
    """The file at ``path`` as (device, inode), its SQLite file change counter, and whether
    this process had not read that file before; None where the counter does not tell every
    change.

    SQLite moves the counter on whenever a connection that changed the file lets go of it,
    for other processes to tell that their copies of its pages are stale: reading it is one
    small read of the file, where reading the version is a statement. In WAL mode it is not
    moved on every time, so there the version is read each time.
    """
    try:
        status = os.stat(path)
        descriptor = _headers.get((path, status.st_dev, status.st_ino))
        new = descriptor is None
        if new:
            descriptor = os.open(path, os.O_RDONLY)
            # The file opened, which may have been put in place since the stat.
            status = os.fstat(descriptor)
            _headers[(path, status.st_dev, status.st_ino)] = descriptor
        header = os.pread(descriptor, _COUNTER_AT + 4 - _WRITE_VERSION_AT, _WRITE_VERSION_AT)
    except OSError:
        return None
    if len(header) < _COUNTER_AT + 4 - _WRITE_VERSION_AT or header[0] != _ROLLBACK_JOURNAL:
        return None
    return (status.st_dev, status.st_ino), header[_COUNTER_AT - _WRITE_VERSION_AT :], new


def current():
    """(version, changed_at) as every process sees it now.

    Read on every request, cached or not. On a SQLite file in its default journal mode, and
    outside a transaction (whose own changes the file does not show yet), the version this
    process read last is taken again while the file's change counter says nothing was
    committed since: a cached page then costs no statement at all. Otherwise it is one plain
    statement: building it through the ORM costs more than serving a cached page does.
    """
    global _remembered
    database = connections[DEFAULT_DB_ALIAS]
    stamp = None
    if (
        database.vendor == "sqlite"
        and not database.in_atomic_block
        and (database.connection is None or database.get_autocommit())
        and isinstance(database.settings_dict["NAME"], (str, os.PathLike))
    ):
        path = database.settings_dict["NAME"]
        counted = _change_counter(path)
        if counted is not None:
            file, counter, new = counted
            stamp = (path, file, counter)
            if _remembered is not None and _remembered[0] == stamp:
                return _remembered[1]
            if new:
                # A file at this path this process has not read before, put in place of
                # another (a restored copy) or first read: a connection opened earlier may
                # still have the file it replaced open, and is opened again.
                database.close()
    read = _read_current()
    # Read after the counter: a change committed in between is read now and, the counter
    # having moved, read again next time.
    _remembered = (stamp, read) if stamp is not None else None
    return read


def _read_current():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        # No parameters: the statement is sent as it is, without rewriting placeholders.
        cursor.execute(_CURRENT)
        row = cursor.fetchone()
    if row is None:
        return 0, None
    version, changed_at = row
    if isinstance(changed_at, str):
        changed_at = datetime.datetime.fromisoformat(changed_at)
    if changed_at is not None and changed_at.tzinfo is None:
        # SQLite keeps datetimes without their zone, in UTC.
        changed_at = changed_at.replace(tzinfo=datetime.UTC)
    return version, changed_at


def bump(using=None):
    now = timezone.now()
    updated = (
        DataVersion.objects.using(using)
        .filter(pk=1)
        .update(version=F("version") + 1, changed_at=now)
    )
    if not updated:
        DataVersion.objects.using(using).get_or_create(
            pk=1, defaults={"version": 1, "changed_at": now}
        )
    # Counts derived from the records are read only at the version they were counted at;
    # the older ones are of no more use.
    FacetCount.objects.using(using).all().delete()


def refresh_statistics():
    """Let the query planner see the data as it now is, after a bulk load.

    Until statistics exist the planner guesses a handful of rows per table, and its plans for
    facet counts over many thousands of rows can run for seconds; autovacuum gets there only
    later. Outside any transaction, so it sees what was just committed.
    """
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("ANALYZE")


def record_changed(sender, using=None, **kwargs):
    """Move the version on once per transaction, inside it.

    Inside: the new version becomes visible exactly when the new data does, and a rolled-back
    change takes its bump with it. Once: a load of thousands of records would otherwise
    rewrite the same row thousands of times. What remembers "already bumped" is a marker
    queued with ``on_commit``: Django drops it with the transaction (or the savepoint) it was
    queued in, so a rollback also forgets it, and it clears itself at commit.
    """
    connection = transaction.get_connection(using)
    queued = (callback for _, callback, _ in connection.run_on_commit)
    if any(getattr(callback, "bumped_pending_commit", False) for callback in queued):
        return
    bump(using)

    def marker():
        marker.bumped_pending_commit = False

    marker.bumped_pending_commit = True
    transaction.on_commit(marker, using=using)


def connect():
    # What each report says and each figure value are on the pages too.
    for model in (*NAMED_MODELS, Section, Statement, FigureValue):
        uid = model._meta.label
        post_save.connect(record_changed, sender=model, dispatch_uid=f"version-save-{uid}")
        post_delete.connect(record_changed, sender=model, dispatch_uid=f"version-delete-{uid}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                record_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"version-m2m-{uid}-{field.name}",
            )
