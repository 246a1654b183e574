"""Reads of the signing app."""

import re

from django.utils.translation import gettext as _

from thudo.core import permissions
from thudo.core.errors import NotFound
from thudo.signing import pki
from thudo.signing.models import CredentialKind, IssuedDocument

SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")


def issued_document(sha256: str, person=None) -> IssuedDocument:
    """The issued file with this SHA-256 (public: the hash is only known to whoever holds the file)."""
    if not SHA256_RE.match(sha256 or ""):
        raise NotFound(_("Mã SHA-256 không hợp lệ."))
    qs = permissions.visible(person, IssuedDocument.objects.select_related("agency", "signer"))
    found = qs.filter(sha256=sha256.lower()).first()
    if found is None:
        raise NotFound(_("Không có văn bản nào được ban hành với mã này."))
    return found


def signs_with_token(person) -> bool:
    """Does the person sign with a PKCS#11 token (so the signing form asks for its PIN)?"""
    credential = pki.active_credential(person)
    return credential is not None and credential.kind == CredentialKind.PKCS11
