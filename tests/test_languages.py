"""The six UN languages in the URL: every page under its language's prefix with the right lang and dir, the
switcher and hreflang alternates, Accept-Language on a first visit (pages only), and the language kept across
login, the log-progress steps and pagination. The machine contract (API, exports, open-data files) never moves."""

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .factories import log_form_data

pytestmark = pytest.mark.django_db

CODES = [code for code, _ in settings.LANGUAGES]
OTHERS = [code for code in CODES if code != "en"]

# Every main page: (URL name, args, needs a logged-in reporter).
PAGES = [
    ("recommendations:home", [], False),
    ("recommendations:list", [], False),
    ("recommendations:detail", ["R02"], False),
    ("recommendations:report_summary", [], False),
    ("recommendations:report_table", [], False),
    ("recommendations:report_matrix", [], False),
    ("atlas:map", [], False),
    ("recommendations:actors", [], False),
    ("recommendations:source", [], False),
    ("recommendations:glossary", [], False),
    ("login", [], False),
    ("opendata:data", [], False),
    ("recommendations:progress_new", [], True),
    ("recommendations:my_updates", [], True),
    ("api:tokens", [], True),
]


def url(name, *args, language="en", query=""):
    with translation.override(language):
        return reverse(name, args=args) + (f"?{query}" if query else "")


def html_tag(text):
    return re.search(r"<html[^>]*>", text).group(0)


def switcher_links(text):
    """The switcher's links: {code: (href, the <a> tag)}."""
    nav = re.search(r'<nav class="language-switcher".*?</nav>', text, re.S).group(0)
    return {
        m.group(2): (unescape(m.group(1)), m.group(0))
        for m in re.finditer(r'<a href="([^"]+)" lang="([^"]+)"[^>]*>', nav)
    }


@pytest.mark.parametrize("language", CODES)
@pytest.mark.parametrize("name, args, logged_in", PAGES, ids=[p[0] for p in PAGES])
def test_every_main_page_renders_in_each_language_with_lang_and_dir(client, people, language, name, args, logged_in):
    if logged_in:
        client.force_login(people.reporter_a)
    address = url(name, *args, language=language)
    assert address.startswith("/") if language == "en" else address.startswith(f"/{language}/")
    response = client.get(address)
    assert response.status_code == 200, address
    text = response.content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert html_tag(text) == f'<html lang="{language}" dir="{direction}">'
    # Arabic gets Bootstrap's mirrored build, the others the usual one; never both.
    assert ("bootstrap.rtl.min" in text) is (language == "ar")
    assert ("bootstrap.min.css" in text) is (language != "ar")
    # No link or form of the page drops the language: every site address keeps the prefix, except the
    # machine contract (API, open-data files, static) and the switcher's own links.
    if language != "en":
        for target in re.findall(r'(?:href|action|formaction)="(/[^"]*)"', text):
            machine = target.startswith(("/static/", "/api/", "/data/", "/language/", "/healthz"))
            assert machine or target.startswith(f"/{language}/"), (address, target)


def test_the_switcher_links_to_the_same_page_in_each_language_with_its_query_string(client):
    query = "region=Africa&sort=item&page=1"
    text = client.get(url("recommendations:report_table", language="fr", query=query)).content.decode()
    links = switcher_links(text)
    assert list(links) == CODES, "all six, in the settings' order"
    names = dict(settings.LANGUAGES)
    for code, (href, tag) in links.items():
        parts = urlsplit(href)
        assert parts.path == reverse("languages:choose", args=[code])
        target = parse_qs(parts.query)["next"][0]
        assert target == url("recommendations:report_table", language=code, query=query)
        assert f'hreflang="{code}"' in tag and f">{names[code]}</a>" in text
    assert 'aria-current="true"' in links["fr"][1] and "aria-current" not in links["en"][1]
    assert 'dir="rtl"' in links["ar"][1]


def test_choosing_a_language_remembers_it_and_shows_the_page_in_it(client):
    href, _ = switcher_links(client.get("/reports/?region=Africa").content.decode())["ar"]
    response = client.get(href)
    assert response.status_code == 302 and response["Location"] == "/ar/reports/?region=Africa"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ar" and int(cookie["max-age"]) >= 30 * 24 * 3600
    assert html_tag(client.get(response["Location"]).content.decode()) == '<html lang="ar" dir="rtl">'
    # Remembered: the bare address now opens in Arabic, whatever the browser says.
    again = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 302 and again["Location"] == "/ar/reports/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_the_switcher_link_never_redirects_off_the_site(client, target):
    response = client.get(reverse("languages:choose", args=["fr"]), {"next": target})
    assert response.status_code == 302 and response["Location"] == "/fr/"


