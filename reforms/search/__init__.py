"""Search across the collections, in one place.

- ``terms``: a reader's query as terms, and text as the grams the index holds (plain Python);
- ``ranking``: where a query matches a record, as SQL for a query and in Python for the index;
- ``index``: the n-gram index (``SearchGram``), kept in step with the records, and its lookups;
- ``results``: what the search page shows, grouped by collection.

``models.py`` imports ``terms``, ``ranking`` and ``index``, which import no model of the project;
``results`` reads the collection registry, and so the models.
"""
