"""Pages are light: the first load (HTML, CSS and JavaScript) stays within 150 KB as sent over the wire.

The pages are served as `make run` and production serve them: the static files collected by
``collectstatic`` (hashed names, gzip copies) and sent by WhiteNoise, the HTML compressed by
GZipMiddleware, to a browser that accepts gzip. What is counted is the bytes of each response body.
"""

import datetime
import re
import subprocess
from pathlib import Path

import pytest

from recommendations.models import Status

from .factories import record

pytestmark = pytest.mark.django_db
BUDGET = 150 * 1024
ROOT = Path(__file__).resolve().parent.parent


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def first_load_bytes(client, url) -> tuple[int, dict]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = body(response)
    assert response.get("Content-Encoding") == "gzip", "the HTML is sent compressed"
    import gzip

    text = gzip.decompress(html)
    sizes = {"html": len(html)}
    for path in re.findall(rb'(?:href|src)="(/static/[^"]+)"', text):
        asset = client.get(path.decode())
        assert asset.status_code == 200, path
        sizes[path.decode()] = len(body(asset))
        if path.endswith((b".css", b".js")):
            assert asset.get("Content-Encoding") == "gzip", f"{path} is sent compressed"
            assert "immutable" in asset.get("Cache-Control", ""), f"{path} is cached"
    return sum(sizes.values()), sizes


@pytest.mark.parametrize("language", ["en", "fr", "es", "ru", "zh-hans", "ar"])
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/recommendations/",
        "/recommendations/R02/",
        "/source/",
        "/actors/",
        "/actors/KEN/",
        "/reports/",
        "/reports/matrix/?actor_kind=country",
        "/reports/table/",
    ],
)
def test_first_load_is_within_150_kb_as_sent(served, url, language, item, country):
    for iso3 in ("KEN", "GHA", "MEX"):
        record(
            actor=country(iso3),
            recommendation=item("ratification"),
            status=Status.RATIFIED,
            as_of=datetime.date(2015, 1, 1),
        )
    # In every language (under its prefix; English has none): Arabic loads Bootstrap's right-to-left build.
    url = url if language == "en" else f"/{language}{url}"
    total, sizes = first_load_bytes(served, url)
    assert total <= BUDGET, (url, total, sizes)
    assert any("bootstrap.rtl.min." in path for path in sizes) is (language == "ar"), sizes


def test_bootstrap_is_sent_compressed_and_hashed(served):
    html = served.get("/", HTTP_ACCEPT_ENCODING="identity").content.decode()
    css = re.search(r'href="(/static/vendor/bootstrap-[^"]+\.css)"', html).group(1)
    assert re.search(r"bootstrap\.min\.[0-9a-f]{12}\.css$", css), css
    plain = served.get(css, HTTP_ACCEPT_ENCODING="identity")
    packed = served.get(css)
    assert len(body(packed)) < len(body(plain)) / 3, "Bootstrap goes out gzip-compressed"


def test_make_run_collects_static_and_serves_it_with_whitenoise():
    plan = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "STATIC_COLLECTED=1" in plan and "collectstatic" in plan
    assert "runserver --nostatic" in plan


def test_collected_static_setting_selects_the_compressed_manifest_storage():
    import os
    import sys

    code = "import tracker.settings as s; print(s.STORAGES['staticfiles']['BACKEND'], s.WHITENOISE_USE_FINDERS)"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "STATIC_COLLECTED"}}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**env, "STATIC_COLLECTED": "1"}, capture_output=True, text=True
    )
    assert out.stdout.split() == ["tracker.storage.CollectedStaticStorage", "False"], out.stderr


def test_no_page_loads_bootstraps_javascript(client):
    html = client.get("/").content.decode()
    assert "bootstrap.bundle" not in html and "tracker/tracker.js" in html
