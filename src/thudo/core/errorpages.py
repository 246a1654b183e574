"""Domain errors raised while rendering a page become readable pages, not server errors.

The API maps them itself (``conf/api.py``); this covers the pages: NotFound → 404,
NotAllowed → 403, other domain errors (Conflict, InvalidInput) → a page with the Vietnamese message.
"""

from django.shortcuts import render

from thudo.core.errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        template = {404: "404.html", 403: "403.html"}.get(exception.status, "web/domain_error.html")
        return render(request, template, {"message": exception.message}, status=exception.status)
