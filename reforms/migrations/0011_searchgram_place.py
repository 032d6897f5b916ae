from django.db import migrations, models

from ._frozen_search import record_grams

# Each model's search_fields at the time of this migration, in the order of
# reforms.models.NAMED_MODELS then, which numbered the kinds in the index (until 0015).
FIELDS = {
    "Report": ("name", "name_en", "subtitle", "authors", "description"),
    "Organization": ("name", "name_en", "aliases", "description"),
    "School": ("name", "name_en", "aliases", "description"),
    "Zone": ("name", "name_en", "aliases", "description"),
    "Initiative": ("name", "name_en", "aliases", "description"),
    "Publication": ("name", "name_en", "aliases", "description"),
    "Award": ("name", "name_en", "aliases", "description"),
    "Figure": ("name", "name_en", "as_written", "aliases", "description"),
    "Slogan": ("name", "name_en", "aliases", "description"),
    "Milestone": ("name", "name_en", "aliases", "description"),
}


def place_every_gram(apps, schema_editor):
    """Index every record again, now with where each gram stands in it."""
    SearchGram = apps.get_model("reforms", "SearchGram")
    SearchGram.objects.all().delete()
    for kind, (name, fields) in enumerate(FIELDS.items(), start=1):
        model = apps.get_model("reforms", name)
        rows = []
        for record in model.objects.only("pk", *fields).iterator(chunk_size=2000):
            rows.extend(
                SearchGram(gram=gram, kind=kind, record_id=record.pk, place=place)
                for gram, place in record_grams(record, fields).items()
            )
            if len(rows) >= 20000:
                SearchGram.objects.bulk_create(rows, batch_size=5000)
                rows = []
        SearchGram.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [("reforms", "0010_name_en")]

    operations = [
        migrations.RemoveIndex(model_name="searchgram", name="searchgram_lookup"),
        migrations.AddField(
            model_name="searchgram",
            name="place",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (0, "名称即检索词"),
                    (1, "名称以检索词开头"),
                    (2, "名称含检索词"),
                    (3, "别称或拼音含检索词"),
                    (4, "其他文字含检索词"),
                ],
                db_default=4,
            ),
        ),
        migrations.RunPython(place_every_gram, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="searchgram",
            index=models.Index(
                fields=["kind", "gram", "record_id", "place"], name="searchgram_lookup_place"
            ),
        ),
    ]
