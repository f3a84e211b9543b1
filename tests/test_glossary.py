"""Issue 14.3: one page says what every status means (read from the scales' one definition); badges, legends
and the log form's scale box link to it; "—", not "0 %", where nothing is known."""

import datetime
import re

import pytest

from recommendations import glossary
from recommendations.models import SCALES, Status, status_label

from .factories import record

pytestmark = pytest.mark.django_db


def test_every_status_of_every_scale_has_plain_words_and_an_example():
    for scale in SCALES.values():
        for status in scale:
            meaning, example = glossary.MEANINGS[status]
            assert meaning and example
    assert set(glossary.MEANINGS) == set(Status)


def test_the_page_lists_each_kind_s_scale_in_order_and_no_information(client):
    response = client.get("/statuses/")
    assert response.status_code == 200
    text = response.content.decode()
    for kind, scale in SCALES.items():
        section = text[text.index(f'id="kind-{kind}"') :]
        positions = [section.index(f'id="s-{status}"') for status in scale]
        assert positions == sorted(positions)
        for status in scale:
            assert glossary.MEANINGS[status][0].replace("'", "&#x27;") in text
    assert 'id="s-no_information"' in text and "does not mean that nothing happened" in text
    assert 'id="term-item"' in text and 'id="term-country-or-organization"' in text


def test_status_badges_and_legends_link_to_the_page(client, country, item):
    kenya, ratification = country("KEN"), item("ratification")
    record(actor=kenya, recommendation=ratification, as_of=datetime.date(2015, 1, 1), status="signed")
    for path in (f"/actors/KEN/{ratification.code}/", f"/recommendations/{ratification.code}/", "/actors/KEN/"):
        text = client.get(path).content.decode()
        assert '<a class="status-badge status-signed" href="/statuses/#s-signed"' in text, path
    for path in ("/reports/", f"/reports/matrix/?item={ratification.code}", "/reports/table/"):
        assert 'href="/statuses/"' in client.get(path).content.decode(), path


def test_the_log_form_explains_the_scale(client, people, item):
    policy = item("policy")
    client.force_login(people.reporter_a)
    text = client.get(f"/progress/new/?item={policy.code}&actor=MEX").content.decode()
    box = text[text.index("The scale") :]
    for status in SCALES[policy.kind]:
        assert status_label(status) in box and str(glossary.MEANINGS[status][0]) in box
    assert f'href="/statuses/#kind-{policy.kind}"' in box


def test_the_matrix_shows_a_dash_not_zero_percent_where_nothing_is_known(client, country, item):
    ratification = item("ratification")
    record(actor=country("KEN"), recommendation=ratification, as_of=datetime.date(2015, 1, 1), status="no_action")
    text = client.get(f"/reports/matrix/?item={ratification.code}&actor=KEN,UGA").content.decode()
    rows = dict(
        re.findall(
            r'<a href="/actors/(KEN|UGA)/">.*?</th>.*?<td[^>]*>([^<]*)(?:<span[^>]*>[^<]*</span>)?</td></tr>', text
        )
    )
    assert rows == {"KEN": "0%", "UGA": "—"}
