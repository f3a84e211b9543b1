"""/favicon.ico: browsers ask for it on every site whatever the page links to; answer with the tracker's icon."""

from django.contrib.staticfiles import finders
from django.http import FileResponse
from django.views.decorators.http import require_GET


@require_GET
def favicon(request):
    response = FileResponse(open(finders.find("tracker/favicon.ico"), "rb"), content_type="image/x-icon")  # noqa: SIM115
    response["Cache-Control"] = "public, max-age=86400"
    return response
