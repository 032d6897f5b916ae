"""Keep the n-gram search index (``SearchGram``) in step with the records, and query it.

A term of one character is looked up directly, a term of two as one pair; a longer term must
contain every pair it is made of, and the few candidates that do are then checked for the
exact substring. Latin terms also match the start of a name's pinyin or its initials.
"""

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.db.models.sql import Query
from django.utils.translation import gettext_lazy as _

from .ranking import MatchRank, pinyin_prefix, placed_grams
from .terms import looks_like_pinyin, query_terms, term_pairs


class SearchGram(models.Model):
    """The search index: each character and each pair of adjacent characters of the text a
    record is searched by (its ``search_fields``), with the record it occurs in and where it
    stands there.

    Most Chinese words are one or two characters, which no word-based or trigram index
    finds; looking up the pair (or, for a longer term, every pair in it) answers any query
    with an index lookup instead of a scan of every description.
    """

    gram = models.CharField(max_length=2)
    # The record's model, by name (see ``kind_of``).
    kind = models.CharField(max_length=50)
    record_id = models.PositiveBigIntegerField()
    # Where the gram stands in the record, as a query of that gram alone would rank it: a
    # one-word search is then ordered from the index, without matching each record's name.
    # A default in the database too, so that hosts still running the code before this field
    # keep saving records while an upgrade rolls out (their rows rank last until
    # ``rebuild_search_index``).
    place = models.PositiveSmallIntegerField(
        choices=MatchRank.choices, db_default=MatchRank.IN_TEXT
    )

    class Meta:
        app_label = "reforms"
        verbose_name = _("检索索引项")
        verbose_name_plural = _("检索索引")
        indexes = [
            models.Index(
                fields=["kind", "gram", "record_id", "place"], name="searchgram_lookup_place"
            ),
            models.Index(fields=["kind", "record_id"], name="searchgram_record"),
        ]


def kind_of(model):
    """The kind an index row of a record of ``model`` is stored under: its model's name, which
    neither adding a model nor reordering any list changes."""
    return model._meta.model_name


def record_grams(record):
    """The grams of the text a record is searched by (its ``search_fields``), with their
    places."""
    fields = type(record).search_fields
    keys = record.aliases if "aliases" in fields else ""
    text = "\n".join(
        getattr(record, field) or "" for field in fields if field not in ("name", "aliases")
    )
    return placed_grams(record.name, keys or "", text)


def rows_for(records):
    for record in records:
        kind = kind_of(type(record))
        for gram, place in record_grams(record).items():
            yield SearchGram(gram=gram, kind=kind, record_id=record.pk, place=place)


def index_records(records, batch_size=5000, using=None):
    """Add the rows of freshly created records, as ``synthesize`` does after bulk_create."""
    SearchGram.objects.db_manager(using).bulk_create(rows_for(records), batch_size=batch_size)


def reindex(record):
    kind = kind_of(type(record))
    SearchGram.objects.filter(kind=kind, record_id=record.pk).delete()
    SearchGram.objects.bulk_create(rows_for([record]))


def rebuild(model):
    SearchGram.objects.filter(kind=kind_of(model)).delete()
    batch = []
    for record in model.objects.only("pk", *model.search_fields).iterator(chunk_size=2000):
        batch.append(record)
        if len(batch) == 2000:
            index_records(batch)
            batch = []
    index_records(batch)


class RecordIds(RawSQL):
    """The ids of the records a query matches, as a one-column subquery (``pk__in=ids``);
    ``from_index`` when the index alone answers it, its ids then being ``record_id``s."""

    def __init__(self, sql, params, from_index):
        super().__init__(sql, params, output_field=models.BigIntegerField())
        self.from_index = from_index

    def count_expression(self):
        """How many ids there are, as a value of the outer query."""
        return RawSQL(
            f"SELECT COUNT(*) FROM ({self.sql}) AS counted",
            self.params,
            output_field=models.IntegerField(),
        )


def _select_ids(model):
    """The start of a query of ``model``'s ids, and its quoted id column."""
    quote = connections[model._default_manager.db].ops.quote_name
    pk = quote(model._meta.pk.column)
    return f"SELECT {pk} FROM {quote(model._meta.db_table)}", pk


def _where(model, condition):
    """``condition`` (a Q on ``model``'s own fields) as SQL for its database: the lookups
    stay Django's, with each backend's case folding and LIKE escaping."""
    query = Query(model)
    compiler = query.get_compiler(using=model._default_manager.db)
    return compiler.compile(query.build_where(condition))


def term_ids(model, term):
    """The ids of records containing ``term``, answered from indexes, never by a scan.

    A term of one or two characters (not Latin) is a single entry of the index, read without
    touching the records, so counting its matches costs an index range however common it
    is. Latin terms also match the start of a name's pinyin or initials; every branch is a
    subquery of ids combined with UNION, since SQLite answers each from its own index where
    an OR of conditions on the table itself would make it read every row.
    """
    kind = kind_of(model)
    index = connections[model._default_manager.db].ops.quote_name(SearchGram._meta.db_table)
    in_index = f"SELECT record_id FROM {index} WHERE kind = %s AND gram = %s"
    pairs = term_pairs(term.lower())
    if len(term) <= 2 and not looks_like_pinyin(term):
        return RecordIds(in_index, [kind, pairs[0]], from_index=True)
    select, pk = _select_ids(model)
    # One IN per pair, each an index lookup; a GROUP BY over all pairs at once leads SQLite
    # to walk every entry of the kind instead.
    conditions = [f"{pk} IN ({in_index})" for _ in pairs]
    params = [value for pair in pairs for value in (kind, pair)]
    if len(term) > 2:
        # The pairs narrow; the substring decides (甲乙 and 乙丙 do not make 甲乙丙).
        exact = Q()
        for field in model.search_fields:
            exact |= Q(**{f"{field}__icontains": term})
        sql, exact_params = _where(model, exact)
        conditions.append(sql)
        params += exact_params
    sql = f"{select} WHERE {' AND '.join(conditions)}"
    if looks_like_pinyin(term):
        prefix, prefix_params = _where(model, pinyin_prefix(term))
        sql += f" UNION {select} WHERE {prefix}"
        params += prefix_params
    return RecordIds(sql, params, from_index=False)


