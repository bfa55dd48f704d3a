"""Exports of holdings (MARC 21, CNMARC, Dublin Core), the OAI-PMH endpoint, IIIF manifests
and the image viewer."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from guji import registry
from guji.exchange import dc, iiif, marc, oai
from guji.exchange.records import describe, for_exchange
from guji.lists import HoldingQuery
from guji.models import Holding
from guji.permissions import require, scope_filter

IIIF_CONTENT_TYPE = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'


@dataclass(frozen=True)
class Format:
    label: str
    extension: str
    content_type: str


# URL part → what it writes. MARC binary is ISO 2709; the XML forms are MARCXML (slim).
FORMATS = {
    "marc21": Format("MARC 21", "mrc", "application/marc"),
    "marc21-xml": Format("MARCXML", "xml", "application/marcxml+xml"),
    "cnmarc": Format("CNMARC", "mrc", "application/marc"),
    "cnmarc-xml": Format("CNMARC XML", "xml", "application/marcxml+xml"),
    "dc": Format("Dublin Core", "xml", "application/xml"),
}


def _write(descriptions, fmt: str, *, single: bool) -> bytes:
    if fmt == "dc":
        return dc.write_one(descriptions[0]) if single else dc.write_list(descriptions)
    flavour, _sep, xml = fmt.partition("-")
    return (marc.write_xml if xml else marc.write_binary)(descriptions, flavour)


def _file(content: bytes, fmt: str, stem: str) -> HttpResponse:
    spec = FORMATS[fmt]
    response = HttpResponse(content, content_type=f"{spec.content_type}; charset=utf-8")
    filename = f"{stem}-{fmt.partition('-')[0]}.{spec.extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def holding_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    holding = get_object_or_404(for_exchange(Holding.objects.visible_to(request.user)), pk=pk)
    require(request.user, "export", holding)
    content = _write([describe(holding)], fmt, single=True)
    return _file(content, fmt, holding.census_number or f"holding-{holding.pk}")


@require_safe
def list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The holding list as filtered (its own query string), up to GUJI_EXPORT_INLINE_ROWS rows."""
    limit = settings.GUJI_EXPORT_INLINE_ROWS
    if fmt not in FORMATS:
        raise Http404
    query = HoldingQuery.from_params(request.user, request.GET)
    holdings = query.queryset(request.user).filter(
        scope_filter(request.user, "export", "institution")
    )
    ids = list(holdings.values_list("pk", flat=True)[: limit + 1])
    if len(ids) > limit:
        messages.error(
            request,
            _("More than %(n)s records: narrow the list to export it.") % {"n": limit},
        )
        return redirect("holding_list")
    found = {h.pk: h for h in for_exchange(Holding.objects.filter(pk__in=ids))}
    content = _write([describe(found[pk]) for pk in ids], fmt, single=False)  # the list's order
    return _file(content, fmt, "holdings-" + timezone.localtime().strftime("%Y%m%d-%H%M"))


@login_not_required  # harvesters are anonymous: the endpoint shows registered holdings only
@csrf_exempt  # OAI-PMH allows POST (form-encoded) from any harvester; nothing is written
@require_http_methods(["GET", "HEAD", "POST"])
def oai_pmh(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    base_url = request.build_absolute_uri(request.path)
    content = oai.respond(params, base_url=base_url)
    return HttpResponse(content, content_type="text/xml; charset=utf-8")


# --- images for viewers ------------------------------------------------------------------------


def _image_sets(request: HttpRequest, pk: int) -> tuple[Holding, list[registry.ImageSet]]:
    holding = get_object_or_404(
        Holding.objects.visible_to(request.user).select_related("institution", "binding"), pk=pk
    )
    return holding, registry.image_sets(request.user, holding)


@require_safe
def manifest(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """The IIIF Presentation 3 manifest of one image set of a holding."""
    holding, sets = _image_sets(request, pk)
    chosen = next((s for s in sets if s.key == key), None)
    if chosen is None:
        raise Http404
    text = iiif.manifest(
        holding,
        chosen,
        manifest_url=request.build_absolute_uri(),
        absolute=request.build_absolute_uri,
    )
    return HttpResponse(text, content_type=IIIF_CONTENT_TYPE)


@require_safe
def viewer(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's IIIF viewer (TIFY, vendored) on one of the holding's image sets."""
    holding, sets = _image_sets(request, pk)
    chosen = next((s for s in sets if s.key == request.GET.get("set")), sets[0] if sets else None)
    context = {
        "holding": holding,
        "sets": sets,
        "chosen": chosen,
        "viewer_language": "zh" if translation.get_language().startswith("zh") else "en",
        "manifest_url": reverse("exchange:manifest", args=[holding.pk, chosen.key])
        if chosen
        else "",
    }
    return render(request, "exchange/viewer.html", context)