def test_an_unknown_language_is_not_found(client):
    assert client.get(reverse("languages:choose", args=["xx"]), {"next": "/"}).status_code == 404


def test_hreflang_alternates_name_every_language_and_x_default(client):
    text = client.get("/fr/recommendations/?theme=labour").content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', text))
    expected = {
        code: "http://testserver" + url("recommendations:list", language=code, query="theme=labour") for code in CODES
    }
    assert alternates == {**expected, "x-default": expected["en"]}


@pytest.mark.parametrize(
    "header, expected",
    [
        ("fr-FR,fr;q=0.9,en;q=0.5", "/fr/reports/?item=R02"),
        ("es-419,es;q=0.9", "/es/reports/?item=R02"),
        ("ru", "/ru/reports/?item=R02"),
        ("zh-CN,zh;q=0.9", "/zh-hans/reports/?item=R02"),
        ("ar-EG,ar;q=0.8", "/ar/reports/?item=R02"),
        ("de-DE,fr;q=0.5", "/fr/reports/?item=R02"),
    ],
)
def test_a_first_visit_goes_to_the_browsers_language(client, header, expected):
    response = client.get("/reports/?item=R02", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 302 and response["Location"] == expected
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


@pytest.mark.parametrize("header", ["en-GB,en;q=0.9,fr;q=0.5", "de-DE", ""])
def test_a_first_visit_in_english_or_an_unsupported_language_stays(client, header):
    response = client.get("/reports/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 200 and html_tag(response.content.decode()) == '<html lang="en" dir="ltr">'
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_visitor_who_chose_english_is_never_redirected(client):
    client.get(reverse("languages:choose", args=["en"]), {"next": "/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200 and html_tag(response.content.decode()) == '<html lang="en" dir="ltr">'


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/items/",
        "/api/v1/statuses/summary/",
        "/api/schema/",
        "/healthz",
        "/reports/status.csv",
        "/reports/status.json",
        "/reports/status.xlsx?item=R02",  # one item: the whole workbook is built before the answer (seconds)
        "/recommendations/export.csv",
        "/feeds/reports/",
        "/actors/search.json?q=ken",
    ],
)
def test_machines_get_the_same_answer_whatever_their_language(client, address):
    response = client.get(address, HTTP_ACCEPT_LANGUAGE="fr-FR,fr")
    assert response.status_code == 200, address
    assert not response.get("Content-Type", "").startswith("text/html")


def test_the_machine_contract_has_no_language_prefix():
    for language in CODES:
        assert url("api:schema", language=language) == "/api/schema/"
        assert url("api:item-list", language=language) == "/api/v1/items/"
        assert url("opendata:download", "latest", "package.zip", language=language) == "/data/latest/package.zip"
        assert url("healthz", language=language) == "/healthz"


def test_prefixed_machine_addresses_do_not_exist(client):
    for address in ("/fr/api/v1/items/", "/ar/healthz", "/fr/data/latest/package.zip"):
        assert client.get(address).status_code == 404, address


def test_exports_answer_the_same_file_under_a_language_prefix(client):
    english = client.get("/reports/status.csv?item=R02")
    french = client.get("/fr/reports/status.csv?item=R02")
    assert french.status_code == 200 and french["Content-Type"] == english["Content-Type"]
    assert (
        b"".join(french.streaming_content if french.streaming else [french.content]).splitlines()[0]
        == b"".join(english.streaming_content if english.streaming else [english.content]).splitlines()[0]
    ), "the same columns"


def test_login_keeps_the_language_through_next_and_after(client, people):
    # A page that needs an account sends to the login page in the same language, coming back to the same page.
    response = client.get("/fr/progress/new/?item=R56")
    login = response["Location"]
    assert response.status_code == 302 and login.startswith("/fr/accounts/login/?next=")
    assert parse_qs(urlsplit(login).query)["next"] == ["/fr/progress/new/?item=R56"]
    page = client.get(login).content.decode()
    assert 'name="next" value="/fr/progress/new/?item=R56"' in unescape(page)
    done = client.post(login, {"username": "reporter_a@example.org", "password": "pw-reporter_a"})
    assert done.status_code == 302 and done["Location"] == "/fr/progress/new/?item=R56"


def test_login_without_next_lands_on_my_updates_in_the_same_language(client, people):
    done = client.post("/ar/accounts/login/", {"username": "reporter_a@example.org", "password": "pw-reporter_a"})
    assert done.status_code == 302 and done["Location"] == "/ar/my/updates/"


def test_the_log_in_link_of_a_page_comes_back_to_it_in_its_language(client):
    text = unescape(client.get("/es/reports/?item=R02").content.decode())
    assert 'href="/es/accounts/login/?next=/es/reports/%3Fitem%3DR02"' in text


def test_the_log_progress_steps_keep_the_language(reporter):
    chosen = reporter.get("/ru/progress/new/", {"item": "R56", "actor": "MEX"})
    assert chosen.status_code == 200 and html_tag(chosen.content.decode()) == '<html lang="ru" dir="ltr">'
    data = log_form_data(reporter, "R56", "MEX")
    done = reporter.post("/ru/progress/new/?item=R56&actor=MEX", data)
    assert done.status_code == 302 and re.fullmatch(r"/ru/updates/\d+/", done["Location"]), done["Location"]
    assert html_tag(reporter.get(done["Location"]).content.decode()) == '<html lang="ru" dir="ltr">'


def test_pagination_links_keep_the_language(client):
    text = client.get("/zh-hans/recommendations/?page=2").content.decode()
    pages = re.findall(r'class="page-link"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*class="page-link"', text)
    hrefs = [a or b for a, b in pages]
    assert hrefs, "the list has pages"
    # Relative links ("?page=3") stay under /zh-hans/; none points at an unprefixed page.
    assert all(h.startswith("?") or h.startswith("/zh-hans/") for h in hrefs), hrefs
    assert client.get("/zh-hans/recommendations/?page=3").status_code == 200


def test_arabic_charts_and_map_keep_their_left_to_right_drawing():
    """The page mirrors; the inline SVG charts and the map are drawn in coordinates, so they stay LTR."""
    from django.contrib.staticfiles import finders

    css = Path(finders.find("tracker/tracker.css")).read_text(encoding="utf-8")
    assert re.search(r"svg\.chart, svg\.bar, svg\.atlas-map \{ direction: ltr; \}", css)
    assert not re.search(
        r"(?:margin|padding|border)-(?:left|right)|text-align: (?:left|right)|[{;] (?:left|right):", css
    )


CATALOGS = sorted((Path(settings.BASE_DIR) / "locale").glob("*/LC_MESSAGES/django.po"))


@pytest.mark.skipif(not CATALOGS, reason="no translation catalog yet")
@pytest.mark.parametrize("catalog", CATALOGS, ids=[c.parent.parent.name for c in CATALOGS])
def test_the_committed_mo_files_are_compiled_from_the_po_files(catalog, tmp_path):
    """The site reads the .mo files, which are committed (no gettext needed to run it): they must be the .po's."""
    import shutil
    import subprocess

    if not shutil.which("msgfmt"):
        pytest.skip("GNU gettext (msgfmt) is not installed")
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(catalog)], check=True)
    committed = catalog.with_suffix(".mo")
    assert committed.exists(), f"{committed} is missing: run `make messages`"
    assert committed.read_bytes() == compiled.read_bytes(), f"{committed} is stale: run `make messages`"


