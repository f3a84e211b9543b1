"""/data/: the open-data package, its releases and downloads (read from settings.OPEN_DATA_DIR)."""

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import package, schema
from .package import RELEASE, RESOURCES, files, releases

CONTENT_TYPES = {".csv": "text/csv; charset=utf-8", ".json": "application/json", ".md": "text/markdown; charset=utf-8"}


@require_GET
def data_page(request):
    dated = releases()
    context = {
        "releases": dated,
        "latest": dated[0] if dated else None,
        "resources": [(name, path, title, fields) for name, path, title, fields, *_ in RESOURCES],
        "license": package.LICENSE,
        "citation": package.source_citation(),
        "status_fields": schema.STATUS_FIELDS,
    }
    return render(request, "opendata/data.html", context)


@require_GET
def download(request, release: str, name: str):
    if release == "latest":
        dated = releases()
        if not dated:
            raise Http404(_("No open-data release has been built yet."))
        return redirect("opendata:download", release=dated[0], name=name)
    # Only the known file names of a dated release: nothing else of the disk is reachable.
    if not RELEASE.match(release) or name not in files():
        raise Http404(_("No such file in the open-data package."))
    path = settings.OPEN_DATA_DIR / release / name
    if not path.is_file():
        raise Http404(_("No such release."))
    suffix = path.suffix
    response = FileResponse(path.open("rb"), as_attachment=suffix in (".zip", ".csv"), filename=name)
    if suffix in CONTENT_TYPES:
        response["Content-Type"] = CONTENT_TYPES[suffix]
    response["Cache-Control"] = "public, max-age=3600"
    return response
