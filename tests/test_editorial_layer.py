"""The editorial layer is marked wherever items appear: item pages, list filters, reports, forms and exports."""

import csv
import io
import json
import re

import openpyxl
import pytest
from django.urls import reverse

from recommendations.models import Recommendation

pytestmark = pytest.mark.django_db
LIST = reverse("recommendations:list")
SDG_10C = "These thresholds come from SDG target 10.c (2015), not from the 2006 source."


def page(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200, url
    return response.content.decode()


def section(html: str, css_class: str) -> str:
    """The HTML of the first <section> or <blockquote> with this class."""
    match = re.search(rf'<(section|blockquote) class="[^"]*\b{css_class}\b[^"]*".*?</\1>', html, re.S)
    assert match, css_class
    return match.group(0)


def test_item_page_keeps_the_source_apart_from_the_editorial_layer(client):
    r03 = Recommendation.objects.get(code="R03")
    html = page(client, r03.get_absolute_url())
    source, editorial = section(html, "source-layer"), section(html, "editorial-layer")
    assert "What the source says" in source
    # The calls, then ¶23 as context, visibly apart.
    assert "Member States were urged to ratify all the core human rights instruments" in source
    context = section(source, "quote-context")
    assert "seven core human rights instruments" in context and "Context" in context
    # The editorial layer: split, note, themes and SDG targets — none of it in the source section.
    assert "Editorial split" in editorial
    assert r03.editorial_note in editorial
    assert "Related SDG targets" in editorial and "10.3" in editorial
    assert "Integration and non-discrimination" in editorial
    assert r03.editorial_note not in source and "Related SDG targets" not in source
    assert "editorial split" in html.split('<div class="row g-4">')[0]  # the badge by the title


def test_an_item_in_the_sources_words_says_so_and_has_no_context_section(client):
    html = page(client, Recommendation.objects.get(code="R02").get_absolute_url())
    assert "In the words of the quotations." in section(html, "editorial-layer")
    assert "quote-context" not in html and "editorial split" not in html


def test_r17_page_marks_its_question_as_context_and_names_sdg_10c_next_to_its_statuses(client):
    html = page(client, Recommendation.objects.get(code="R17").get_absolute_url())
    assert "One participant inquired whether the High-level Dialogue" in section(html, "quote-context")
    assert html.count(SDG_10C) >= 2  # by the target and by the progress legend
    assert "From SDG target 10.c (2015), not from the source." in section(html, "editorial-layer")


def test_list_filters_and_rows_say_what_is_editorial(client):
    html = page(client, LIST)
    assert "Related SDG target (editorial)" in html and "Theme (editorial)" in html
    splits = page(client, LIST, {"editorial": "split"})
    codes = set(re.findall(r'<td class="code-badge">(R\d+)</td>', splits))
    assert codes == set(Recommendation.objects.filter(editorial_split=True).values_list("code", flat=True))
    assert codes == {"R03", "R04", "R05", "R07", "R08", "R91"}
    assert splits.count("editorial split</span>") == len(codes)
    assert "¶10, ¶29 (context: ¶23)" in splits  # the paragraphs that make the call, then the context
    source_words = page(client, LIST, {"editorial": "source", "kind": "ratification"})
    assert set(re.findall(r'<td class="code-badge">(R\d+)</td>', source_words)) == {"R02", "R06", "R09", "R10"}


def test_the_progress_form_says_where_the_thresholds_come_from(client, people):
    client.force_login(people.reporter_a)
    form = client.get(reverse("recommendations:progress_new"), {"item": "R17", "actor": "PHL"}).context["form"]
    assert SDG_10C in form.fields["value"].help_text
    assert "Target met: at or below 3 % of amount sent" in form.fields["value"].help_text


@pytest.mark.parametrize("name", ["report_summary", "report_matrix"])
def test_report_legends_say_where_the_thresholds_come_from_when_r17_is_in_scope(client, name):
    url = reverse(f"recommendations:{name}")
    assert SDG_10C in page(client, url)
    assert SDG_10C not in page(client, url, {"kind": "policy"})


def test_status_exports_carry_the_editorial_layer_and_the_thresholds_in_their_metadata(client):
    def status_json(**params):
        response = client.get(reverse("recommendations:status_json"), params)
        return json.loads(b"".join(response.streaming_content))["editorial_layer"]

    layer = status_json()
    assert "not by the General Assembly" in layer["editorial"]
    assert any(SDG_10C in note for note in layer["automatic_statuses"])
    assert status_json(kind="policy")["automatic_statuses"] == []
    response = client.get(reverse("recommendations:status_xlsx"), {"item": "R17"})
    about = dict(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["about"].values)
    assert SDG_10C in about["Automatic statuses"] and "editors" in about["Editorial layer"]


def test_item_csv_flags_editorial_splits_context_quotations_and_sdg_links(client):
    response = client.get(reverse("recommendations:export_csv"), {"q": "R03"})
    (row,) = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    r03 = Recommendation.objects.get(code="R03")
    assert (row["title_is_editorial"], row["editorial_split"]) == ("true", "true")
    assert row["editorial_note"] == r03.editorial_note
    assert row["context_paragraphs"] == "23" and row["paragraphs"] == "10; 23; 29"
    assert row["sdg_targets"] == "10.3"


def test_item_json_keeps_the_quotations_and_the_editorial_layer_apart(client):
    body = client.get(reverse("recommendations:export_json"), {"theme": "remittances"}).json()
    assert "not by the General Assembly" in body["editorial_layer"]["editorial"]
    assert body["count"] == Recommendation.objects.filter(themes__slug="remittances").count()
    r17 = next(i for i in body["items"] if i["code"] == "R17")
    assert {c["paragraph"]: c["role"] for c in r17["citations"]}[57] == "context"
    assert r17["editorial"]["title"] == "Lower the cost of transferring remittances"
    assert SDG_10C in r17["editorial"]["thresholds"]
    assert body["editorial_layer"]["automatic_statuses"] == [r17["editorial"]["thresholds"]]
    bad = client.get(reverse("recommendations:export_json"), {"kind": "nope"})
    assert bad.status_code == 400
