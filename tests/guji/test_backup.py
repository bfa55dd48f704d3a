"""backup writes one archive (database, media, manifest); restore loads it into an empty database
and media store and verifies counts and hashes. Round-trips the demo city on either database."""

import uuid
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from guji.backup import Target, read_manifest, row_counts

FILES = {
    "photos/ab/abcdef.jpg": b"\xff\xd8 not really a jpeg",
    "exports/2026/目录.pdf": b"%PDF-1.7",
}


@pytest.fixture
def empty_database(tmp_path):
    """A URL for a new, empty database of the same kind as the tests use; dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import shutil

    import psycopg

    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed: apt-get install postgresql-client")
    params = connection.get_connection_params()
    name = f"guji_restore_{uuid.uuid4().hex[:8]}"
    admin = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    user, host = params.get("user") or "postgres", params.get("host") or "127.0.0.1"
    yield f"postgres://{user}@{host}:{params.get('port') or 5432}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_the_demo_city_survives_backup_and_restore(tmp_path, settings, empty_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=StringIO())
    for name, data in FILES.items():
        default_storage.save(name, ContentFile(data))
    archive = tmp_path / "guji.tar.gz"

    call_command("backup", str(archive), stdout=StringIO())

    manifest = read_manifest(archive)
    assert manifest["tables"]["guji_holding"] == 400
    assert manifest["tables"] == row_counts(Target.from_settings())
    assert set(manifest["files"]) >= set(FILES)
    restored_media = tmp_path / "restored-media"
    out = StringIO()
    call_command(
        "restore",
        str(archive),
        "--database-url",
        empty_database,
        "--media-root",
        str(restored_media),
        stdout=out,
    )
    assert "Restored and verified" in out.getvalue()
    target = Target.from_url(empty_database, FileSystemStorage(location=restored_media))
    assert row_counts(target) == manifest["tables"]
    for name, data in FILES.items():
        assert (restored_media / name).read_bytes() == data


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "guji.tar"
    call_command("backup", str(archive), stdout=StringIO())

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=StringIO())


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    import tarfile

    bogus = tmp_path / "bogus.tar"
    with tarfile.open(bogus, "w") as tar:
        tar.add(__file__, arcname="hello.py")

    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(bogus), "--database-url", f"sqlite:///{tmp_path}/x.sqlite3")
