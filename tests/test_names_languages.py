"""Names and titles in the six UN languages (issue 17, items 4 and 5): collation, fallback, seed, contract."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from api.serializers import InstrumentSerializer, ItemSerializer, ThemeSerializer
from languages.collation import sort_key, sorted_actors, sorted_by_name
from languages.documents import official_document_url
from languages.names import actor_name, shown
from languages.regions import region_name
from opendata.package import build_package
from recommendations import reports
from recommendations.filters import StatusFilter
from recommendations.models import Actor, Instrument, Recommendation, SourceDocument, Theme
from recommendations.views import pages, status

pytestmark = pytest.mark.django_db

LANGUAGE_CODES = [code for code, _ in settings.LANGUAGES]


def _get(view, path, language, **kwargs):
    """A page rendered with ``language`` active (as the language middleware leaves it for the view)."""
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    with translation.override(language):
        response = view(request, **kwargs)
        if hasattr(response, "render"):
            response.render()
        body = (
            b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
        ).decode()
    return response, body


# -- collation ---------------------------------------------------------------


def test_french_sorts_egypt_among_the_e_not_after_z():
    names = ["Zimbabwe", "Égypte", "Espagne", "Allemagne", "Danemark"]
    assert sorted(names)[-1] == "Égypte"  # what comparing code points does
    assert sorted_by_name(names, "fr") == ["Allemagne", "Danemark", "Égypte", "Espagne", "Zimbabwe"]


def test_seeded_countries_sort_by_their_french_names():
    countries = sorted_actors(Actor.objects.countries(), "fr")
    french = [actor_name(a, "fr") for a in countries]
    egypt = french.index("Égypte")
    assert french[egypt - 1][0] in "DÉE" and french[egypt + 1][0] in "ÉE"
    assert french.index("Égypte") < french.index("Zimbabwe")


def test_arabic_names_in_arabic_alphabetical_order():
    # Alef with or without hamza is one letter: the second letters decide (lam, waw, ya), not the code points.
    names = ["إيران", "أوغندا", "الأرجنتين"]
    assert sorted(names) == ["أوغندا", "إيران", "الأرجنتين"]
    assert sorted_by_name(names, "ar") == ["الأرجنتين", "أوغندا", "إيران"]


def test_chinese_names_by_pinyin():
    # ā fù hàn, āi jí, fǎ guó, zhōng guó
    assert sorted_by_name(["中国", "阿富汗", "埃及", "法国"], "zh-hans") == ["阿富汗", "埃及", "法国", "中国"]


def test_country_names_in_each_language_come_from_the_stored_names():
    egypt = Actor.objects.get(code="EGY")
    assert [actor_name(egypt, code) for code in LANGUAGE_CODES] == [
        "Egypt",
        "Égypte",
        "Egipto",
        "Египет",
        "埃及",
        "مصر",
    ]
    with translation.override("fr"):
        assert actor_name(egypt) == "Égypte"


def test_the_matrix_and_the_table_sort_by_name_in_the_readers_language():
    scope = reports.build_scope(StatusFilter(QueryDict("actor_kind=country")))
    with translation.override("fr"):
        grid, total = reports.matrix(scope, sort="actor", offset=0, limit=500)
        rows, _ = reports.table_page(scope, sort="actor", offset=0, limit=100_000)
    matrix_names = [actor_name(actor, "fr") for actor, _ in grid.actors]
    assert total == len(matrix_names) and matrix_names == sorted_by_name(matrix_names, "fr")
    assert matrix_names.index("Égypte") < matrix_names.index("Espagne") < matrix_names.index("Zimbabwe")
    table_names = list(dict.fromkeys(actor_name(row.actor, "fr") for row in rows))
    assert table_names == matrix_names


def test_the_matrix_and_the_table_sort_by_region_as_named_in_the_readers_language():
    """In Russian, Asia («Азия») comes before Africa («Африка»): the regions, sub-regions and names the page
    shows are in Russian alphabetical order, not the English names' order."""
    scope = reports.build_scope(StatusFilter(QueryDict("actor_kind=country")))
    with translation.override("ru"):
        grid, total = reports.matrix(scope, sort="region", offset=0, limit=500)
        rows, _ = reports.table_page(scope, sort="region", offset=0, limit=100_000)

        def place(actor):
            return (
                region_name(actor.region),
                region_name(actor.intermediate_region or actor.subregion),
                actor_name(actor, "ru"),
            )

        shown = [place(actor) for actor, _ in grid.actors]
        asia, africa = region_name("Asia"), region_name("Africa")
    collate = sort_key("ru")
    assert total == len(shown) and shown == sorted(shown, key=lambda p: tuple(collate(text) for text in p))
    regions = list(dict.fromkeys(region for region, _, _ in shown))
    assert regions.index(asia) < regions.index(africa)  # English order puts Africa first
    assert list(dict.fromkeys(row.actor.pk for row in rows)) == [actor.pk for actor, _ in grid.actors]


