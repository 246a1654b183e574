"""Second-factor state of a person: failed code attempts and the temporary lock.

The devices themselves (TOTP secret, backup codes) are django-otp's ``TOTPDevice`` and
``StaticDevice``. Law 86/2015/QH13 on network information security and Decree 85/2016/NĐ-CP
(information-system security levels) call for strong authentication of administrators and staff;
the platform asks every official for a one-time code after the password.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from thudo.core.models import User


class SecondFactorState(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor_state"
    )
    failures = models.PositiveSmallIntegerField(_("lần nhập sai liên tiếp"), default=0)
    locked_until = models.DateTimeField(_("khóa đến"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("thiết lập lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("trạng thái xác thực 2 bước")
        verbose_name_plural = _("trạng thái xác thực 2 bước")

    def __str__(self) -> str:
        return str(self.user)


class OfficialAccount(User):
    """Officials' accounts as seen by the city admin's 2FA page in the admin site."""

    class Meta:
        proxy = True
        verbose_name = _("tài khoản cán bộ (xác thực 2 bước)")
        verbose_name_plural = _("tài khoản cán bộ (xác thực 2 bước)")
