"""Consistent backups of the whole platform and verified restores.

One ``.tar.gz`` holds the database (SQLite: the online backup API; PostgreSQL: ``pg_dump -Fc`` on
an exported snapshot, so the row counts in the manifest describe exactly the dumped state), every
file under ``MEDIA_ROOT`` and the data dir's ``pki/`` folder, and ``manifest.json`` (creation
time, platform version, database vendor, applied migrations per app, row counts per table and the
SHA-256 of every file).

A restore checks every hash before it touches anything, then replaces the database and the
files, then verifies the audit chain and the row counts.

Keeping records and being able to recover them is required of state information systems
(Decree 85/2016/NĐ-CP and Circular 12/2022/TT-BTTTT on information-system security levels: backup
and recovery of data). The secret key (``THUDO_SECRET_KEY`` or ``DATA_DIR/secret_key``) is NOT in
the archive: keep it separately; signing keys under ``pki/`` need it.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection, connections, transaction

import thudo

FORMAT = 1
MANIFEST = "manifest.json"
DB_SQLITE = "database/db.sqlite3"
DB_POSTGRES = "database/db.pgdump"
FILE_ROOTS = ("media", "pki")


class BackupError(Exception):
    """The backup or restore cannot proceed; the message says why, for the operator."""


@dataclass
class BackupResult:
    path: Path
    sha256: str
    manifest: dict


@dataclass
class RestoreReport:
    manifest: dict
    problems: list[str] = field(default_factory=list)
    moved_aside: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _noop(message: str) -> None:
    pass


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _vendor() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


def _file_roots() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "pki": Path(settings.DATA_DIR) / "pki"}


def _regular_files(root: Path):
    """Regular files under ``root`` (symbolic links are neither followed nor kept)."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path


# --- database snapshot ----------------------------------------------------------------------------


def _sqlite_state(conn: sqlite3.Connection) -> tuple[dict, dict]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        for app, name in conn.execute("SELECT app, name FROM django_migrations ORDER BY app, id"):
            migrations.setdefault(app, []).append(name)
    return counts, migrations


def _dump_sqlite(target: Path) -> tuple[dict, dict]:
    source_path = settings.DATABASES["default"]["NAME"]
    if str(source_path) == ":memory:" or not Path(source_path).exists():
        raise BackupError(f"The SQLite database file {source_path} does not exist.")
    src = sqlite3.connect(source_path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # online backup API: a consistent copy while the platform runs
        return _sqlite_state(dst)
    finally:
        dst.close()
        src.close()


def _pg_env_args() -> tuple[dict, list[str]]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args: list[str] = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    args += ["-d", str(db["NAME"])]
    return env, args


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(
            f"{tool} was not found on PATH. Install the PostgreSQL client tools (same major version "
            f"as the server, e.g. the postgresql-client package) and try again."
        )
    return path


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")


def _dump_postgres(target: Path) -> tuple[dict, dict]:
    pg_dump = _need("pg_dump")
    env, args = _pg_env_args()
    with transaction.atomic(), connection.cursor() as cur:
        # One snapshot for the dump and the counts: the manifest describes exactly what is dumped.
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
        _run([pg_dump, "-Fc", f"--snapshot={snapshot}", "-f", str(target), *args], env)
        tables = sorted(connection.introspection.table_names(cur))
        counts = {}
        for t in tables:
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(t)}")  # noqa: S608
            counts[t] = cur.fetchone()[0]
        migrations: dict[str, list[str]] = {}
        if "django_migrations" in tables:
            cur.execute("SELECT app, name FROM django_migrations ORDER BY app, id")
            for app, name in cur.fetchall():
                migrations.setdefault(app, []).append(name)
    return counts, migrations


# --- backup ---------------------------------------------------------------------------------------


def create_backup(output_dir: Path, *, progress: Callable[[str], None] = _noop) -> BackupResult:
    """Write ``thudo-backup-<UTC time>.tar.gz`` into ``output_dir`` and return its path and hash."""
    output_dir = Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    vendor = _vendor()
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    created = datetime.now(tz=UTC)
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".thudo-backup-") as tmp:
        stage = Path(tmp) / "stage"
        (stage / "database").mkdir(parents=True)
        progress(f"Dumping the {vendor} database…")
        db_member = DB_SQLITE if vendor == "sqlite" else DB_POSTGRES
        dump = _dump_sqlite if vendor == "sqlite" else _dump_postgres
        counts, migrations = dump(stage / db_member)
        for name, root in _file_roots().items():
            progress(f"Copying {name} files from {root}…")
            for path in _regular_files(root):
                target = stage / name / path.relative_to(root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
        hashes = {
            path.relative_to(stage).as_posix(): sha256_file(path)
            for path in sorted(p for p in stage.rglob("*") if p.is_file())
        }
        manifest = {
            "format": FORMAT,
            "created_at": created.isoformat(),
            "platform_version": thudo.__version__,
            "database": {"vendor": vendor, "file": db_member},
            "migrations": migrations,
            "row_counts": counts,
            "files": hashes,
        }
        (Path(tmp) / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True))
        name = f"thudo-backup-{created.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
        partial = Path(tmp) / name
        progress("Writing the archive…")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(tmp) / MANIFEST, arcname=MANIFEST)
            for member in hashes:
                tar.add(stage / member, arcname=member)
        final = output_dir / name
        os.replace(partial, final)
        final.chmod(0o600)  # holds personal data and signing keys
    return BackupResult(path=final, sha256=sha256_file(final), manifest=manifest)