def test_the_actor_list_sorts_by_name_in_the_readers_language():
    from recommendations.views import actors

    countries = [actor_name(a, "fr") for a in sorted_actors(Actor.objects.real().countries(), "fr")]
    page = countries.index("Égypte") // 50 + 1  # 50 a page, countries first
    assert page < len(countries) // 50 + 1  # with the E, not at the end
    _, html = _get(actors.actor_list, f"/actors/?page={page}", "fr")
    assert "Égypte" in html and "Zimbabwe" not in html


# -- translated titles and names, and the fallback ------------------------------


def test_fallback_to_english_is_marked_not_yet_translated():
    item = Recommendation.objects.order_by("position").first()
    assert not item.title_fr
    template = Template('{% load names %}{% shown item "title" %}')
    with translation.override("fr"):
        html = template.render(Context({"item": item}))
    assert f'<span lang="en">{item.title_en}</span>' in html
    # The mark speaks the reader's language (the catalogs translate it).
    with translation.override("fr"):
        mark = translation.gettext("English — not yet translated")
    assert mark != "English — not yet translated"
    assert mark in html and "not-translated" in html
    with translation.override("en"):
        assert template.render(Context({"item": item})) == item.title_en


def test_a_translated_title_is_shown_without_the_mark():
    item = Recommendation.objects.order_by("position").first()
    item.title_fr = "Ratifier la Convention sur les travailleurs migrants"
    item.save()
    _, html = _get(pages.recommendation_detail, item.get_absolute_url(), "fr", code=item.code)
    assert "<h1" in html and "Ratifier la Convention sur les travailleurs migrants</h1>" in html
    _, html = _get(pages.recommendation_detail, item.get_absolute_url(), "es", code=item.code)
    assert f'<span lang="en">{item.title_en}</span> <span class="badge' in html
    assert shown(item, "title", "fr").missing is False and shown(item, "title", "es").missing is True


def test_quotations_stay_in_english_marked_lang_en():
    item = Recommendation.objects.order_by("position").first()
    _, html = _get(pages.recommendation_detail, item.get_absolute_url(), "ar", code=item.code)
    quotation = item.citations.first().text
    assert f'<p class="mb-0" lang="en">“{quotation[:40]}' in html


def test_instrument_official_titles_are_seeded_in_all_six_languages():
    for instrument in Instrument.objects.all():
        for code in LANGUAGE_CODES:
            assert shown(instrument, "name", code).missing is False, (instrument.short_name, code)
    icrmw = Instrument.objects.get(short_name="ICRMW")
    assert icrmw.name_fr.startswith("Convention internationale sur la protection des droits de tous les travailleurs")
    assert icrmw.name_zh_hans == "保护所有移徙工人及其家庭成员权利国际公约"
    assert icrmw.name_ar == "الاتفاقية الدولية لحماية حقوق جميع العمال المهاجرين وأفراد أسرهم"


