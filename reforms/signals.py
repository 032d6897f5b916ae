"""Keep derived name fields right however a record is saved.

``loaddata`` saves with ``raw=True`` and skips ``Model.save()``, but it still sends
``pre_save``, so deriving here covers the admin, the shell and fixtures alike.
"""

from django.db.models.signals import pre_save

from .models import NAMED_MODELS


def unique_slug(model, base, pk=None):
    """``base`` (a name's pinyin slug), suffixed -2, -3 … until no other row has it."""
    base = base or model._meta.model_name
    candidate, n = base, 1
    others = model._default_manager.exclude(pk=pk) if pk else model._default_manager.all()
    while others.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def derive_name_fields(sender, instance, raw=False, **kwargs):
    slug_base = instance.refresh_derived_fields()
    if instance.slug:
        return
    if instance.pk:
        # A fixture reloaded over an existing row carries no slug; keep the one links use.
        existing = sender._default_manager.filter(pk=instance.pk).values_list("slug", flat=True)
        instance.slug = existing.first() or ""
    if not instance.slug:
        instance.slug = unique_slug(sender, slug_base, pk=instance.pk)


def connect():
    for model in NAMED_MODELS:
        pre_save.connect(
            derive_name_fields, sender=model, dispatch_uid=f"derive-name-{model._meta.label}"
        )
