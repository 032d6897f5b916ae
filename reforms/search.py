"""Search across every collection, grouped by kind, best matches first."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Window

from .collections import COLLECTIONS
from .models import query_terms

RESULTS_PER_GROUP = 10

__all__ = ["query_terms", "search_everything"]


@dataclass
class SearchGroup:
    collection: object
    query: str
    count: int
    results: list

    @property
    def more_url(self):
        """The collection's list page filtered by the same query: every match, not a few."""
        return f"{self.collection.list_url}?{urlencode({'q': self.query})}"


def search_everything(query, per_group=RESULTS_PER_GROUP):
    """Each collection with matches: how many, and the first few ranked by where they match."""
    if not query_terms(query):
        return []
    groups = []
    for collection in COLLECTIONS:
        # The window count rides along with the first rows: one query a collection, so a
        # search costs the same whether a collection has matches or not.
        results = list(
            collection.model.objects.matching(query)
            .ranked(query)
            .annotate(total_matches=Window(Count("pk")))[:per_group]
        )
        if results:
            groups.append(SearchGroup(collection, query, results[0].total_matches, results))
    return groups
