"""The public pages: list with filters, detail, source text, home, and their error handling."""

import pytest
from django.urls import reverse

from recommendations.models import Kind, Recommendation

pytestmark = pytest.mark.django_db
LIST = reverse("recommendations:list")


def codes_on(response):
    return [item.code for item in response.context["page"].object_list]


def all_codes(client, **params):
    """Every code the filtered list shows, across pages."""
    codes, page = [], 1
    while True:
        response = client.get(LIST, {**params, "page": page})
        assert response.status_code == 200, response.content[:500]
        codes += codes_on(response)
        if not response.context["page"].has_next():
            return codes
        page += 1


def test_list_shows_every_seeded_item_with_its_columns(client):
    codes = all_codes(client)
    assert sorted(codes) == sorted(Recommendation.objects.values_list("code", flat=True))
    response = client.get(LIST)
    first = Recommendation.objects.for_list().first()
    html = response.content.decode()
    assert first.code in html and first.title in html
    assert first.paragraphs_display() in html
    assert first.get_kind_display() in html
    assert first.themes.first().name in html


@pytest.mark.parametrize(
    "param, value, expected",
    [
        ("theme", "remittances", lambda qs: qs.filter(themes__slug="remittances")),
        ("kind", "ratification", lambda qs: qs.filter(kind=Kind.RATIFICATION)),
        ("addressee", "civil-society", lambda qs: qs.filter(addressees__slug="civil-society")),
        ("instrument", "ICRMW", lambda qs: qs.filter(instruments__short_name="ICRMW")),
        ("sdg", "10.c", lambda qs: qs.filter(sdg_targets__code="10.c")),
        # A section includes its subsections (IV.B.2, IV.B.3 …).
        ("section", "IV.B", lambda qs: qs.filter(section__code__startswith="IV.B")),
        ("section", "III.E", lambda qs: qs.filter(section__code="III.E")),
    ],
)
def test_each_filter_selects_exactly_the_matching_items(client, param, value, expected):
    codes = all_codes(client, **{param: value})
    wanted = sorted(expected(Recommendation.objects.all()).values_list("code", flat=True).distinct())
    assert wanted, "the filter should match something in the seed"
    assert sorted(codes) == wanted
    assert len(wanted) < Recommendation.objects.count()


def test_free_text_searches_titles_codes_and_quotations(client):
    assert all_codes(client, q="codes of conduct")  # words of the text
    by_title = all_codes(client, q="Migrant Workers Convention")
    assert "R02" in by_title
    assert all_codes(client, q="r17") == ["R17"]  # code, any case
    quoted = all_codes(client, q='"exceeded 20 per cent"')  # a phrase in quotes (unquoted: any of the words)
    assert quoted == ["R17"]


def test_filters_combine(client):
    codes = all_codes(client, kind="ratification", theme="human-rights-instruments", q="Child")
    assert codes == ["R08"]


def test_filter_echo_states_the_filters_in_words(client):
    response = client.get(LIST, {"kind": "ratification", "theme": "gender"})
    text = response.content.decode()
    assert "Kind: Ratification of an instrument" in text
    assert "Theme (editorial): Gender and migrant women" in text


@pytest.mark.parametrize(
    "params, message",
    [
        ({"theme": "no-such-theme"}, "“no-such-theme” is not one of the choices"),
        ({"kind": "wishful"}, "“wishful” is not one of the choices"),
        ({"section": "IX.Z"}, "“IX.Z” is not one of the choices"),
    ],
)
def test_invalid_filter_value_gets_a_clear_message_and_no_results(client, params, message):
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert codes_on(response) == []


@pytest.mark.parametrize(
    "page, status, message",
    [("abc", 400, "is not a page number"), ("999", 404, "There is no page 999"), ("-1", 404, "There is no page")],
)
def test_invalid_page_gets_a_clear_message(client, page, status, message):
    response = client.get(LIST, {"page": page})
    assert response.status_code == status
    assert message in response.content.decode()


def test_a_page_below_one_shows_page_one(client):
    response = client.get(LIST, {"page": "-1"})
    assert "There is no page -1; showing page 1." in response.content.decode()
    assert response.context["page"].number == 1


@pytest.mark.parametrize("page, status", [("abc", 400), ("999", 404), ("0", 404)])
def test_a_bad_page_answers_the_same_status_in_every_language(client, page, status):
    # The status once came from the message's English words: in French a missing page answered 400.
    assert client.get("/fr" + LIST, {"page": page}).status_code == status


def test_pagination_links_keep_the_filters(client):
    response = client.get(LIST, {"kind": "policy"})
    html = response.content.decode()
    assert "kind=policy&amp;page=2" in html
    assert response.context["page"].paginator.num_pages > 1


# The list's query count is pinned in tests/test_query_counts.py (with rows that differ).


def test_detail_shows_verbatim_text_paragraphs_section_and_links(client):
    item = Recommendation.objects.get(code="R02")
    response = client.get(item.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for citation in item.citations.all():
        assert citation.text in html
        assert f"#p{citation.paragraph.number}" in html
    assert item.section.title in html
    assert "ICRMW" in html
    assert "Member States" in html
    assert "editorial" in html  # SDG mapping is marked as not from the source
    # Nothing verified yet: every country is "No information" on a ratification item.
    assert response.context["summary"].by_status == [("no_information", "No information", 195)]


def test_detail_is_case_insensitive_and_unknown_code_is_a_friendly_404(client):
    assert client.get(reverse("recommendations:detail", args=["r02"])).status_code == 200
    response = client.get(reverse("recommendations:detail", args=["R999"]))
    assert response.status_code == 404
    assert "No item “R999”" in response.content.decode()


def test_source_page_shows_all_paragraphs_with_anchors_and_items(client):
    response = client.get(reverse("recommendations:source"))
    html = response.content.decode()
    assert response.status_code == 200
    for number in (1, 35, 76):
        assert f'id="p{number}"' in html
    assert "Ratification of United Nations human rights instruments" in html
    assert reverse("recommendations:detail", args=["R49"]) in html  # ¶35's code of conduct item


def test_home_links_to_list_and_source(client):
    response = client.get(reverse("recommendations:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Browse all {Recommendation.objects.count()} items" in html
    assert reverse("recommendations:source") in html


def test_pages_use_no_third_party_assets(client):
    for url in [reverse("recommendations:home"), LIST, reverse("recommendations:source")]:
        html = client.get(url).content.decode()
        assert "cdn" not in html.lower()
        # Links to the treaties and to the official UN document are links to read, not assets; the hreflang
        # alternates name this site's own pages with its address (search engines want it written out).
        links_out = html.replace('href="https://treaties', "").replace('href="https://undocs.org/', "")
        links_out = links_out.replace('href="http://testserver/', "")
        links_out = links_out.replace('href="https://documents.un.org/', "")  # the source in each UN language
        assert 'src="http' not in html and 'href="http' not in links_out