# --- verify ---------------------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and (name == MANIFEST or (path.parts and path.parts[0] in ("database", *FILE_ROOTS)))
    )


def extract_verified(archive: Path, into: Path) -> dict:
    """Extract ``archive`` into ``into`` and check it against its manifest; return the manifest.

    Raises :class:`BackupError` for anything that does not match (a changed, added or missing
    file, an unsafe path, an unreadable archive). Nothing outside ``into`` is touched.
    """
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            for m in members:
                if not _safe_member(m.name) or not (m.isfile() or m.isdir()):
                    raise BackupError(f"Refusing the archive: unexpected entry {m.name!r}.")
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"Cannot read the archive {archive}: {exc}") from exc
    manifest_path = into / MANIFEST
    if not manifest_path.is_file():
        raise BackupError("Refusing the archive: it has no manifest.json.")
    try:
        manifest = json.loads(manifest_path.read_text())
        expected: dict[str, str] = manifest["files"]
        db_file = manifest["database"]["file"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"Refusing the archive: the manifest is unreadable ({exc}).") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Refusing the archive: unknown format {manifest.get('format')!r}.")
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()}
    present.discard(MANIFEST)
    problems = []
    for name in sorted(set(expected) - present):
        problems.append(f"missing file {name}")
    for name in sorted(present - set(expected)):
        problems.append(f"file not in the manifest {name}")
    for name in sorted(set(expected) & present):
        if sha256_file(into / name) != expected[name]:
            problems.append(f"hash mismatch for {name}")
    if db_file not in expected:
        problems.append("the database dump is not listed in the manifest")
    if problems:
        raise BackupError(
            "Refusing the archive: it does not match its manifest (damaged or tampered with): "
            + "; ".join(problems[:10])
            + (f" (and {len(problems) - 10} more)" if len(problems) > 10 else "")
        )
    return manifest


# --- restore --------------------------------------------------------------------------------------


def _restore_sqlite(dump: Path) -> None:
    target = settings.DATABASES["default"]["NAME"]
    connections.close_all()
    src = sqlite3.connect(dump)
    dst = sqlite3.connect(target, timeout=30)
    try:
        # The backup API copies every page under one lock: readers see the old or the new
        # database, never a mix, and the WAL/SHM side files stay consistent.
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _restore_postgres(dump: Path) -> None:
    pg_restore = _need("pg_restore")
    env, args = _pg_env_args()
    connections.close_all()
    _run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(dump)],
        env,
    )


def _live_counts(tables) -> dict[str, int | None]:
    existing = set(connection.introspection.table_names())
    out: dict[str, int | None] = {}
    with connection.cursor() as cur:
        for t in tables:
            if t not in existing:
                out[t] = None
                continue
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(t)}")  # noqa: S608
            out[t] = cur.fetchone()[0]
    return out


def restore_backup(
    archive: Path, *, progress: Callable[[str], None] = _noop, verify_only: bool = False
) -> RestoreReport:
    """Verify ``archive``, then replace the database and files with its content, then check."""
    archive = Path(archive).resolve()
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".thudo-restore-") as tmp:
        work = Path(tmp)
        progress("Checking every file of the archive against its manifest…")
        manifest = extract_verified(archive, work)
        report = RestoreReport(manifest=manifest)
        vendor = manifest["database"]["vendor"]
        if vendor != _vendor():
            raise BackupError(
                f"The archive holds a {vendor} database but this platform is configured for "
                f"{_vendor()}; restore it on a platform with the same database."
            )
        if verify_only:
            return report

        progress(f"Restoring the {vendor} database…")
        dump = work / manifest["database"]["file"]
        (_restore_sqlite if vendor == "sqlite" else _restore_postgres)(dump)

        stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
        for name, root in _file_roots().items():
            progress(f"Restoring {name} files into {root}…")
            incoming = work / name
            incoming.mkdir(exist_ok=True)
            if root.exists():
                aside = data_dir / "restore-previous" / stamp / name
                aside.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(root), str(aside))
                report.moved_aside.append(aside)
            root.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(incoming), str(root))

        progress("Checking the restored platform…")
        for name, digest in manifest["files"].items():
            head, _, rest = name.partition("/")
            if head in FILE_ROOTS and sha256_file(_file_roots()[head] / rest) != digest:
                report.problems.append(f"restored file {name} differs from the archive")
        live = _live_counts(manifest["row_counts"])
        for table, count in manifest["row_counts"].items():
            if live[table] != count:
                report.problems.append(f"table {table}: {live[table]} rows, the archive has {count}")
        from django.core.management import call_command
        from django.core.management.base import CommandError

        try:
            call_command("audit_verify", stdout=io.StringIO())
        except CommandError as exc:
            report.problems.append(str(exc))
    return report