def test_french_puts_a_no_break_space_before_double_punctuation_everywhere():
    """The French catalog's convention: a no-break space before ";", ":", "?", "!" and "»" and after "«", never
    a plain space and never none (markup, URLs and code copied from the English text aside)."""
    import polib

    catalog = polib.pofile(str(Path(settings.BASE_DIR) / "locale/fr/LC_MESSAGES/django.po"))
    plain = re.compile(r" [;:?!](?=\s|$)| »|« ")
    glued = re.compile(r"(?:\w[;:?!]|\w»|«\w)(?=\s|$)")
    wrong = []
    for entry in catalog.translated_entries():
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            prose = re.sub(r"<[^>]*>|&\w+;|https?://\S+", "", text)
            for found in [*plain.findall(prose), *glued.findall(prose)]:
                if found not in entry.msgid:  # code quoted as it is ("Authorization: Bearer")
                    wrong.append((entry.msgid, found))
    assert not wrong


def test_the_thresholds_sentence_is_punctuated_in_the_readers_language():
    """R17's thresholds are clauses joined in code: French gets its no-break space before ";", Chinese its
    full-width semicolon and full stop, Arabic its own semicolon."""
    from recommendations.models import Recommendation

    remittances = Recommendation.objects.get(code="R17")
    with translation.override("fr"):
        french = remittances.thresholds_explained()
    with translation.override("zh-hans"):
        chinese = remittances.thresholds_explained()
    with translation.override("ar"):
        arabic = remittances.thresholds_explained()
    assert french.count("\u00a0;") == 2 and not re.search(r"[^\u00a0];", french)
    assert chinese.count("；") == 2 and ";" not in chinese and not re.search(r"[.。] ", chinese)
    assert arabic.count("؛") == 2 and ";" not in arabic


