"""Search across every collection, grouped by kind, best matches first."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, IntegerField, Subquery, Window

from ..models import FacetCount
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


def search_everything(query, version, per_group=RESULTS_PER_GROUP):
    """Each collection with matches: how many, and the first few ranked by where they match.

    ``version`` is the data version the request reads, for which a one-word search's groups
    are kept."""
    if not query_terms(query):
        return []
    gram = single_gram(query)
    if gram is None:
        ranked = {
            collection: list(ranked_matches(collection.model, query)[:per_group])
            for collection in COLLECTIONS
        }
    else:
        ranked = ranked_by_gram(gram, version, per_group)
    return [
        SearchGroup(collection, query, results[0].total_matches, results)
        for collection, results in ranked.items()
        if results
    ]


def ranked_by_gram(gram, version, per_group):
    """{collection: its first ``per_group`` records holding ``gram``, each with
    ``total_matches``} for a one-word search, the commonest kind.

    What a word finds depends only on the data, and ranking a common word's thousands of
    matches was most of a search: each collection's count and first ids are kept in
    ``FacetCount`` for the data version, and read back with the records in one query per
    collection that has matches."""
    keys = {
        collection: FacetCount.key_for(collection.model, FacetCount.SEARCH, f"{gram}\0{per_group}")
        for collection in COLLECTIONS
    }
    stored = FacetCount.objects.stored(version, keys.values())
    ranked, counted = {}, {}
    for collection, key in keys.items():
        model = collection.model
        if key in stored:
            total, ids = stored[key]
            records = model._default_manager.in_bulk(ids) if ids else {}
            results = [records[pk] for pk in ids]
            for record in results:
                record.total_matches = total
        else:
            # One query a collection, so a search costs the same whether a collection has
            # matches or not.
            results = list(ranked_by_place(model, gram, per_group))
            total = results[0].total_matches if results else 0
            counted[key] = (
                model._meta.label,
                FacetCount.SEARCH,
                gram,
                [total, [record.pk for record in results]],
            )
        ranked[collection] = results
    FacetCount.objects.keep_quietly(version, counted)
    return ranked


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
