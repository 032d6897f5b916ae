"""Everything about moving reports in and out of the database as fixtures, in one place.

``load`` checks fixture files and merges them (a new report adds to what is known and never
overwrites an earlier report), ``dump`` writes each report back as its own fixture, and
``removal`` takes a report out again. The management commands are thin wrappers around these.
"""

import os

from django.db import DatabaseError, transaction

from ..history import versions_of_loaded_records
from .check import FixtureChecker, FixtureProblem
from .merge import Merge

__all__ = ["FixtureProblem", "load"]


def load(files, using="default", ignore_unknown_fields=False):
    """Check every ``(name, bytes)`` file, then merge them all in one transaction.

    Raises ``FixtureProblem`` naming the first problem, with nothing written. Returns the
    number of records the load changed (0 when the files say nothing new).
    """
    checker = FixtureChecker(using=using, ignore_unknown_fields=ignore_unknown_fields)
    for name, raw in files:
        checker.add_file(name, raw)
    checker.check()
    names = "、".join(os.path.basename(name) for name, _ in files)
    try:
        with (
            transaction.atomic(using=using),
            versions_of_loaded_records(f"载入 {names}"),
        ):
            return Merge(using).run(checker.records)
    except DatabaseError as error:
        raise FixtureProblem(f"{names}：写入数据库时出错（{error}）。") from error
