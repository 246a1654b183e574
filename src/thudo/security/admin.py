from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from thudo.core import permissions
from thudo.core.errors import DomainError
from thudo.core.models import Role
from thudo.security import actions
from thudo.security.models import OfficialAccount, SecondFactorState


@admin.register(OfficialAccount)
class OfficialAccountAdmin(admin.ModelAdmin):
    list_display = ("username", "full_name", "has_second_factor", "locked_until")
    search_fields = ("username", "full_name")
    actions = ["reset_second_factor"]
    fields = ("username", "full_name", "is_active")
    readonly_fields = fields

    def get_queryset(self, request):
        official_roles = [r for r in Role.values if r != Role.CITIZEN]
        officials = Q(is_staff=True) | Q(is_superuser=True) | Q(role_grants__role__in=official_roles)
        return super().get_queryset(request).filter(officials).distinct()

    # The page is the city admin's (the one role allowed to reset a second factor).
    def has_module_permission(self, request):
        return permissions.is_city_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_city_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description=_("Đã bật 2 bước"))
    def has_second_factor(self, obj):
        return TOTPDevice.objects.filter(user=obj, confirmed=True).exists()

    @admin.display(description=_("Khóa đến"))
    def locked_until(self, obj):
        state = SecondFactorState.objects.filter(user=obj).first()
        return state.locked_until if state else None

    @admin.action(description=_("Đặt lại xác thực 2 bước"))
    def reset_second_factor(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                actions.reset_second_factor(user, by=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
            done += 1
        self.message_user(request, _("Đã đặt lại xác thực 2 bước cho %(n)d tài khoản.") % {"n": done})