def test_seed_fills_only_missing_translations():
    crc = Instrument.objects.get(short_name="CRC")
    crc.name_fr = "Convention des droits de l'enfant (corrigée par un éditeur)"
    crc.name_es = ""
    crc.save()
    call_command("seed", verbosity=0)
    crc.refresh_from_db()
    assert crc.name_fr == "Convention des droits de l'enfant (corrigée par un éditeur)"
    assert crc.name_es == "Convención sobre los Derechos del Niño"


def test_official_document_in_each_language():
    assert official_document_url("A/61/187", "fr") == (
        "https://documents.un.org/api/symbol/access?s=A%2F61%2F187&l=fr&t=pdf"
    )
    assert official_document_url("A/61/187", "zh-hans").endswith("&l=zh&t=pdf")
    document = SourceDocument.objects.get()
    _, html = _get(pages.source_document, reverse("recommendations:source"), "ru")
    for code in ["en", "fr", "es", "ru", "zh", "ar"]:
        url = (
            f"https://documents.un.org/api/symbol/access?s={document.symbol.replace('/', '%2F')}&amp;l={code}&amp;t=pdf"
        )
        assert url in html


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/ar", "/ru"])
def test_the_official_links_close_their_parenthesis_without_a_space(client, prefix):
    """The home page's citation ends "(Official document in English · … · العربية)": the links' template ended
    in a newline, which the page showed as a space before the ")" ("العربية )")."""
    html = client.get(f"{prefix}/").content.decode()
    assert "العربية</a></span>)" in html
    assert "</span>\n)" not in html


# -- exports, API and open data: the same values in every language -----------------


@pytest.fixture
def translated():
    """An item, its theme and an instrument with French names, and the item last saved from a French page
    (so that the model's own column holds the French title, as modeltranslation leaves it)."""
    item = Recommendation.objects.filter(themes__isnull=False).order_by("position").first()
    theme = item.themes.first()
    theme.name_fr = "Thème en français"
    theme.save()
    with translation.override("fr"):
        item.title = "Titre en français"
        item.save()
    assert item.title_fr == "Titre en français" and item.title_en != "Titre en français"
    return item


def test_item_exports_are_the_same_in_every_language(translated):
    bodies = {}
    for language in ["en", "fr", "ar"]:
        _, csv_body = _get(pages.recommendation_export_csv, "/recommendations/export.csv", language)
        _, json_body = _get(pages.recommendation_export_json, "/recommendations/export.json", language)
        bodies[language] = (csv_body, json.loads(json_body)["items"])
    assert bodies["fr"] == bodies["en"] == bodies["ar"]
    rows = list(csv.reader(io.StringIO(bodies["fr"][0])))
    assert "Titre en français" not in bodies["fr"][0] and "Thème en français" not in bodies["fr"][0]
    assert any(translated.title_en in row for row in rows)


def test_status_export_is_the_same_in_every_language(translated):
    scope = reports.build_scope(StatusFilter(QueryDict(f"q={translated.code}&actor_kind=country")))
    exported = {}
    for language in ["en", "fr", "zh-hans"]:
        with translation.override(language):
            exported[language] = list(reports.iter_export_rows(scope))
    assert exported["en"] == exported["fr"] == exported["zh-hans"]
    titles = {row[7] for row in exported["fr"]}
    assert translated.title_en in titles and "Titre en français" not in titles
    _, body = _get(status.status_csv, f"/reports/status.csv?q={translated.code}", "fr")
    assert translated.title_en in body and "Titre en français" not in body


