"""Decorators shared by the apps' page views."""

from __future__ import annotations

import functools

from django.http import Http404

from thudo.core.errors import NotAllowed, NotFound


def hide_denied(view):
    """``NotFound`` and ``NotAllowed`` become the 404 page: a person who may not see an object
    does not learn that it exists. (``core.errorpages.DomainErrorMiddleware`` turns the other
    domain errors into readable pages, and a bare ``NotAllowed`` into 403.)"""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (NotFound, NotAllowed) as exc:
            raise Http404(exc.message) from exc

    return wrapper
