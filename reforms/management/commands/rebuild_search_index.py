"""Rebuild the search index from the records.

Every save, delete and load keeps the index in step; this is for changes made around the
ORM's signals (raw SQL, ``QuerySet.update()`` on names or descriptions).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from reforms import versioning
from reforms.models import NAMED_MODELS
from reforms.search import index as search_index


class Command(BaseCommand):
    help = "按现有记录重建全文检索索引。"

    def handle(self, *args, **options):
        with transaction.atomic():
            for model in NAMED_MODELS:
                search_index.rebuild(model)
            # Whatever made the rebuild necessary changed what pages show.
            versioning.bump()
        self.stdout.write("检索索引已重建。")
