"""The read API: the same rows as /reports/status.csv for the same filters, cursor pages, the other lists."""

import base64
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.exports import guard_row
from recommendations.models import Actor, Recommendation, Status, plain_number
from recommendations.reports import EXPORT_COLUMNS

from .factories import record
from .status_samples import csv_rows, record_ratification_and_value

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATES = {"anon": "100000/min", "user": "100000/min"}


@pytest.fixture
def data(make_org, people):
    record_ratification_and_value(people)
    kenya = Actor.objects.get(iso3="KEN")
    record(
        actor=kenya,
        recommendation=Recommendation.objects.get(code="R45"),
        status=Status.LIMITED,
        as_of=datetime.date(2019, 5, 1),
        as_of_precision="month",
        organization=people.org_b,
    )
    ngo = make_org("Kenyan migrant network", code="ken-net", base_country=kenya)
    record(
        actor=ngo,
        recommendation=Recommendation.objects.get(code="R45"),
        status=Status.LIMITED,
        as_of=datetime.date(2020, 1, 1),
        organization=people.org_a,
    )


def api_rows(client, params, page_size) -> tuple[list[list[str]], int]:
    url, rows, pages = reverse("api:statuses"), [], 0
    query = {**params, "page_size": page_size}
    while url:
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        body = response.json()
        pages += 1
        assert all(list(row) == EXPORT_COLUMNS for row in body["results"])
        rows += [guard_row(row.values()) for row in body["results"]]
        url, query = body["next"], None
        if url:
            assert response["Link"] == f'<{url}>; rel="next"'
    return rows, pages


FILTERS = [
    {},  # every pair today: on PostgreSQL, the export's own statement writing JSON (status_page_json)
    {"region": "Africa"},
    {"item": ["R02", "R45"]},
    {"status": ["ratified", "limited"]},
    {"status": "no_information", "actor": "GHA,PHL", "kind": "ratification"},
    {"actor_kind": "organization"},
    {"evidence": "yes"},
    {"on": "2019-12-31", "item": "R45"},
    {"updated_after": "2019-01-01", "updated_before": "2020-12-31"},
    {"subregion": "Eastern Africa", "kind": "policy", "theme": "remittances"},
]


