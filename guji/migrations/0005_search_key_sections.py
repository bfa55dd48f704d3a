"""Search keys in sections (one per field group) with variant characters folded.

Keys grow past the 2,000 characters the SQLite gram index read (批校题跋 and 钤印 join them), so
the positions table grows to 6,000; then every key is rebuilt, which refreshes the grams through
the triggers (SQLite) or the expression index (PostgreSQL). At 10⁶ holdings this takes minutes.
"""

from django.db import migrations

MAX_KEY = 6000


def _positions(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "WITH RECURSIVE p(n) AS (SELECT 2001 UNION ALL SELECT n + 1 FROM p WHERE n < %s) "
            "INSERT OR IGNORE INTO guji_gram_position (n) SELECT n FROM p",
            params=[MAX_KEY],
        )


def _rebuild_keys(apps, schema_editor):
    from guji.cataloguing import holding_search_key  # the key as the code now makes it

    Holding = apps.get_model("guji", "Holding")
    fields = (
        "title_juan title series authors_text edition_statement annotations seals "
        "call_number census_number"
    ).split()
    batch = []
    for h in Holding.objects.only("id", "search_key", *fields).order_by("id").iterator(2000):
        h.search_key = holding_search_key(h)
        batch.append(h)
        if len(batch) >= 2000:
            Holding.objects.bulk_update(batch, ["search_key"])
            batch = []
    if batch:
        Holding.objects.bulk_update(batch, ["search_key"])


class Migration(migrations.Migration):
    dependencies = [("guji", "0004_cataloguing_fidelity")]

    operations = [
        migrations.RunPython(_positions, migrations.RunPython.noop),
        migrations.RunPython(_rebuild_keys, migrations.RunPython.noop),
    ]
