"""GB/T 30227 defaults per room type, from environment/data/thresholds.csv (editable afterwards)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "thresholds.csv"


def _float(value):
    return float(value) if value.strip() else None


def load(apps, schema_editor):
    Threshold = apps.get_model("environment", "Threshold")
    with DATA.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Threshold.objects.update_or_create(
                room_type=row["room_type"],
                parameter=row["parameter"],
                defaults={
                    "minimum": _float(row["minimum"]),
                    "maximum": _float(row["maximum"]),
                    "max_daily_change": _float(row["max_daily_change"]),
                    "source": row["source"],
                    "note": row["note"],
                },
            )


def unload(apps, schema_editor):
    apps.get_model("environment", "Threshold").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("environment", "0002_partition_readings")]

    operations = [migrations.RunPython(load, unload)]
