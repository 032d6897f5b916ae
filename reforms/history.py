"""Every version of every record, for the admin's history and revert.

django-simple-history records each save made through the ORM, with the staff member who made
it. Loads are versions too: a record's first version is what the report's fixture said, and
without it the first correction made in the admin could not be undone. A load saves a record
before it sets its relations, so its version is written once the whole load is in, inside
the load's transaction, relations and all.
"""

import contextvars
from contextlib import contextmanager

from simple_history.models import HistoricalRecords

_loaded = contextvars.ContextVar("records loaded by the current load", default=None)


class RecordHistory(HistoricalRecords):
    for_model = {}

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        RecordHistory.for_model[self.cls] = self

    def post_save(self, instance, created, using=None, **kwargs):
        loaded = _loaded.get()
        if loaded is not None and kwargs.get("raw"):
            loaded[type(instance), instance.pk] = instance
            return
        super().post_save(instance, created, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if _loaded.get() is not None:
            return
        super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)


@contextmanager
def versions_of_loaded_records(reason):
    """Write one version of each record saved by the load run inside this block."""
    loaded = {}
    token = _loaded.set(loaded)
    try:
        yield
    finally:
        _loaded.reset(token)
    for (model, _pk), instance in loaded.items():
        history = RecordHistory.for_model.get(model)
        if history is None:
            continue
        instance._change_reason = reason[:100]
        earlier = model.history.filter(pk=instance.pk).exists()
        history.create_historical_record(instance, "~" if earlier else "+")
