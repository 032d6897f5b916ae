from django.db import migrations
from django.utils import timezone


def create_version_row(apps, schema_editor):
    DataVersion = apps.get_model("reforms", "DataVersion")
    DataVersion.objects.get_or_create(pk=1, defaults={"version": 0, "changed_at": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [("reforms", "0003_data_version")]

    operations = [migrations.RunPython(create_version_row, migrations.RunPython.noop)]
