"""Search across every collection, grouped by kind, best matches first."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, IntegerField, Subquery, Window

from .collections import COLLECTIONS
from .models import SearchGram, query_terms
from .search_index import matching_ids

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
        ids = matching_ids(collection.model, query)
        # Ids read from the index alone are counted there, so a pair found in a quarter of
        # all names is counted without reading any record; other queries (pinyin, longer
        # terms) are counted over the ranked rows, sparing their subquery a second run.
        if ids.model is SearchGram:
            total = CountOf(ids)
        else:
            total = Window(Count("pk"))
        # One query a collection, so a search costs the same whether a collection has
        # matches or not.
        results = list(
            collection.model.objects.filter(pk__in=ids)
            .ranked(query)
            .annotate(total_matches=total)[:per_group]
        )
        if results:
            groups.append(SearchGroup(collection, query, results[0].total_matches, results))
    return groups


class CountOf(Subquery):
    """How many rows a subquery returns, as a value of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()