def ranked_by_place(model, gram, limit):
    """The first ``limit`` records holding ``gram``, in the order ``ranking.match_rank``
    gives (place, then pinyin), each with ``match_rank`` and ``total_matches``.

    A word found in thousands of records is then ranked by a number stored beside it,
    where matching each of those records' names against it cost most of a search, in SQL
    and in building the query. Written in SQL for speed: the index has no foreign key (it
    serves every kind of record), so the ORM can only reach a record's place through a
    subquery per record, which costs two to four times as much as this join. Standard SQL,
    for SQLite and PostgreSQL alike; every value is a parameter.
    """
    manager = model._default_manager
    quote = connections[manager.db].ops.quote_name
    records = quote(model._meta.db_table)
    index = quote(SearchGram._meta.db_table)
    sql = (
        "SELECT r.*, g.place AS match_rank, "
        f"(SELECT COUNT(*) FROM {index} n WHERE n.kind = %s AND n.gram = %s) AS total_matches "
        f"FROM {records} r INNER JOIN {index} g ON g.record_id = r.{quote(model._meta.pk.column)} "
        "WHERE g.kind = %s AND g.gram = %s "
        "ORDER BY g.place, r.sort_key, r.name LIMIT %s"
    )
    kind = kind_of(model)
    return manager.raw(sql, [kind, gram, kind, gram, limit])


def matching_ids(model, query):
    """The ids of records containing every term of ``query``, as ``RecordIds``.

    Written as SQL from the start: a search of several words built it from querysets, each
    term's nested in the next, and Django resolved every nested one again at each level,
    which cost tens of milliseconds a collection where running the query costs one or two.
    The terms' subqueries sit side by side in one WHERE clause, never one inside another:
    SQLite's parser has a fixed depth, which a subquery nested per term overflowed at
    eight terms.
    """
    found = [term_ids(model, term) for term in query_terms(query)]
    select, pk = _select_ids(model)
    if not found:
        return RecordIds(select, [], from_index=False)
    # Terms answered by the index alone go first, in one query of the index: the others are
    # then checked only against the records those let through.
    from_index = [ids for ids in found if ids.from_index]
    others = [ids for ids in found if not ids.from_index]
    if from_index:
        first, *more = from_index
        ids = RecordIds(
            " AND ".join([first.sql, *(f"record_id IN ({term.sql})" for term in more)]),
            [value for term in from_index for value in term.params],
            from_index=True,
        )
        if not others:
            return ids
        others.insert(0, ids)
    elif len(others) == 1:
        return others[0]
    return RecordIds(
        f"{select} WHERE " + " AND ".join(f"{pk} IN ({term.sql})" for term in others),
        [value for term in others for value in term.params],
        from_index=False,
    )


# {(model, database): ids saved} while ``indexed_at_the_end`` is in effect, else None.
_saved_in_block = ContextVar("saved_in_block", default=None)
# Ids per statement when a block's records are indexed: well within any database's limit
# on a statement's parameters.
INDEXED_TOGETHER = 500


@contextmanager
def indexed_at_the_end():
    """Within the block, a record saved is indexed once, when the block ends, with the rows
    of every record saved there written together (by the outermost block, where one is
    within another).

    For a load, which saves each record more than once (created, then its links set) and
    hundreds of records at a time: indexing each save wrote and deleted the same rows again
    and again. Use it inside the transaction of the saves: the index then never shows, to
    anyone else, text a record has lost. A block that fails indexes nothing; its
    transaction is rolled back with its records.
    """
    if _saved_in_block.get() is not None:
        yield
        return
    saved = defaultdict(set)
    token = _saved_in_block.set(saved)
    try:
        yield
    finally:
        _saved_in_block.reset(token)
    for (model, using), ids in saved.items():
        ids = sorted(ids)
        for start in range(0, len(ids), INDEXED_TOGETHER):
            chunk = ids[start : start + INDEXED_TOGETHER]
            index = SearchGram.objects.using(using)
            index.filter(kind=kind_of(model), record_id__in=chunk).delete()
            records = model._default_manager.using(using).filter(pk__in=chunk).order_by("pk")
            index_records(records, using=using)


def _reindex_after_save(sender, instance, **kwargs):
    saved = _saved_in_block.get()
    if saved is not None:
        saved[type(instance), kwargs["using"]].add(instance.pk)
        return
    # In the same transaction as the save: the index never shows text the record lost.
    reindex(instance)


def _drop_after_delete(sender, instance, **kwargs):
    SearchGram.objects.filter(kind=kind_of(sender), record_id=instance.pk).delete()


def connect(named_models):
    for model in named_models:
        uid = model._meta.label
        post_save.connect(_reindex_after_save, sender=model, dispatch_uid=f"index-save-{uid}")
        post_delete.connect(_drop_after_delete, sender=model, dispatch_uid=f"index-delete-{uid}")
