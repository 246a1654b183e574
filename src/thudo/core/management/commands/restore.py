from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thudo.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a `thudo backup` archive: verify every hash first (a damaged or altered archive is "
        "refused before anything changes), replace the database and the files, then verify the "
        "audit chain and the row counts. Stop the web server and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--check", action="store_true", help="only verify the archive; change nothing")

    def handle(self, *args, archive, yes=False, check=False, **opts):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"No such archive: {path}")
        progress = lambda m: self.stderr.write(m)  # noqa: E731
        try:
            restore_backup(path, progress=progress, verify_only=True)
            if check:
                self.stdout.write(f"Archive {path} is intact.")
                return
            if not yes:
                answer = input(
                    "This replaces the database and all uploaded files with the archive's. Type 'yes': "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Restore cancelled.")
            report = restore_backup(path, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for aside in report.moved_aside:
            self.stderr.write(f"Previous files kept in {aside}")
        if not report.ok:
            raise CommandError("Restore finished with problems:\n  " + "\n  ".join(report.problems))
        self.stdout.write(
            f"Restored {path}: database, {len(report.manifest['files'])} files; "
            "audit chain intact; row counts match."
        )
