"""Backup and restore: one archive holds the database, the media files and a manifest.

``backup(path)`` writes a tar archive (gzip-compressed when the name ends in .gz) with

- ``db.sqlite3`` (SQLite's online backup API: consistent while the site keeps running) or
  ``db.pgdump`` (``pg_dump --format=custom``, one consistent snapshot);
- ``media/…``: every stored file, read through Django's storage API (so object storage works too);
- ``manifest.json``: the engine, when, the row count of every table and the sha256 of every file.

``restore(path)`` refuses a database that has tables or a media store that has files, loads the
archive, then verifies it against the manifest (row counts and hashes) and says what differs.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Something the operator must fix; the message says what."""


@dataclass
class Target:
    """Where a backup comes from or a restore goes: a database and a media store."""

    engine: str  # "sqlite" or "postgresql"
    sqlite_path: str = ""  # a file, or ":memory:"-like test databases reached through alias
    pg_dsn: str = ""
    alias: str | None = DEFAULT_DB_ALIAS  # a Django connection, when the target is the site's own
    storage: Storage = field(default_factory=lambda: default_storage)

    @classmethod
    def from_settings(cls, alias: str = DEFAULT_DB_ALIAS, storage: Storage | None = None):
        db = connections[alias].settings_dict
        storage = storage or default_storage
        if db["ENGINE"] == "django.db.backends.sqlite3":
            return cls("sqlite", sqlite_path=str(db["NAME"]), alias=alias, storage=storage)
        if db["ENGINE"] == "django.db.backends.postgresql":
            return cls("postgresql", pg_dsn=_pg_dsn(db), alias=alias, storage=storage)
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {db['ENGINE']}.")

    @classmethod
    def from_url(cls, url: str, storage: Storage):
        import dj_database_url

        db = dj_database_url.parse(url)
        if db["ENGINE"] == "django.db.backends.sqlite3":
            return cls("sqlite", sqlite_path=str(db["NAME"]), alias=None, storage=storage)
        if db["ENGINE"] == "django.db.backends.postgresql":
            return cls("postgresql", pg_dsn=_pg_dsn(db), alias=None, storage=storage)
        raise BackupError(f"Restores support SQLite and PostgreSQL, not {url.split(':')[0]}.")


def _pg_dsn(db: dict) -> str:
    parts = {
        "dbname": db.get("NAME") or "",
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


def _pg_env(dsn: str) -> dict:
    """libpq environment variables for pg_dump/pg_restore, so no password shows in ps."""
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD"}
    names |= {"host": "PGHOST", "port": "PGPORT"}
    env = dict(os.environ)
    for item in dsn.split():
        key, _, value = item.partition("=")
        env[names[key]] = value
    return env


# --- what is there ----------------------------------------------------------------------------


def _tables_sqlite(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
    ).fetchall()
    return [r[0] for r in rows]


def _counts_sqlite(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in _tables_sqlite(conn)
    }


def _counts_pg(dsn: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(dsn) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
                "ORDER BY c.relname"
            )
        ]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def row_counts(target: Target) -> dict[str, int]:
    if target.engine == "sqlite":
        if target.alias is not None:
            connection = connections[target.alias]
            connection.ensure_connection()
            return _counts_sqlite(connection.connection)
        with sqlite3.connect(target.sqlite_path) as conn:
            return _counts_sqlite(conn)
    return _counts_pg(target.pg_dsn)


def _walk(storage: Storage, top: str = ""):
    """Every file name in a storage, depth first, sorted (the storage API has no walk)."""
    try:
        dirs, files = storage.listdir(top)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{top}/{name}" if top else name
    for name in sorted(dirs):
        yield from _walk(storage, f"{top}/{name}" if top else name)


def _sha256(handle) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


# --- backup -----------------------------------------------------------------------------------


