"""/healthz (the process answers), /readyz (it can serve: JSON, 503 when not), /metrics."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from .health import readiness
from .metrics import metrics_render


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "alive"})


@never_cache
@require_GET
def readyz(request):
    ready, checks = readiness()
    return JsonResponse(
        {"status": "ready" if ready else "unready", "checks": checks}, status=200 if ready else 503
    )


@never_cache
@require_GET
def metrics(request):
    if not metrics_allowed(request):
        return JsonResponse(
            {
                "detail": "Metrics need `Authorization: Bearer <OPS_METRICS_TOKEN>` or an allowed "
                "network (OPS_METRICS_ALLOWED_NETWORKS)."
            },
            status=403,
        )
    return HttpResponse(metrics_render(), content_type=CONTENT_TYPE_LATEST)


def metrics_allowed(request) -> bool:
    token = settings.OPS_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    try:
        client = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(net) for net in settings.OPS_METRICS_ALLOWED_NETWORKS)
