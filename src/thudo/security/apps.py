from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "thudo.security"
    label = "security"
    verbose_name = _("An toàn thông tin")
    workspace_nav = [("security:setup", _("Xác thực 2 bước"))]