def backup(out: str | Path, target: Target | None = None) -> dict:
    """Write one archive of the database and media; returns its manifest."""
    target = target or Target.from_settings()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    mode = "w:gz" if out.name.endswith(".gz") else "w"
    with tempfile.TemporaryDirectory(prefix="guji-backup-") as tmp:
        if target.engine == "sqlite":
            db_name = "db.sqlite3"
            dump = Path(tmp) / db_name
            _backup_sqlite(target, dump)
            with sqlite3.connect(dump) as conn:
                counts = _counts_sqlite(conn)
        else:
            db_name = "db.pgdump"
            dump = Path(tmp) / db_name
            counts = _counts_pg(target.pg_dsn)  # pg_dump's snapshot follows at once
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump)], target)
        files = {}
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, mode) as tar:
            tar.add(dump, arcname=db_name)
            for name in _walk(target.storage):
                with target.storage.open(name, "rb") as handle:
                    files[name] = _sha256(handle)
                    size = handle.size if hasattr(handle, "size") else None
                    handle.seek(0)
                    info = tarfile.TarInfo(f"media/{name}")
                    info.size = size if size is not None else target.storage.size(name)
                    tar.addfile(info, handle)
            with open(dump, "rb") as handle:
                db_sha = _sha256(handle)
            manifest = {
                "format": FORMAT,
                "created": timezone.now().isoformat(),
                "engine": target.engine,
                "django": django.get_version(),
                "database": {"file": db_name, "sha256": db_sha},
                "tables": counts,
                "files": files,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        partial.replace(out)  # never a half-written archive under the real name
    return manifest


def _backup_sqlite(target: Target, dest: Path) -> None:
    if target.alias is not None:
        connection = connections[target.alias]
        connection.ensure_connection()
        source = connection.connection
        with sqlite3.connect(dest) as copy:
            source.backup(copy)
        return
    with sqlite3.connect(target.sqlite_path) as source, sqlite3.connect(dest) as copy:
        source.backup(copy)


def _run(command: list[str], target: Target) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client "
            "(apt-get install postgresql-client) of the server's major version or newer."
        )
    done = subprocess.run(
        command, env=_pg_env(target.pg_dsn), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


# --- restore ----------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    tables: int
    rows: int
    files: int
    problems: list[str]


def read_manifest(path: str | Path) -> dict:
    try:
        with tarfile.open(path) as tar:
            member = tar.extractfile("manifest.json")
            manifest = json.load(member)
    except (KeyError, tarfile.ReadError, json.JSONDecodeError):
        raise BackupError(f"{path}: no readable manifest.json: not a Guji backup.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.get('format')} is not {FORMAT}.")
    return manifest


def restore(path: str | Path, target: Target | None = None) -> RestoreReport:
    """Load an archive into an empty database and media store, then verify the manifest."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path}: no such file.")
    target = target or Target.from_settings()
    manifest = read_manifest(path)
    if manifest["engine"] != target.engine:
        raise BackupError(
            f"{path} holds a {manifest['engine']} database; this site uses {target.engine}. "
            "Restore it into the same kind of database (then move data with dumpdata/loaddata)."
        )
    existing = {t: n for t, n in row_counts(target).items() if t != "django_migrations" or n}
    if existing:
        raise BackupError(
            f"The database is not empty ({len(existing)} tables, e.g. {sorted(existing)[:3]}): "
            "restore only into a new, empty database."
        )
    if next(iter(_walk(target.storage)), None) is not None:
        raise BackupError("The media store already holds files: restore into an empty one.")
    with tempfile.TemporaryDirectory(prefix="guji-restore-") as tmp, tarfile.open(path) as tar:
        db_file = manifest["database"]["file"]
        member = tar.getmember(db_file)
        tar.extract(member, tmp, filter="data")
        dump = Path(tmp) / db_file
        with open(dump, "rb") as handle:
            if _sha256(handle) != manifest["database"]["sha256"]:
                raise BackupError(f"{path}: the database copy is damaged (sha256 differs).")
        if target.engine == "sqlite":
            _restore_sqlite(dump, target)
        else:
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--dbname",
                    _dbname(target.pg_dsn),
                    str(dump),
                ],
                target,
            )
        problems = []
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith("media/"):
                continue
            name = member.name.removeprefix("media/")
            handle = tar.extractfile(member)
            saved = target.storage.save(name, File(handle, name=name))
            if saved != name:
                problems.append(f"media/{name} was stored as {saved}")
    counts = row_counts(target)
    for table, n in manifest["tables"].items():
        if counts.get(table) != n:
            problems.append(f"table {table}: {counts.get(table)} rows, the manifest says {n}")
    for name, digest in manifest["files"].items():
        try:
            with target.storage.open(name, "rb") as handle:
                if _sha256(handle) != digest:
                    problems.append(f"media/{name}: sha256 differs from the manifest")
        except FileNotFoundError:
            problems.append(f"media/{name}: missing")
    return RestoreReport(
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        files=len(manifest["files"]),
        problems=problems,
    )


def _dbname(dsn: str) -> str:
    for item in dsn.split():
        key, _, value = item.partition("=")
        if key == "dbname":
            return value
    raise BackupError("The PostgreSQL target names no database.")


def _restore_sqlite(dump: Path, target: Target) -> None:
    with sqlite3.connect(dump) as source:
        if target.alias is not None:
            connection = connections[target.alias]
            connection.ensure_connection()
            source.backup(connection.connection)
        else:
            with sqlite3.connect(target.sqlite_path) as dest:
                source.backup(dest)


def default_media_storage(root: str | None = None) -> Storage:
    """The site's media store, or a folder (``--media-root``) for a restore elsewhere."""
    if root is None:
        return default_storage
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=root)


__all__ = [
    "BackupError",
    "RestoreReport",
    "Target",
    "backup",
    "default_media_storage",
    "read_manifest",
    "restore",
    "row_counts",
]
