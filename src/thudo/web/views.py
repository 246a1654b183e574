from django.apps import apps
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.module_loading import import_string

from thudo.web.context import platform
from thudo.web.forms import LoginForm


def home(request):
    return render(request, "web/home.html")


def _tiles(person) -> list[dict]:
    """Counters contributed by apps (``workspace_tiles`` on their AppConfig: the dotted path of a
    function of the person returning ``{"label", "count", "url", "alert"}`` dicts)."""
    tiles: list[dict] = []
    for config in apps.get_app_configs():
        path = getattr(config, "workspace_tiles", None)
        if path:
            tiles += import_string(path)(person)
    return tiles


@login_required
def workspace(request):
    if not platform(request)["is_official"]:
        return redirect("web:home")
    return render(request, "web/workspace.html", {"tiles": _tiles(request.user)})


class LoginView(auth_views.LoginView):
    """Sign-in; officials land on their workspace (their work), citizens on the portal's home,
    unless a ``next`` page was asked for."""

    template_name = "web/login.html"
    authentication_form = LoginForm

    def get_default_redirect_url(self):
        if platform(self.request)["is_official"]:
            return reverse("web:workspace")
        return super().get_default_redirect_url()
