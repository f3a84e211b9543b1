"""Digests in each person's language (issue 17: emails translated): the preference, how it is recorded, and
a batch that writes each recipient's digest in their own language."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from alerts import content, services
from alerts.models import Preference
from recommendations.models import Recommendation

from .factories import filed
from .test_alerts import start_clock, verify

pytestmark = pytest.mark.django_db

PERIOD = "D2030-01-01"


@pytest.fixture(autouse=True)
def _fresh_queue_snapshot():
    cache.clear()


def follower(username: str, language: str | None = None) -> User:
    user = User.objects.create_user(username, email=f"{username}@example.org", password="pw")
    services.follow(user=user, target=Recommendation.objects.get(code="R56"), language=language)
    return user


def verified_update_on_r56(people):
    start_clock()
    verify(filed(user=people.reporter_a, organization=people.org_a), people.reviewer2)
    services.collect_notifications()


def digests_of(users):
    sent = services.send_digests(pairs=[(u.pk, PERIOD) for u in users])
    assert sent == len(users)
    return {m.to[0]: m for m in mail.outbox}


def test_each_recipient_of_one_batch_gets_the_digest_in_their_language(people):
    """A French, an English and an Arabic follower in one batch: subject, text and HTML in their own language,
    the HTML's lang and dir following it, the links to the French pages under /fr/."""
    french, english, arabic = follower("fr_reader", "fr"), follower("en_reader", "en"), follower("ar_reader", "ar")
    verified_update_on_r56(people)
    with translation.override("de"):  # the worker's own language plays no part
        by_address = digests_of([french, english, arabic])

    fr, en, ar = (by_address[f"{u.username}@example.org"] for u in (french, english, arabic))
    assert en.subject == "Tracker: 1 verified update"
    assert fr.subject == "Outil de suivi\u00a0: 1 mise à jour vérifiée"  # French puts a no-break space before ":"
    assert "R56 · Mexico: first status: Limited" in en.body
    assert "R56 · Mexique : premier statut : Limité" in fr.body.replace("\u00a0", " ")  # the country's French name
    assert "first status" not in fr.body
    assert "الحالة الأولى" in ar.body and "first status" not in ar.body

    fr_html, en_html, ar_html = (m.alternatives[0][0] for m in (fr, en, ar))
    assert '<html lang="fr">' in fr_html and "Mises à jour vérifiées sur ce que vous suivez" in fr_html
    assert '<html lang="en">' in en_html and "Verified updates on what you follow" in en_html
    assert '<html lang="ar" dir="rtl">' in ar_html and "التحديثات المتحقق منها بشأن ما تتابعه" in ar_html
    assert "/fr/" in fr_html and "/fr/" not in en_html
    # What is recorded of the sent digest is its subject as sent.
    assert french.digests.get().subject == fr.subject


def test_a_person_who_never_chose_gets_english(people):
    silent = User.objects.create_user("silent", email="silent@example.org", password="pw")
    services.follow(user=silent, target=Recommendation.objects.get(code="R56"))  # no page, no language
    assert not Preference.objects.filter(user=silent).exists()
    assert content.preference(silent).language == "en"
    verified_update_on_r56(people)
    with translation.override("fr"):
        (message,) = digests_of([silent]).values()
    assert message.subject == "Tracker: 1 verified update"
    assert '<html lang="en">' in message.alternatives[0][0]


def test_a_batch_in_several_languages_costs_queries_per_language_not_per_person(people):
    """Six people in two languages cost what two people in the same two languages cost."""

    def queries(users):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            digests_of(users)
        return len([q for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))])

    few = [follower("few_fr", "fr"), follower("few_en", "en")]
    many = [follower(f"many{n}", "fr" if n % 2 else "en") for n in range(6)]
    verified_update_on_r56(people)
    mail.outbox.clear()
    assert queries(few) == queries(many)


def test_saving_the_email_settings_on_a_french_page_records_french(client, people):
    client.force_login(people.reporter_a)
    html = client.get("/fr/alerts/settings/").content.decode()
    assert 'name="language"' in html and "Langue des courriels" in html
    assert '<option value="fr" lang="fr" selected>' in html  # never saved: the page's language is offered
    response = client.post("/fr/alerts/settings/", {"frequency": "weekly", "follow_own_reports": "on"})
    assert response.status_code == 302
    assert Preference.objects.get(user=people.reporter_a).language == "fr"
    # The select wins over the page's language, and shows what was saved.
    client.post("/fr/alerts/settings/", {"frequency": "weekly", "follow_own_reports": "on", "language": "ar"})
    assert Preference.objects.get(user=people.reporter_a).language == "ar"
    assert '<option value="ar" lang="ar" selected>' in client.get("/alerts/settings/").content.decode()
    # An unknown language is refused.
    assert client.post("/alerts/settings/", {"frequency": "weekly", "language": "xx"}).status_code == 200
    assert Preference.objects.get(user=people.reporter_a).language == "ar"


def test_following_from_a_page_records_its_language(client):
    person = User.objects.create_user("reader", email="reader@example.org", password="pw")
    client.force_login(person)
    client.post(
        "/es/alerts/follow/", {"kind": "item", "key": "R02", "action": "follow", "next": "/es/recommendations/R02/"}
    )
    assert Preference.objects.get(user=person).language == "es"