def first_visit(path, header="fr-FR,fr;q=0.9"):
    """The first-visit middleware alone on a GET of ``path``: (its response, the requests that reached the view)."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from languages.middleware import FirstVisitLanguageMiddleware

    reached = []

    def view(request):
        reached.append(request.get_full_path())
        return HttpResponse("<!doctype html><title>page</title>", content_type="text/html; charset=utf-8")

    request = RequestFactory().get(path, HTTP_ACCEPT_LANGUAGE=header)
    return FirstVisitLanguageMiddleware(view)(request), reached


def test_the_first_visit_redirect_is_decided_before_the_view_runs():
    """The redirect needs only the request: the English page is not rendered only to be thrown away."""
    response, reached = first_visit("/reports/matrix/?item=R02")
    assert response.status_code == 302 and response["Location"] == "/fr/reports/matrix/?item=R02"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    assert reached == []


@pytest.mark.parametrize(
    "path",
    ["/reports/status.csv", "/feeds/reports/", "/reports/chart.svg", "/actors/search.json?q=ken", "/api/v1/items/"],
)
def test_machine_addresses_reach_the_view_and_are_never_redirected(path):
    response, reached = first_visit(path)
    assert reached == [path] and response.status_code == 200


def test_an_english_visitor_reaches_the_view_and_the_page_varies_on_the_headers():
    response, reached = first_visit("/reports/matrix/", header="en-GB,en")
    assert reached == ["/reports/matrix/"] and response.status_code == 200
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def routes_under(resolver, namespace="", prefix=""):
    """(qualified name, route text) of every named URL under ``resolver``."""
    from django.urls import URLPattern, URLResolver

    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes_under(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, prefix + str(entry.pattern)


def test_every_route_that_answers_a_file_or_a_feed_is_a_machine_route():
    """A new export or feed under the language prefix must be listed, or French browsers would be redirected."""
    from django.urls import URLResolver, get_resolver
    from django.urls.resolvers import LocalePrefixPattern

    from languages.middleware import MACHINE_ROUTES

    prefixed = next(
        entry
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and isinstance(entry.pattern, LocalePrefixPattern)
    )
    routes = dict(routes_under(prefixed))
    assert set(routes) >= MACHINE_ROUTES, MACHINE_ROUTES - set(routes)
    file_like = re.compile(r"(\.(csv|json|xlsx|svg|png)$|^feeds/|download/$)")
    files = {name for name, route in routes.items() if file_like.search(route)}
    assert files and files <= MACHINE_ROUTES, files - MACHINE_ROUTES


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "joined", "drawn", "item_filter"),
    [
        ("/fr", "R02\u00a0; Pays", "Afrique\u00a0; Statut", "Appels\u00a0:"),
        ("/ar", "R02؛ البلدان", "أفريقيا؛ ", "البنود:"),
        ("/zh-hans", "R02；国家", "非洲；", "条目："),
        ("", "R02; Countries", "Africa; Status", "Items:"),
    ],
)
def test_a_report_s_filters_are_joined_by_the_reader_s_semicolon(client, prefix, joined, drawn, item_filter):
    """The report header, the items list, the comparison, the map's drawing and the feeds' titles joined the
    filters in words with a literal "; " (``|join:"; "``): French lost its no-break space, Arabic and Chinese
    read a Latin semicolon. They go through ``languages.sentences.clauses`` (``{{ description|clauses }}``).
    The map's drawing leaves out its own item, matched by the label as ``describe()`` writes it: French writes
    "Appels\u00a0: R02", which the prefix "Appels:" missed, so the French map repeated its item."""
    html = client.get(f"{prefix}/reports/map/?item=R02&actor_kind=country").content.decode()
    assert joined in html
    svg = client.get(f"{prefix}/reports/map.svg?item=R02&region=Africa&on=2015-01-01").content.decode()
    assert drawn in svg
    assert item_filter not in svg
    if prefix:
        assert "R02; " not in html and "; " not in svg.split("</title>")[0]


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "separator"), [("/fr", "\u00a0; "), ("/zh-hans", "；"), ("/ar", "؛ ")])
def test_an_item_s_themes_are_separated_by_the_reader_s_semicolon(client, prefix, separator):
    """The items list's and an item's themes (and the timeline's perspectives, the map's small states) were
    separated by a literal "; " written in the template; ``{% clause_separator %}`` is the language's."""
    from recommendations.models import Recommendation

    item = Recommendation.objects.get(code="R01")
    themes = list(item.themes.all())
    assert len(themes) >= 2
    for path in ("/recommendations/", "/recommendations/R01/"):
        html = client.get(f"{prefix}{path}").content.decode()
        assert f"</span>{separator}" in html or f"</a>{separator}" in html, path
        assert "</span>; " not in html and "</a>; " not in html, path


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "after_citation", "footer"),
    [
        ("/zh-hans", "</span>)。此处", "。引文"),
        ("", "</span>). Each item", "(12 July 2006). Quotations"),
        ("/fr", "</span>). Chaque appel", "(12 juillet 2006). Les citations"),
    ],
)
def test_sentences_written_side_by_side_in_templates_end_and_join_in_the_reader_s_way(
    client, prefix, after_citation, footer
):
    """The home page's citation ended in a literal ". " (Chinese read ")." then a space) and the footer's two
    sentences were joined by the template's line break (a space after "。"): ``{% full_stop %}`` and
    ``{% sentence_separator %}`` are the language's."""
    html = client.get(f"{prefix}/").content.decode()
    assert after_citation in html
    assert footer in " ".join(html.split(" \n"))
    if prefix == "/zh-hans":
        assert "). " not in html.split("<main")[1] and "。 " not in html.split("<footer")[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "label", "colon", "comma"),
    [("/fr", "Signé", "\u00a0: ", ", "), ("/zh-hans", "已签署", "：", "，"), ("/ar", "موقِّع", ": ", "، ")],
)
def test_the_map_s_small_states_are_listed_with_the_reader_s_punctuation(client, prefix, label, colon, comma):
    """The small states under the map were written "<strong>Signé</strong>: A, B." with a Latin colon, comma and
    full stop in every language (no no-break space in French, "," and "." in Chinese and Arabic)."""
    import datetime

    from recommendations.models import Actor, Recommendation

    from .factories import record

    r02 = Recommendation.objects.get(code="R02")
    for iso3 in ("COM", "PLW"):  # small states: a dot on the map, listed under it
        record(actor=Actor.objects.get(iso3=iso3), recommendation=r02, status="signed", as_of=datetime.date(2010, 1, 1))
    html = client.get(f"{prefix}/reports/map/?item=R02").content.decode()
    notes = html[html.index(f"<strong>{label}</strong>") :]
    assert notes.startswith(f"<strong>{label}</strong>{colon}<a ")
    assert f"</a>{comma}<a " in notes.split("</p>")[0]
    if prefix == "/zh-hans":
        assert "</a>。" in notes.split("</p>")[0] and "</a>." not in notes.split("</p>")[0]


