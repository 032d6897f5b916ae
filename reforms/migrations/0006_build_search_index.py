from django.db import migrations

from ._frozen_search import grams

# The order of reforms.models.NAMED_MODELS then, which numbered the kinds in the index
# until 0015 named them.
KINDS = (
    "Report",
    "Organization",
    "School",
    "Zone",
    "Initiative",
    "Publication",
    "Award",
    "Figure",
    "Slogan",
    "Milestone",
)


# Each model's search_fields at the time of this migration.
FIELDS = {
    "Report": ("name", "subtitle", "authors", "description"),
    "Figure": ("name", "as_written", "aliases", "description"),
}
DEFAULT_FIELDS = ("name", "aliases", "description")


def build(apps, schema_editor):
    SearchGram = apps.get_model("reforms", "SearchGram")
    for kind, name in enumerate(KINDS, start=1):
        model = apps.get_model("reforms", name)
        fields = FIELDS.get(name, DEFAULT_FIELDS)
        rows = []
        for values in model.objects.values_list("pk", *fields).iterator():
            text = "\n".join(value or "" for value in values[1:])
            rows.extend(SearchGram(gram=g, kind=kind, record_id=values[0]) for g in grams(text))
        SearchGram.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [("reforms", "0005_search_index")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