def test_api_values_are_the_same_in_every_language(translated, client):
    theme = translated.themes.first()
    icrmw = Instrument.objects.get(short_name="ICRMW")
    with translation.override("fr"):
        item, theme_data, instrument = (
            ItemSerializer(translated).data,
            ThemeSerializer(theme).data,
            InstrumentSerializer(icrmw).data,
        )
    assert item["title"] == translated.title_en
    assert theme_data["name"] == theme.name_en
    assert instrument["name"] == icrmw.name_en
    response = client.get(reverse("api:theme-list"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200 and "Thème en français" not in response.content.decode()


def test_open_data_is_the_same_in_every_language(translated, tmp_path):
    with translation.override("fr"):
        release = build_package(tmp_path / "fr")
    items = (release / "items.csv").read_text(encoding="utf-8")
    assert translated.title_en in items and "Titre en français" not in items
    assert "Thème en français" not in (release / "taxonomies.csv").read_text(encoding="utf-8")


# -- admin -------------------------------------------------------------------


def test_admin_change_pages_show_a_field_per_language(admin_client):
    item = Recommendation.objects.order_by("position").first()
    html = admin_client.get(reverse("admin:recommendations_recommendation_change", args=[item.pk])).content.decode()
    for code in ["en", "fr", "es", "ru", "zh_hans", "ar"]:
        assert f'name="title_{code}"' in html
    icrmw = Instrument.objects.get(short_name="ICRMW")
    html = admin_client.get(reverse("admin:recommendations_instrument_change", args=[icrmw.pk])).content.decode()
    assert 'name="name_ar"' in html and icrmw.name_ar in html
    html = admin_client.get(reverse("admin:recommendations_theme_change", args=[Theme.objects.first().pk]))
    assert 'name="name_zh_hans"' in html.content.decode()


def test_the_migration_copies_existing_titles_and_names_into_english(seeded_transactional_db):
    """0018 on a database of 0017 (the columns added, empty): each title and name lands in its English column."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("recommendations", "0017_translated_titles_and_names")],
        [("recommendations", "0018_english_translations")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldItem, OldTheme = (
            old.get_model("recommendations", "Recommendation"),
            old.get_model("recommendations", "Theme"),
        )
        OldItem.objects.update(title_en=None)
        OldTheme.objects.update(name_en=None)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    try:
        # The models as 0018 left them (the current ones have columns later migrations add).
        at_0018 = executor.loader.project_state(after).apps
        Item, Theme18 = (
            at_0018.get_model("recommendations", "Recommendation"),
            at_0018.get_model("recommendations", "Theme"),
        )
        item = Item.objects.get(code="R02")
        assert item.title_en == item.title
        assert not Item.objects.filter(title_en__isnull=True).exists()
        assert all(theme.name_en for theme in Theme18.objects.all())
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_migration_copies_the_items_editorial_wording_into_english(seeded_transactional_db):
    """0021 on a database of 0020 (the columns added, empty): each unit and note lands in its English column."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    fields = ("unit", "baseline_note", "target_note", "thresholds_source", "editorial_note")
    before, after = (
        [("recommendations", "0020_translated_editorial_wording")],
        [("recommendations", "0021_english_editorial_wording")],
    )
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)  # one plan back to 0020 (0021 with the later ones)
        old = executor.loader.project_state(before).apps.get_model("recommendations", "Recommendation")
        old.objects.update(**{f"{field}_en": None for field in fields})
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    try:
        Item = executor.loader.project_state(after).apps.get_model("recommendations", "Recommendation")
        r17 = Item.objects.get(code="R17")
        assert r17.unit_en == r17.unit == "% of amount sent"
        assert r17.thresholds_source_en == r17.thresholds_source and r17.target_note_en == r17.target_note
        assert Item.objects.get(code="R03").editorial_note_en == Item.objects.get(code="R03").editorial_note != ""
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_editors_save_names_left_untranslated_without_colliding(admin_client):
    """Names are unique: an empty translation is stored as NULL (not ""), so two themes may both lack one."""
    for theme in Theme.objects.order_by("pk")[:2]:
        url = reverse("admin:recommendations_theme_change", args=[theme.pk])
        form = admin_client.get(url).context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None}
        data["name_fr"] = ""
        response = admin_client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        theme.refresh_from_db()
        assert theme.name_fr is None and shown(theme, "name", "fr").missing


