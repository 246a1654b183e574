"""Data of the notifications app (data only; writes go through actions.py).

Two tables: ``Notification`` is what a signed-in person reads on the site; ``OutboxMessage`` is
the transactional outbox for every other channel (e-mail, SMS, Zalo, webhook). Outbox rows are
written in the same transaction as the domain change that causes them and delivered afterwards
by a task, with retries, so a message is never lost when the mail server is down and never sent
for a change that was rolled back. Citizens must be told of receipt, supplement requests, results
and delays (Decree 61/2018/NĐ-CP art. 18, 19; Decree 107/2021/NĐ-CP; Decree 118/2025/NĐ-CP).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app notice for one person (shown at /thong-bao/)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("người nhận"),
    )
    event = models.CharField(_("sự kiện"), max_length=100)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    obj_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    obj_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    key = models.CharField(_("khóa chống trùng"), max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notif_user_unread")]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")
    WEBHOOK = "webhook", _("Webhook")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi, sẽ thử lại")
    DEAD = "dead", _("Đã ngừng thử")


class OutboxMessage(models.Model):
    """One message to deliver on one channel. ``key`` is unique: the same message is never
    queued twice, and it travels with the message (Message-ID / Idempotency-Key) so that a
    receiver that sees a redelivery (at-least-once) can drop it."""

    channel = models.CharField(_("kênh"), max_length=20, choices=Channel.choices)
    recipient = models.CharField(_("người nhận"), max_length=500)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người dùng"),
    )
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    event = models.CharField(_("sự kiện"), max_length=100)
    obj_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    obj_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    key = models.CharField(_("khóa chống trùng"), max_length=255, unique=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    next_attempt_at = models.DateTimeField(_("thử lần tới lúc"), default=timezone.now)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thư đi (hàng đợi)")
        verbose_name_plural = _("thư đi (hàng đợi)")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"


class MailboxMessage(models.Model):
    """An e-mail the platform "sent" while no real mail server is configured (the demo, a
    development machine): kept here by ``mailbox.MailboxBackend`` and shown at /hop-thu/ so the
    messages can be read. One row per recipient."""

    recipient = models.CharField(_("người nhận"), max_length=254, db_index=True)
    sender = models.CharField(_("người gửi"), max_length=254, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("thư trong hộp thư thử nghiệm")
        verbose_name_plural = _("hộp thư thử nghiệm")
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
