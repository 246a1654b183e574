from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from thudo.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write one .tar.gz with a consistent database dump (SQLite online backup or pg_dump -Fc), "
        "the uploaded files, the pki/ folder and a manifest (migrations, row counts, SHA-256 of every "
        "file). The secret key is not included: keep it separately."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=None, help="folder for the archive (default: DATA_DIR/backups)"
        )

    def handle(self, *args, output=None, **opts):
        folder = Path(output) if output else Path(settings.DATA_DIR) / "backups"
        try:
            result = create_backup(folder, progress=lambda m: self.stderr.write(m))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(result.manifest["row_counts"].values())
        self.stdout.write(str(result.path))
        self.stderr.write(
            f"Backup written: {result.path}\n  SHA-256 {result.sha256}\n"
            f"  {len(result.manifest['files'])} files, {rows} rows in "
            f"{len(result.manifest['row_counts'])} tables ({result.manifest['database']['vendor']})"
        )
