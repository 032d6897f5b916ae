"""The data version: read on every public request, moved on by every change to the records.

Signals catch saves, deletes and relation changes from the admin, the shell and ``loaddata``
(which sends them with ``raw=True``); ``synthesize`` writes with ``bulk_create`` and
``rebuild_search_index`` follows writes made around the ORM, so both bump it themselves.
"""

from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import NAMED_MODELS, DataVersion, Section


def current():
    """(version, changed_at) as every process sees it now."""
    row = DataVersion.objects.filter(pk=1).values_list("version", "changed_at").first()
    return row or (0, None)


def bump(using=None):
    now = timezone.now()
    updated = (
        DataVersion.objects.using(using)
        .filter(pk=1)
        .update(version=F("version") + 1, changed_at=now)
    )
    if not updated:
        DataVersion.objects.using(using).get_or_create(
            pk=1, defaults={"version": 1, "changed_at": now}
        )


def record_changed(sender, using=None, **kwargs):
    # In the same transaction as the change itself: the new version becomes visible exactly
    # when the new data does, and a rolled-back change takes its bump with it.
    bump(using)


def connect():
    for model in (*NAMED_MODELS, Section):
        uid = model._meta.label
        post_save.connect(record_changed, sender=model, dispatch_uid=f"version-save-{uid}")
        post_delete.connect(record_changed, sender=model, dispatch_uid=f"version-delete-{uid}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                record_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"version-m2m-{uid}-{field.name}",
            )
