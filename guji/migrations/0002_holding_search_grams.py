"""Index the grams of Holding.search_key for fast substring search (see guji/search.py)."""

from django.db import migrations

from guji import search


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("guji", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": search.SQLITE_SETUP, "postgresql": search.POSTGRES_SETUP}),
            _run({"sqlite": search.SQLITE_TEARDOWN, "postgresql": search.POSTGRES_TEARDOWN}),
        ),
    ]
