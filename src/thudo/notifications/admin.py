from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from thudo.core import permissions
from thudo.core.errors import DomainError
from thudo.notifications import actions
from thudo.notifications.models import Notification, OutboxMessage, OutboxStatus


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
    )
    list_filter = ("status", "channel", "event")
    search_fields = ("recipient", "subject", "key", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["resend_selected"]

    @admin.display(description=_("lỗi gần nhất"))
    def short_error(self, obj) -> str:
        return obj.last_error[:120]

    def has_module_permission(self, request) -> bool:
        return permissions.can(request.user, "notification.manage")

    def has_view_permission(self, request, obj=None) -> bool:
        # Recipients' addresses are personal data: the queue is for city administrators only.
        return permissions.can(request.user, "notification.manage")

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # rows change only through delivery and the "Gửi lại" action

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_resend_permission(self, request) -> bool:
        return permissions.can(request.user, "notification.manage")

    @admin.action(description=_("Gửi lại"), permissions=["resend"])
    def resend_selected(self, request, queryset):
        done = 0
        for message in queryset.filter(status__in=(OutboxStatus.FAILED, OutboxStatus.DEAD)):
            try:
                actions.resend(message, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{message}: {exc.message}", messages.ERROR)
                continue
            done += 1
        self.message_user(
            request, _("Đã đưa %(n)d thư vào hàng đợi gửi lại.") % {"n": done}, messages.SUCCESS
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "event", "subject", "read_at")
    list_filter = ("event",)
    search_fields = ("subject", "user__username", "key")
    raw_id_fields = ("user",)
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
