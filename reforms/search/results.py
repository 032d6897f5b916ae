"""Search across every collection, grouped by kind, best matches first."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, IntegerField, Subquery, Window

from ..registry import COLLECTIONS
from .index import SearchGram, matching_ids, ranked_by_place
from .terms import query_terms, single_gram

RESULTS_PER_GROUP = 10


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
    gram = single_gram(query)
    groups = []
    # One query a collection, so a search costs the same whether a collection has matches
    # or not.
    for collection in COLLECTIONS:
        if gram is not None:
            # Most Chinese searches are one word of one or two characters: its ranking is
            # stored in the index.
            results = list(ranked_by_place(collection.model, gram, per_group))
        else:
            results = list(ranked_matches(collection.model, query)[:per_group])
        if results:
            groups.append(SearchGroup(collection, query, results[0].total_matches, results))
    return groups


def ranked_matches(model, query):
    ids = matching_ids(model, query)
    # Ids read from the index alone are counted there, without reading any record; other
    # queries (pinyin, longer terms) are counted over the ranked rows, sparing their
    # subquery a second run.
    total = CountOf(ids) if ids.model is SearchGram else Window(Count("pk"))
    return model.objects.filter(pk__in=ids).ranked(query).annotate(total_matches=total)


class CountOf(Subquery):
    """How many rows a subquery returns, as a value of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()
