"""GB/T 30227 defaults per room type, from environment/data/thresholds.csv (editable afterwards)."""

from django.db import migrations

from environment.thresholds import load_defaults


def load(apps, schema_editor):
    load_defaults(apps.get_model("environment", "Threshold"))


def unload(apps, schema_editor):
    apps.get_model("environment", "Threshold").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("environment", "0002_partition_readings")]

    operations = [migrations.RunPython(load, unload)]