@pytest.mark.django_db
def test_no_space_follows_a_chinese_label_s_full_width_colon(client, people):
    """Templates wrote a literal space (or a line break) after a translated label ending in ":", and Chinese
    labels end in the full-width "：", which carries its own space: "来源：  Summary…", "下载本报告： CSV",
    "当前状况： 已批准". ``{% label_space %}`` is the space after the language's colon, none in Chinese."""
    from .status_samples import record_ratification_and_value

    record_ratification_and_value(people)
    pages = [
        "/zh-hans/",
        "/zh-hans/actors/GHA/R02/",
        "/zh-hans/reports/",
        "/zh-hans/reports/matrix/",
        "/zh-hans/reports/table/",
        "/zh-hans/source/",
        "/zh-hans/data/",
        "/zh-hans/reports/map/?item=R02",
        "/zh-hans/recommendations/R02/",
        "/zh-hans/actors/GHA/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode().split("<main", 1)[1]
        assert not re.search(r"：(\s|&nbsp;)", body), (url, re.search(r".{40}：(\s|&nbsp;).{40}", body, re.S))
        # A label written in markup before its value takes the language's colon: "Ratify an instrument: ICRMW" on
        # the item page, "R02 Ratify… : Ratified" in the home page's recent list.
        assert not re.search(r"(</span>|</a>|[\u4e00-\u9fff]): ", body), (
            url,
            re.search(r".{60}(</span>|</a>|[\u4e00-\u9fff]): .{20}", body, re.S),
        )
    english = client.get("/actors/GHA/R02/").content.decode()
    assert "Current status: <" in english  # the space stays in the other languages
