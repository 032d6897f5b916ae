from django.db import migrations, models

# The kinds of the index as 0006 numbered them (from 1), by their place in the list of models
# of the time. A kind is now the model's name, which no reordering can change.
NUMBERED = (
    "report",
    "organization",
    "school",
    "zone",
    "initiative",
    "publication",
    "award",
    "figure",
    "slogan",
    "milestone",
)


def renumber(apps, pairs):
    SearchGram = apps.get_model("reforms", "SearchGram")
    for old, new in pairs:
        SearchGram.objects.filter(kind=old).update(kind=new)


def to_names(apps, schema_editor):
    # The column now holds each number as text ("4"), on SQLite and PostgreSQL alike.
    renumber(apps, ((str(number), name) for number, name in enumerate(NUMBERED, start=1)))


def to_numbers(apps, schema_editor):
    renumber(apps, ((name, str(number)) for number, name in enumerate(NUMBERED, start=1)))


class Migration(migrations.Migration):
    dependencies = [("reforms", "0014_drafts")]

    operations = [
        migrations.AlterField(
            model_name="searchgram", name="kind", field=models.CharField(max_length=50)
        ),
        migrations.RunPython(to_names, to_numbers),
    ]