@pytest.mark.parametrize("params", FILTERS)
def test_status_list_is_the_csv_export_page_by_page(client, data, params):
    expected = csv_rows(client, params)[1]
    assert expected, f"the filter {params} should select some rows"
    size = max(7, len(expected) // 4)  # several pages, whatever the filter selects
    rows, pages = api_rows(client, params, page_size=size)
    assert rows == expected  # same rows, same order, same values
    assert pages == max(1, -(-len(expected) // size)) and (pages > 1 or len(expected) <= 7)


def test_whole_status_list_in_large_pages(client, data):
    expected = csv_rows(client, {"actor_kind": "country", "kind": "ratification"})[1]
    rows, pages = api_rows(client, {"actor_kind": "country", "kind": "ratification"}, page_size=5000)
    assert rows == expected and len(expected) > 195 and pages == -(-len(expected) // 5000)


def test_bad_filters_get_the_report_messages(client, data):
    params = {"status": "bogus", "actor": "XXX", "on": "2999-01-01"}
    csv_response = client.get(reverse("recommendations:status_csv"), params)
    api_response = client.get(reverse("api:statuses"), params)
    assert csv_response.status_code == api_response.status_code == 400
    errors = api_response.json()["errors"]
    assert len(errors) == 3
    assert csv_response.content.decode() == "Invalid filter: " + " ".join(errors) + "\n"
    assert any("Unknown code(s): XXX" in e for e in errors)


def test_bad_cursor_and_page_size(client, data):
    assert client.get(reverse("api:statuses"), {"cursor": "not-a-cursor"}).status_code == 400
    assert client.get(reverse("api:statuses"), {"page_size": "0"}).status_code == 400
    assert client.get(reverse("api:statuses"), {"page_size": "50000"}).status_code == 400


def _b64(text: bytes) -> str:
    return base64.urlsafe_b64encode(text).decode()


@pytest.mark.parametrize(
    ("name", "cursor"),
    [
        ("api:item-list", "cD1hYmM="),  # p=abc: not a position
        ("api:section-list", "cD1hYmM="),
        ("api:paragraph-list", "cD1hYmM="),
        ("api:sdg-target-list", "cD1hYmM="),
        ("api:item-list", "zzz"),  # not base64 (DRF's own answer was a 404)
        ("api:theme-list", _b64(b"p=a%00b")),  # a NUL: PostgreSQL refuses it
        ("api:update-list", "cD1ub3RhZGF0ZQ=="),  # p=notadate
        ("api:statuses", "WyJcdWQ4MDAiLCAxLCAyLCAzXQ"),  # JSON with a lone surrogate
        ("api:statuses", _b64(b'["a\\u0000", 1, 2, 3]')),
        ("api:statuses", "not-a-cursor"),
        ("api:statuses", _b64(b'["a", 99999999999999999999999, 2, 3]')),  # beyond any id (SQLite: an overflow)
    ],
)
def test_a_forged_cursor_is_one_400_on_every_list(client, data, name, cursor):
    answer = client.get(reverse(name), {"cursor": cursor})
    assert answer.status_code == 400, answer.content[:200]
    assert answer.json()["detail"] == "Invalid cursor."


@pytest.mark.parametrize("size", ["abc", "0", "1001"])
def test_a_bad_page_size_is_a_400_on_every_list(client, data, size):
    """The status list's rule (api/filters.py): not quietly the default page, which looks like the whole list."""
    answer = client.get(reverse("api:item-list"), {"page_size": size})
    assert answer.status_code == 400
    assert answer.json()["errors"] == ["page_size: a number from 1 to 1000."]


def test_a_position_beyond_any_number_is_an_empty_page_or_a_400(client, data):
    answer = client.get(reverse("api:item-list"), {"cursor": _b64(b"p=99999999999999999999999")})
    assert answer.status_code in (200, 400)


def test_a_real_cursor_still_pages(client, data):
    first = client.get(reverse("api:update-list"), {"page_size": 1}).json()
    assert first["next"] and client.get(first["next"]).status_code == 200


def test_status_list_describes_its_filters_and_date(client, data):
    body = client.get(reverse("api:statuses"), {"region": "Africa", "on": "2015-01-01", "page_size": 1}).json()
    assert body["filters"] == ["Region (UN M49): Africa", "Status on date: 2015-01-01"]
    assert body["as_of"] == "2015-01-01"
    # A range of latest-update dates: days, not the instants that bound them ("…23:59:59.999999+00:00").
    dated = {"updated_after": "2000-01-01", "updated_before": "2010-12-31", "page_size": 1}
    assert client.get(reverse("api:statuses"), dated).json()["filters"] == [
        "Latest update dated: 2000-01-01 to 2010-12-31"
    ]


def test_summary_counts_match_the_status_list(client, data):
    params = {"region": "Africa", "kind": "ratification"}
    body = client.get(reverse("api:summary"), params).json()
    rows = csv_rows(client, params)[1]
    assert body["total"] == len(rows)
    counted = {c["status"]: c["count"] for c in body["by_status"]}
    assert counted["ratified"] == sum(1 for r in rows if r[9] == "ratified")
    assert counted["no_information"] == sum(1 for r in rows if r[9] == "no_information")


def test_items_with_citations_and_taxonomies(client):
    body = client.get(reverse("api:item-detail", args=["R02"])).json()
    item = Recommendation.objects.get(code="R02")
    assert body["code"] == "R02" and body["kind"] == item.kind
    assert [c["paragraph"] for c in body["citations"]] == [
        c.paragraph.number for c in item.citations.order_by("position")
    ]
    assert body["ratifies"] == item.ratifies.short_name
    assert set(body["addressees"]) == set(item.addressees.values_list("slug", flat=True))


def test_item_list_uses_the_list_filters_and_pages(client):
    codes, url, params = [], reverse("api:item-list"), {"kind": "ratification", "page_size": 3}
    while url:
        body = client.get(url, params).json()
        codes += [row["code"] for row in body["results"]]
        url, params = body["next"], None
    expected = list(
        Recommendation.objects.filter(kind="ratification").order_by("position").values_list("code", flat=True)
    )
    assert codes == expected and len(expected) > 3
    bad = client.get(reverse("api:item-list"), {"kind": "nonsense"})
    assert bad.status_code == 400 and bad.json()["errors"] == ["Kind: “nonsense” is not one of the choices."]


def test_actors_with_iso_codes_and_regions(client, data):
    body = client.get(reverse("api:actor-list"), {"region": "Africa", "kind": "country", "page_size": 1000}).json()
    kenya = next(a for a in body["results"] if a["code"] == "KEN")
    assert (kenya["iso3"], kenya["iso2"], kenya["m49"], kenya["region"]) == ("KEN", "KE", 404, "Africa")
    assert all(a["region"] == "Africa" for a in body["results"])
    ngo = client.get(reverse("api:actor-detail", args=["ken-net"])).json()
    assert ngo["base_country"] == "KEN" and ngo["kind"] == "organization"


def test_sections_paragraphs_and_taxonomies(client):
    sections = client.get(reverse("api:section-list"), {"page_size": 1000}).json()["results"]
    assert any(s["code"] == "IV.B.3" for s in sections)
    paragraph = client.get(reverse("api:paragraph-detail", args=[35])).json()
    assert paragraph["number"] == 35 and paragraph["text"]
    for name in ("theme", "addressee", "instrument", "sdg-target"):
        assert client.get(reverse(f"api:{name}-list")).json()["results"]


def test_item_history_by_year(client, data):
    body = client.get(reverse("api:item-history", args=["R45"])).json()
    assert body["years"][0] == 2019 and body["series"]["limited"][0] == 1


@pytest.mark.parametrize("params", [{"status": ["ratified", "limited"]}, {"kind": "ratification", "region": "Asia"}])
def test_pages_read_in_rounds_of_a_few_actors(client, data, params, monkeypatch):
    from recommendations import reports

    expected = csv_rows(client, params)[1]
    monkeypatch.setattr(reports, "PAGE_ACTORS_MAX", 3)  # three actors a round: many rounds per page
    rows, _ = api_rows(client, params, page_size=max(2, len(expected) // 3))
    assert rows == expected


def test_page_json_is_the_encoders_own(client, data):
    """The rows written from the template are byte for byte what the JSON encoder writes for their dicts,
    hostile strings included; an indented answer (on request) falls back to the encoder."""
    import json

    from rest_framework.renderers import JSONRenderer

    from api.renderers import ExportRows, StatusPageRenderer

    rows = [[f'"\\\n\x01\u2028é<{n}>' for n in range(len(EXPORT_COLUMNS))], [str(n) for n in range(17)]]
    data = {"filters": [], "as_of": "2025-01-01", "next": None, "results": ExportRows(rows)}
    as_dicts = {**data, "results": [dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in rows]}
    assert StatusPageRenderer().render(data) == JSONRenderer().render(as_dicts)
    indented = StatusPageRenderer().render(data, "application/json; indent=2", {"indent": 2})
    assert b'\n  "results"' in indented and json.loads(indented) == json.loads(JSONRenderer().render(as_dicts))


def test_whole_list_pages_are_written_by_the_database_as_the_renderer_writes_them(
    client, make_org, people, monkeypatch
):
    """PostgreSQL: every pair today, page by page, as JSON objects written by the export's statement (resumed
    after each page's position): the bytes the template writes from ``status_page``'s values, at the same
    positions, hostile text included (quotes, backslashes, control characters, U+2028/U+2029, non-ASCII);
    the view serves them without ``status_page``. Filtered lists (and SQLite) keep ``status_page``."""
    from django.http import QueryDict

    from api import views
    from api.renderers import ExportRows, JsonObjects, StatusPageRenderer
    from recommendations import reports
    from recommendations.filters import StatusFilter

    from .test_copy_export import plant

    if connection.vendor != "postgresql":
        assert reports.status_page_json(StatusFilter(None), after=None, limit=10) is None
        pytest.skip("the database writes the JSON on PostgreSQL only")
    plant(make_org, people)
    odd = make_org(
        "Line\u2028separator\u2029, \x01 and \x1f", code="odd\u2028\\", base_country=Actor.objects.get(iso3="GHA")
    )
    record(
        actor=odd,
        recommendation=Recommendation.objects.get(code="R45"),
        status=Status.LIMITED,
        as_of=datetime.date(2020, 1, 1),
        organization=people.org_a,
    )
    head = {"filters": [], "as_of": "2025-01-01", "next": None}
    after_json = after_values = None
    pages, every = 0, []
    while True:
        objects, after_json = reports.status_page_json(StatusFilter(None), after=after_json, limit=150)
        values, after_values = reports.status_page(StatusFilter(None), after=after_values, limit=150)
        written = StatusPageRenderer().render({**head, "results": JsonObjects(objects)})
        assert written == StatusPageRenderer().render({**head, "results": ExportRows(values)})
        pages, every = pages + 1, every + objects
        assert (after_json is None) == (after_values is None)
        if after_json is None:
            break
        assert after_json == after_values[:4]
    assert pages > 3 and b"Line\\u2028separator\\u2029, \\u0001 and \\u001f" in b"".join(every)
    assert reports.status_page_json(StatusFilter(QueryDict("item=R02")), after=None, limit=10) is None

    def refused(*args, **kwargs):
        raise AssertionError("the whole list is read by status_page_json")

    monkeypatch.setattr(views.reports, "status_page", refused)
    response = client.get(reverse("api:statuses"), {"page_size": 20})
    assert response.status_code == 200 and len(response.json()["results"]) == 20


def test_status_list_pauses_the_collector_only_while_it_serves_a_page(client, data, monkeypatch):
    import gc

    from api import views

    states = []
    page = views.reports.status_page
    monkeypatch.setattr(views.reports, "status_page", lambda *a, **k: (states.append(gc.isenabled()), page(*a, **k))[1])
    assert client.get(reverse("api:statuses"), {"region": "Africa"}).status_code == 200
    assert states == [False] and gc.isenabled()
    assert client.get(reverse("api:statuses"), {"status": "bogus"}).status_code == 400 and gc.isenabled()


def test_page_query_is_planned_for_index_probes_and_only_it():
    """PostgreSQL: the pair query runs with PAGE_RANDOM_PAGE_COST; the connection's own setting is untouched."""
    from django.db import connection

    from recommendations.reports import pages

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")

    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW random_page_cost")
            return cursor.fetchone()[0]

    before = setting()
    assert pages._fetch_by_index("SELECT current_setting('random_page_cost'), %s", [1]) == [("1.1", 1)]
    assert setting() == before != "1.1"


def test_update_list_filters_by_ids_looked_up_from_the_codes(client, data):
    """``actor=``/``item=`` in any case give that actor's and item's updates; the list query filters by their ids,
    never by a join on the code (the planner then walked every update newest first: at 10M benchmark updates
    ``actor=GHA`` took 1.5 s and a code no one has read them all), and a code no one has reads no update."""
    url = reverse("api:update-list")

    def listed(query):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, query)
        assert response.status_code == 200
        updates = [q["sql"] for q in queries.captured_queries if 'FROM "recommendations_progressupdate"' in q["sql"]]
        return response.json()["results"], updates

    results, updates = listed({"actor": "ken", "item": "r45"})
    assert {(r["actor"], r["item"]) for r in results} == {("KEN", "R45")}
    (listing,) = updates
    condition = listing.split(" WHERE ", 1)[1]
    assert '"actor_id" IN' in condition and '"recommendation_id" =' in condition and "code" not in condition.lower()
    assert {r["actor"] for r in listed({"actor": "KEN-NET"})[0]} == {"ken-net"}
    for query in ({"actor": "NOPE"}, {"item": "R999"}, {"actor": "KEN", "item": "R999"}):
        assert listed(query) == ([], [])


def test_a_nul_in_an_api_address_is_a_json_400(client):
    """The address-wide NUL refusal answers the API in the API's error shape (the schema's application/json)."""
    answer = client.get("/api/v1/updates/?item=j%00")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/json"
    assert "NUL character" in answer.json()["detail"]
    assert client.get("/recommendations/?q=%00")["Content-Type"].startswith("text/plain")


def test_decimals_are_written_as_the_exports_write_them(client, data):
    """One rule (plain_number): the API's update value is 4.25 as in status.csv, not 4.2500."""
    updates = client.get(reverse("api:update-list"), {"page_size": 100}).json()["results"]
    values = {u["value"] for u in updates if u["item"] == "R17"}
    assert values == {"4.25"}
    assert "4.25" in {row["value"] for row in client.get(reverse("api:statuses"), {"item": "R17"}).json()["results"]}
    item = client.get(reverse("api:item-detail", args=["R17"])).json()
    r17 = Recommendation.objects.get(code="R17")
    for name in ("baseline", "target", "ceiling"):
        assert item[name] == (plain_number(getattr(r17, name)) or None), name
        assert item[name] is None or "." not in item[name] or not item[name].endswith("0"), (name, item[name])
