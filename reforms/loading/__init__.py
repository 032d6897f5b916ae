"""Everything about moving reports in and out of the database as fixtures, in one place.

``load`` checks fixture files and merges them (a new report adds to what is known and never
overwrites an earlier report), ``dump`` writes each report back as its own fixture, and
``removal`` takes a report out again. The management commands are thin wrappers around these.
"""

import os

from django.db import DatabaseError, transaction

from ..history import versions_of_loaded_records
from ..search.index import indexed_at_the_end
from .check import FixtureChecker, FixtureProblem
from .merge import Merge

__all__ = ["FixtureProblem", "load"]


def load(files, using="default", ignore_unknown_fields=False, drafts_stored=None):
    """Check every ``(name, bytes)`` file, then merge them all in one transaction.

    Raises ``FixtureProblem`` naming the first problem, with nothing written. Returns the
    number of records the load changed (0 when the files say nothing new). A draft file
    changes no record: the ``Draft`` stored for it is appended to ``drafts_stored`` (a list)
    so that the caller can say where it waits for review.
    """
    from ..drafting.store import draft_objects, store_draft

    # A drafted report (its report object carries "draft") is stored for review, never as
    # records: nothing in it is public until an editor publishes it.
    drafts = [(name, draft_objects(raw, name)) for name, raw in files]
    files = [
        (name, raw)
        for (name, raw), (_, objects) in zip(files, drafts, strict=True)
        if objects is None
    ]
    drafts = [(name, objects) for name, objects in drafts if objects is not None]
    checker = FixtureChecker(using=using, ignore_unknown_fields=ignore_unknown_fields)
    for name, raw in files:
        checker.add_file(name, raw)
    checker.check()
    names = "、".join(os.path.basename(name) for name, _ in files)
    try:
        # One transaction for drafts and records alike: a file that fails leaves no draft
        # of the same load behind either.
        with transaction.atomic(using=using):
            for name, objects in drafts:
                stored = store_draft(objects, name)
                if drafts_stored is not None:
                    drafts_stored.append(stored)
            if not files:
                return 0
            with versions_of_loaded_records(f"载入 {names}"), indexed_at_the_end():
                return Merge(using).run(checker.records)
    except DatabaseError as error:
        raise FixtureProblem(f"{names or '草稿'}：写入数据库时出错（{error}）。") from error
