"""Search across every collection, grouped by kind, best matches first."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Value, Window

from ..models import LINK_FIELDS, FacetCount, RecordLink
from ..registry import COLLECTIONS
from .index import matching_ids, ranked_by_place
from .terms import query_terms, single_gram

RESULTS_PER_GROUP = 10
# What a search result shows of a record.
HIT_FIELDS = (*LINK_FIELDS, "description")


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


class SearchHit(RecordLink):
    """A search result as the page shows it (a link, and the description around the word),
    read without building its record, with the count of its collection's matches."""

    __slots__ = ("description", "total_matches")

    def __init__(self, model, pk, name, name_en, slug, description, total_matches):
        super().__init__(model, pk, name, name_en, slug)
        self.description, self.total_matches = description, total_matches


def ranked_by_gram(gram, version, per_group):
    """{collection: its first ``per_group`` records holding ``gram``, each with
    ``total_matches``} for a one-word search, the commonest kind.

    What a word finds depends only on the data, and ranking a common word's thousands of
    matches was most of a search: each collection's count and first ids are kept in
    ``FacetCount`` for the data version, and read back with what the page shows of them in
    one query for every collection."""
    keys = {
        collection: FacetCount.key_for(collection.model, FacetCount.SEARCH, f"{gram}\0{per_group}")
        for collection in COLLECTIONS
    }
    stored = FacetCount.objects.stored(version, keys.values())
    if len(stored) == len(keys):
        return _kept_hits({collection: stored[key] for collection, key in keys.items()})
    # One query a collection, so a search costs the same whether a collection has matches
    # or not.
    ranked = {
        collection: list(ranked_by_place(collection.model, gram, per_group))
        for collection in COLLECTIONS
    }
    FacetCount.objects.keep_quietly(
        version,
        {
            keys[collection]: (
                collection.model._meta.label,
                FacetCount.SEARCH,
                gram,
                [results[0].total_matches if results else 0, [r.pk for r in results]],
            )
            for collection, results in ranked.items()
        },
    )
    return ranked


def _kept_hits(kept):
    """{collection: [SearchHit, ...]} for ``kept`` ({collection: [total, ids]}), the hits of
    every collection read in one UNION query."""
    found = {collection: ids for collection, (_, ids) in kept.items() if ids}
    parts = [
        collection.model._default_manager.filter(pk__in=ids)
        .order_by()
        .annotate(hit_kind=Value(collection.model._meta.label))
        .values_list("hit_kind", *HIT_FIELDS)
        for collection, ids in found.items()
    ]
    rows = parts[0].union(*parts[1:], all=True) if parts else []
    models = {collection.model._meta.label: collection for collection in found}
    hits = {}
    for kind, pk, *shown in rows:
        collection = models[kind]
        hits[collection, pk] = SearchHit(collection.model, pk, *shown, kept[collection][0])
    # A record deleted after this request read the kept ids (its change moves the version
    # on, for the next request) is left out rather than failing the page.
    return {
        collection: [
            hits[collection, pk] for pk in found.get(collection, ()) if (collection, pk) in hits
        ]
        for collection in kept
    }


def ranked_matches(model, query):
    ids = matching_ids(model, query)
    # Ids read from the index alone are counted there, without reading any record; other
    # queries (pinyin, longer terms) are counted over the ranked rows, sparing their
    # subquery a second run.
    total = ids.count_expression() if ids.from_index else Window(Count("pk"))
    return model.objects.filter(pk__in=ids).ranked(query).annotate(total_matches=total)