def test_a_country_page_names_it_in_the_readers_language():
    from recommendations.views import actors

    _, html = _get(actors.actor_detail, "/actors/EGY/", "ar", code="EGY")
    assert '<h1 class="h2">مصر <span' in html
    _, html = _get(actors.actor_detail, "/actors/EGY/", "en", code="EGY")
    assert '<h1 class="h2">Egypt <span' in html


def test_shown_as_a_variable_goes_inside_a_translated_sentence():
    # {% blocktranslate %} cannot call a tag: pages compute the title first ({% shown … as t %}) and pass it in.
    item = Recommendation.objects.order_by("position").first()
    item.title_fr = "Droits & <protection>"
    item.save()
    template = Template(
        '{% load i18n names %}{% shown item "title" as t %}'
        "{% blocktranslate trimmed with title=t %}On {{ title }}{% endblocktranslate %}"
    )
    with translation.override("fr"):
        assert template.render(Context({"item": item})) == "On Droits &amp; &lt;protection&gt;"
    with translation.override("es"):  # the English fallback keeps its mark (markup, not escaped text)
        html = template.render(Context({"item": item}))
    assert html.startswith(f'On <span lang="en">{item.title_en}</span> <span class="badge')

    # The timeline's heading is such a sentence, with the country's name in the reader's language too.
    from recommendations.views import actors

    _, html = _get(actors.timeline, f"/actors/EGY/{item.code}/", "fr", code="EGY", item_code=item.code)
    heading = html.split('<h1 class="h3">', 1)[1].split("</h1>", 1)[0]
    assert heading.startswith("Égypte ") and heading.endswith(
        f'<span class="code-badge">{item.code}</span> Droits &amp; &lt;protection&gt;'
    )


def test_the_pages_of_an_update_name_its_country_and_title_in_the_readers_language(client, people, make_org):
    """My updates, the review queue, the update's page, the withdrawal page, the log-progress form ("Progress of"),
    an organization's "based in", the comparison's columns: the country's name and the item's title in French."""
    from tests.factories import filed

    item = Recommendation.objects.get(code="R56")
    item.title_fr = "Titre français de R56"
    item.save()
    update = filed(user=people.reporter_a, organization=people.org_a, iso3="EGY", code="R56")
    client.force_login(people.reporter_a)
    for path in ["/fr/my/updates/", f"/fr/updates/{update.pk}/", f"/fr/updates/{update.pk}/withdraw/"]:
        html = client.get(path).content.decode()
        assert "Égypte" in html and ">Egypt<" not in html and "Egypt ·" not in html, path
    html = client.get(f"/fr/updates/{update.pk}/").content.decode()
    assert "Titre français de R56" in html.split("<h1", 1)[1].split("</h1>", 1)[0]
    html = client.get("/fr/progress/new/?item=R56&actor=EGY").content.decode()
    assert ">Égypte</a> (EGY)" in html
    client.force_login(people.reviewer)
    html = client.get("/fr/review/").content.decode()
    assert "<td>Égypte</td>" in html and "Egypt" not in html
    based = make_org("Cairo Forum", code="cairo-forum", base_country=Actor.objects.get(code="EGY"))
    html = client.get(f"/fr/actors/{based.code}/").content.decode()
    assert ">Égypte</a>" in html and ">Egypt</a>" not in html
    html = client.get("/ar/compare/?actors=EGY&actors=KEN").content.decode()
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert ">مصر</a>" in head and ">كينيا</a>" in head and "Egypt" not in head


def test_the_not_yet_translated_mark_is_sized_as_small_text_not_as_its_heading():
    """Bootstrap's .badge is .75em of its parent: inside an <h1> the mark was heading-sized. tracker.css sizes it
    in rem (small text wherever it is) and in points in print (tests/browser/test_languages.py measures both)."""
    import re
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("tracker/tracker.css")).read_text(encoding="utf-8")
    rules = re.findall(r"\.badge\.not-translated \{([^}]*)\}", css)
    assert any("font-size: .75rem" in rule for rule in rules)
    assert any("font-size: 8pt" in rule for rule in rules)  # the print stylesheet's


