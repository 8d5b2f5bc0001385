"""The browser app's routes: every path that is not the API, the admin, a static file or a
WebSocket answers the app's index.html, so its URLs (/backtests/12, /signup, ...) survive a reload
and work as deep links. The app's router decides what the path shows (and says "not found")."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

# Paths that never fall back to the app: a missing asset or API endpoint must be a plain 404,
# not HTML with status 200.
SPA_PATH = r"^(?!(?:api|admin|static|assets|ws)(?:/|$)).*$"


@require_safe
def spa_index(request: HttpRequest) -> HttpResponse:
    """dist/index.html (never cached: it names the current hashed assets), or a landing page
    saying how to build the app when it is not built."""
    index = settings.FRONTEND_DIST / "index.html"
    if not index.is_file():
        return render(request, "home.html", status=200)
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
