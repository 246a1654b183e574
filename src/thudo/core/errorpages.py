"""Domain errors raised while rendering a page become readable pages, not server errors.

The API maps them itself (``conf/api.py``); this covers the pages: NotFound → 404,
NotAllowed → 403, other domain errors (Conflict, InvalidInput) → a page with the Vietnamese message;
input the database refuses (``DataError``, e.g. a NUL character) → 400. :func:`hide_denied` is
the decorator the apps' page views use to hide what a person may not see.
"""

import functools

from django.db import DataError
from django.http import Http404
from django.shortcuts import render

from thudo.core.errors import DomainError, NotAllowed, NotFound, data_error_message


def hide_denied(view):
    """``NotFound`` and ``NotAllowed`` become the 404 page: a person who may not see an object
    does not learn that it exists. (:class:`DomainErrorMiddleware` turns the other domain errors
    into readable pages, and a bare ``NotAllowed`` into 403.)"""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (NotFound, NotAllowed) as exc:
            raise Http404(exc.message) from exc

    return wrapper


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DataError) and not request.path.startswith("/api/"):
            # Input the database cannot hold (e.g. a NUL character): nothing was stored.
            message = data_error_message()
            return render(request, "web/domain_error.html", {"message": message}, status=400)
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        template = {404: "404.html", 403: "403.html"}.get(exception.status, "web/domain_error.html")
        return render(request, template, {"message": exception.message}, status=exception.status)