@pytest.mark.django_db
def test_an_item_s_who_is_where_names_countries_in_the_reader_s_language(client):
    """The item page's "Who is where" listed the countries by their English names on every page ("Armenia,
    Cambodia" in Russian), in English order; they are the reader's names, in the reader's alphabetical order."""
    import datetime

    from .factories import record

    item = Recommendation.objects.get(code="R02")
    for iso3 in ("ARM", "KHM", "DZA"):
        record(
            actor=Actor.objects.get(iso3=iso3), recommendation=item, status="signed", as_of=datetime.date(2010, 1, 1)
        )
    with translation.override("ru"):
        expected = sorted((actor_name(Actor.objects.get(iso3=c)) for c in ("ARM", "KHM", "DZA")), key=sort_key())
    response = client.get("/ru/recommendations/R02/")
    signed = {s: names for s, _label, _n, names in response.context["actors_by_status"]}["signed"]
    assert [name for _code, name in signed] == expected == ["Алжир", "Армения", "Камбоджа"]
    assert "Armenia" not in response.content.decode()
    english = client.get("/recommendations/R02/").context["actors_by_status"]
    assert [name for _c, name in {s: n for s, _l, _t, n in english}["signed"]] == [
        "Algeria",
        "Armenia",
        "Cambodia",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "first"),
    [("fr", ["Allemagne", "Espagne"]), ("ar", ["إسبانيا", "ألمانيا"]), ("en", ["Germany", "Kenya"])],
)
def test_an_item_s_who_is_where_shows_the_first_names_in_the_reader_s_order(language, first):
    """The names cut short under a status are the first in the reader's order: in French Germany and Spain
    (Allemagne, Espagne) come before Kenya, which the first two in English (Germany, Kenya) left out."""
    import datetime

    from .factories import record

    item = Recommendation.objects.get(code="R02")
    for iso3 in ("DEU", "KEN", "ESP"):
        record(
            actor=Actor.objects.get(iso3=iso3), recommendation=item, status="signed", as_of=datetime.date(2010, 1, 1)
        )
    with translation.override(language):
        scope = reports.build_scope(StatusFilter(QueryDict("item=R02")))
        groups = {s: (total, names) for s, _label, total, names in reports.actors_by_status(scope, per_status=2)}
    total, names = groups["signed"]
    assert total == 3
    assert [name for _code, name in names] == first
    no_information = groups["no_information"]
    assert no_information[0] == 192 and len(no_information[1]) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "comma"), [("", ", "), ("/ar", "، "), ("/zh-hans", "，")])
def test_an_item_s_who_is_where_separates_names_with_the_language_s_comma(client, prefix, comma):
    """The names under a status were joined by a Latin ", " on every page (Arabic writes "،", Chinese "，")."""
    import datetime

    from .factories import record

    item = Recommendation.objects.get(code="R02")
    for iso3 in ("DEU", "KEN"):
        record(
            actor=Actor.objects.get(iso3=iso3), recommendation=item, status="signed", as_of=datetime.date(2010, 1, 1)
        )
    response = client.get(f"{prefix}/recommendations/R02/")
    signed = {s: names for s, _label, _n, names in response.context["actors_by_status"]}["signed"]
    links = [
        f'<a href="/{prefix.strip("/") + "/" if prefix else ""}actors/{code}/R02/">{name}</a>' for code, name in signed
    ]
    assert comma.join(links) in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "name"), [("/zh-hans", "圣多美和普林西比"), ("/ar", "سان تومي وبرينسيبي")])
def test_the_follow_button_names_a_country_in_the_reader_s_language(client, prefix, name):
    """The follow and feed links' hidden words (read out by a screen reader) gave the English name ("Log in to
    follow Sao Tome and Principe" on a Chinese page)."""
    html = client.get(f"{prefix}/actors/STP/").content.decode()
    assert f'<span class="visually-hidden"> {name}</span>' in html
    assert "Sao Tome and Principe" not in html
