"""Data of the signing app (data only; writes go through actions.py and pki.py).

- ``CertificateAuthority``: the platform's demo root CA (the trust root for verification).
- ``SigningCredential``: a leader's signing key: a PKCS#12 file under ``DATA_DIR/pki/`` (demo,
  development) or a PKCS#11 token (production: the USB token a Vietnamese CA issues under
  Decree 23/2025/NĐ-CP on electronic signatures and trust services).
- ``IssuedDocument``: the SHA-256 of every file the platform issued, so anyone can check that
  "this exact file was issued by <agency>". Rows are never changed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateAuthority(models.Model):
    name = models.CharField(_("tên"), max_length=200, unique=True)
    subject = models.CharField(_("chủ thể"), max_length=500)
    serial = models.CharField(_("số hiệu"), max_length=64, unique=True)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    cert_pem = models.TextField(_("chứng thư (PEM)"))
    p12_path = models.CharField(_("tệp PKCS#12"), max_length=300, help_text=_("Tương đối với DATA_DIR/pki"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tổ chức cấp chứng thư")
        verbose_name_plural = _("tổ chức cấp chứng thư")

    def __str__(self) -> str:
        return self.name


class CredentialKind(models.TextChoices):
    PKCS12 = "pkcs12", _("Tệp PKCS#12 (thử nghiệm)")
    PKCS11 = "pkcs11", _("Thiết bị PKCS#11 (USB token)")


class SigningCredential(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signing_credentials"
    )
    agency = models.ForeignKey(
        "core.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="signing_credentials"
    )
    title = models.CharField(_("chức danh"), max_length=200, blank=True)
    kind = models.CharField(
        _("loại"), max_length=8, choices=CredentialKind.choices, default=CredentialKind.PKCS12
    )
    subject = models.CharField(_("chủ thể"), max_length=500, blank=True)
    serial = models.CharField(_("số hiệu"), max_length=64, blank=True, db_index=True)
    not_before = models.DateTimeField(_("hiệu lực từ"), null=True, blank=True)
    not_after = models.DateTimeField(_("hiệu lực đến"), null=True, blank=True)
    cert_pem = models.TextField(_("chứng thư (PEM)"), blank=True)
    authority = models.ForeignKey(
        CertificateAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="credentials"
    )
    p12_path = models.CharField(_("tệp PKCS#12"), max_length=300, blank=True)
    pkcs11_module = models.CharField(_("thư viện PKCS#11"), max_length=300, blank=True)
    pkcs11_token_label = models.CharField(_("nhãn token"), max_length=100, blank=True)
    pkcs11_key_label = models.CharField(_("nhãn khóa"), max_length=100, blank=True)
    pkcs11_cert_label = models.CharField(_("nhãn chứng thư"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("chứng thư ký số")
        verbose_name_plural = _("chứng thư ký số")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.serial or self.pkcs11_key_label}"


class IssuedDocument(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    document_code = models.CharField(_("mã/số văn bản"), max_length=120, db_index=True)
    kind = models.CharField(_("loại giấy tờ"), max_length=40)
    agency = models.ForeignKey(
        "core.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="issued_documents"
    )
    signed_at = models.DateTimeField(_("ký/ban hành lúc"))
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(_("người ký"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("kích thước (byte)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản đã ban hành")
        verbose_name_plural = _("văn bản đã ban hành")
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.document_code} ({self.sha256[:12]}…)"
