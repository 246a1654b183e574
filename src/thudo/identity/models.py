"""Citizens and the embedded stand-in for the national population database.

Data only; every write goes through ``thudo.identity.actions``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from thudo.identity.pins import FEMALE, MALE, mask_pin


class Sex(models.TextChoices):
    MALE = MALE, _("Nam")
    FEMALE = FEMALE, _("Nữ")


class Citizen(models.Model):
    """Công dân: a person identified by the personal identification number (CCCD).

    May exist without an account (an applicant received at the counter). ``verified_at`` is
    set when the name, date of birth and number matched the population registry. After
    erasure (Decree 13/2023/NĐ-CP, art. 16; Law 91/2025/QH15) ``pin`` is empty, the personal
    fields hold placeholders and only ``pin_hash`` (a keyed hash) remains.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="citizen"
    )
    pin = models.CharField(_("số định danh cá nhân"), max_length=12, null=True, blank=True, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=200)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=8, choices=Sex.choices)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    verified_at = models.DateTimeField(_("xác thực định danh lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    search_text = models.CharField(max_length=200, editable=False, blank=True, db_index=True)
    pin_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    erased_at = models.DateTimeField(_("xóa dữ liệu lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("công dân")
        verbose_name_plural = _("công dân")
        ordering = ["pk"]

    def __str__(self) -> str:
        # Never the name: audit labels outlive erasure, and logs show numbers masked.
        return f"Công dân {mask_pin(self.pin) if self.pin else f'#{self.pk}'}"

    @property
    def masked_pin(self) -> str:
        return mask_pin(self.pin)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class RegistryRecord(models.Model):
    """A person in the embedded population registry (the local adapter's data, for demo and tests).

    Stands in for the national population database (Cơ sở dữ liệu quốc gia về dân cư, Law
    26/2023/QH15 on Identification); ``name_key`` is the folded name used for comparison.
    """

    pin = models.CharField(_("số định danh cá nhân"), max_length=12, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    birth_date = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=8, choices=Sex.choices)
    permanent_address = models.CharField(_("nơi thường trú"), max_length=300)
    current_address = models.CharField(_("nơi ở hiện tại"), max_length=300, blank=True)
    ethnicity = models.CharField(_("dân tộc"), max_length=40, default="Kinh")
    nationality = models.CharField(_("quốc tịch"), max_length=40, default="Việt Nam")

    class Meta:
        verbose_name = _("bản ghi dân cư")
        verbose_name_plural = _("bản ghi dân cư")
        ordering = ["pin"]

    def __str__(self) -> str:
        return mask_pin(self.pin)
