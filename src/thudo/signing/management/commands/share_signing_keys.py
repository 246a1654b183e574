"""``thudo share_signing_keys``: move the signing keys of ``DATA_DIR/pki`` into the shared key
store (``THUDO_SIGNING_KEY_STORE=shared``), once, from the server that has them. The files stay
encrypted (their passphrases derive from ``THUDO_SIGNING_KEY_SECRET``); nobody copies key files
between servers by hand."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from thudo.core.config import config
from thudo.signing import pki
from thudo.signing.models import CertificateAuthority, SigningCredential


class Command(BaseCommand):
    help = "Copy the PKCS#12 signing keys of DATA_DIR/pki into the shared key store (idempotent)."

    def handle(self, *args, **opts):
        if config().signing_key_store != "shared":
            raise CommandError("THUDO_SIGNING_KEY_STORE is not 'shared' (or no THUDO_S3_BUCKET is set).")
        names = set(CertificateAuthority.objects.exclude(p12_path="").values_list("p12_path", flat=True))
        names |= set(SigningCredential.objects.exclude(p12_path="").values_list("p12_path", flat=True))
        copied = present = missing = 0
        for name in sorted(names):
            if pki.key_file_exists(name):
                present += 1
                continue
            local = pki.pki_dir() / name
            if not local.is_file():
                missing += 1
                self.stderr.write(f"missing here: {name}")
                continue
            pki.write_key_file(name, local.read_bytes())
            copied += 1
        self.stdout.write(f"signing keys: {copied} copied, {present} already shared, {missing} missing here")
        if missing:
            raise CommandError("some keys are on another server: run the command there too")
