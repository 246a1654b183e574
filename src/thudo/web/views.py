from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from thudo.core import queries as core_queries
from thudo.web.context import platform


def home(request):
    return render(request, "web/home.html")


@login_required
def workspace(request):
    if not platform(request)["is_official"]:
        return redirect("web:home")
    return render(
        request, "web/workspace.html", {"worker_silence": core_queries.worker_silence(request.user)}
    )
