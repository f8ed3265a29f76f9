"""Backing up and restoring the whole database (every organisation in it).

SQLite: SQLite's online backup API, which copies a consistent snapshot while the service keeps
writing (WAL mode). PostgreSQL: `pg_dump --format=custom` and `pg_restore`. A backup carries its
schema version (the Alembic revision, in its own `alembic_version` table), and a restore refuses
a backup whose version is not the code's.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import psycopg
from alembic.script import ScriptDirectory
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL, make_url

from pmo.migrations import alembic_config

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # the first bytes of a pg_dump custom-format archive
# Where Debian and Ubuntu install the PostgreSQL client programs, one directory per version.
POSTGRES_BIN_DIRS = "/usr/lib/postgresql/*/bin"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, for the operator."""


def head_revision() -> str:
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def database_name(database_url: str) -> str:
    """What the operator types to confirm a restore: the database's name, or the SQLite file's."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_path(url).name
    return url.database or ""


def backup(database_url: str, target: Path) -> None:
    """Write a backup of the whole database to `target`, which must not exist yet."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose another name or remove it first")
    if not target.parent.is_dir():
        raise BackupError(f"no directory {target.parent} to write {target.name} into")
    # Written aside and renamed into place, so that a failed backup never leaves a partial FILE.
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    # Only its owner may read it: it holds every council's data and the password hashes.
    partial.touch(mode=0o600)
    try:
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite":
            _backup_sqlite(_sqlite_path(url), partial)
        else:
            dump = [_postgres_program("pg_dump"), "--format=custom", "--file", str(partial)]
            _run([*dump, "--dbname", _conninfo(url)], url)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)


def backup_revision(database_url: str, source: Path) -> str:
    """The schema version a backup was made at; refuses a file that is not a backup for this database."""
    if not source.is_file():
        raise BackupError(f"no file {source}")
    with source.open("rb") as f:
        magic = f.read(len(SQLITE_MAGIC))
    sqlite = make_url(database_url).get_backend_name() == "sqlite"
    if sqlite and magic.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{source} is a PostgreSQL backup; this deployment uses SQLite")
    if not sqlite and magic == SQLITE_MAGIC:
        raise BackupError(f"{source} is a SQLite backup; this deployment uses PostgreSQL")
    if magic != SQLITE_MAGIC and not magic.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{source} is not a backup made by `pmo backup`")
    return _sqlite_revision(source) if sqlite else _postgres_revision(source)


def check_restorable(database_url: str, source: Path) -> None:
    """Refuse a backup from another schema version than the code's (before anything changes)."""
    found, expected = backup_revision(database_url, source), head_revision()
    if found != expected:
        raise BackupError(
            f"{source} is from schema version {found}, but this code is at {expected}; restore it "
            "with the release that made it, or restore a backup made by this release"
        )


def restore(database_url: str, source: Path) -> None:
    """Replace the whole database with the backup in `source` (every organisation in it)."""
    check_restorable(database_url, source)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _restore_sqlite(source, _sqlite_path(url))
    else:
        _refuse_while_connected(url)
        restore_command = [_postgres_program("pg_restore"), "--clean", "--if-exists", "--no-owner"]
        # All or nothing, stopping at the first error.
        restore_command += ["--single-transaction", "--exit-on-error", "--dbname"]
        _run([*restore_command, _conninfo(url), str(source)], url)


# SQLite -----------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory; there is nothing to back up or restore")
    return Path(url.database)


def _backup_sqlite(live: Path, target: Path) -> None:
    if not live.is_file():
        raise BackupError(f"no database file {live}")
    source = sqlite3.connect(f"file:{live}?mode=ro", uri=True, timeout=30)
    destination = sqlite3.connect(target)
    try:
        # One step (pages=-1): a single read transaction, so the copy is one consistent snapshot
        # even while the service writes (WAL readers never block writers, nor they them).
        source.backup(destination, pages=-1)
        # A single self-contained file, readable without its -wal and -shm companions.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
        source.close()


def _sqlite_revision(source: Path) -> str:
    connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"{source} holds no schema version ({exc}); it is not a backup of this service"
        ) from exc
    finally:
        connection.close()
    if row is None:
        raise BackupError(f"{source} holds no schema version; it is not a backup of this service")
    return str(row[0])


def _restore_sqlite(source: Path, live: Path) -> None:
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    database = sqlite3.connect(live, timeout=30)
    try:
        # The backup API writes through the live database's own locking: a running service's
        # writers wait for it, and its connections read the restored pages afterwards.
        backup_file.backup(database, pages=-1)
    finally:
        database.close()
        backup_file.close()


# PostgreSQL -------------------------------------------------------------------------------------


def _postgres_program(name: str) -> str:
    """`pg_dump` or `pg_restore`: on PATH, else the newest in Debian's per-version directories."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/").glob(POSTGRES_BIN_DIRS.lstrip("/") + f"/{name}"),
        key=lambda p: [int(part) for part in re.findall(r"\d+", p.parent.parent.name)],
    )
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        f"{name} not found on PATH nor in {POSTGRES_BIN_DIRS}; install the PostgreSQL client "
        "programs (Debian: apt-get install postgresql-client) of the server's version or newer"
    )


def _conninfo(url: URL) -> str:
    """The libpq connection string, without the password (that goes in PGPASSWORD)."""
    parameters = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "dbname": url.database,
        **{key: value for key, value in url.query.items() if isinstance(value, str)},
    }
    return make_conninfo("", **{key: value for key, value in parameters.items() if value is not None})


def _refuse_while_connected(url: URL) -> None:
    """A running service's open transactions would hold the tables that the restore drops, and
    pg_restore waits for locks without end (its archive sets lock_timeout to 0): refuse first."""
    with psycopg.connect(_conninfo(url), password=url.password) as connection:
        others = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchone()
    if others and others[0]:
        raise BackupError(
            f"{others[0]} other connection(s) to database {url.database}: stop the service "
            "(every worker) and anything else connected to it, then restore"
        )


def _run(command: list[str], url: URL) -> None:
    program = Path(command[0]).name
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)  # never on the command line, where ps shows it
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = result.stderr.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{program} failed: {detail}")


def _postgres_revision(source: Path) -> str:
    """Read `alembic_version` out of the archive without touching any database."""
    command = [_postgres_program("pg_restore"), "--data-only", "--table=alembic_version", "--file=-"]
    result = subprocess.run([*command, str(source)], capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{source} cannot be read by pg_restore: {result.stderr.strip()}")
    # The data is a COPY block: its header line, one line per row, then "\.".
    match = re.search(r"^COPY [^\n]*alembic_version[^\n]*\n([^\n]+)\n\\\.$", result.stdout, re.MULTILINE)
    if match is None:
        raise BackupError(f"{source} holds no schema version; it is not a backup of this service")
    return match.group(1).strip()
