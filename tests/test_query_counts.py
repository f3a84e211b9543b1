"""Every pinned page runs a fixed number of queries, however many rows it shows and however varied they are.

Each page is rendered twice: with a little data, then with much more, where its rows differ in number
and in their related objects — many reporting organizations, reporters and reviewers, one to three
evidence links, several themes and citations per item, histories of several edits — and the two
renderings must cost the same number of queries. A missing ``select_related``/``prefetch_related``
makes the larger rendering cost more (one query per row) and fails the test; so does a page whose rows
did not grow, because then the comparison would prove nothing.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations import services
from recommendations.models import (
    Actor,
    ActorKind,
    Citation,
    Membership,
    OrganizationType,
    Paragraph,
    Recommendation,
    Theme,
)

from .factories import make_items

pytestmark = pytest.mark.django_db

# (who, URL): the pages whose query count is pinned.
PAGES = [
    (None, "/"),
    (None, "/reports/?status=limited"),
    (None, "/reports/?status=limited&on=2020-06-30"),
    (None, "/reports/table/?status=limited"),
    (None, "/reports/table/?status=limited&sort=-as_of"),
    (None, "/reports/table/?status=limited&on=2020-06-30"),
    (None, "/reports/matrix/?status=limited"),
    (None, "/reports/matrix/?status=limited&sort=progress"),
    # One perspective's track (the maintained PerspectiveStatus / PerspectiveInterval rows), today and on a date.
    (None, "/reports/?status=limited&perspective=civil_society"),
    (None, "/reports/table/?status=limited&perspective=civil_society"),
    (None, "/reports/table/?status=limited&perspective=civil_society&on=2020-06-30"),
    (None, "/reports/matrix/?status=limited&perspective=civil_society"),
    (None, "/recommendations/{item}/"),
    # In another language the item page reads every actor in scope to name them in the reader's order, and the
    # report filters mark untranslated choices: neither may cost a query a row.
    (None, "/fr/recommendations/{item}/"),
    (None, "/ar/reports/table/?status=limited"),
    (None, "/actors/KEN/"),
    (None, "/actors/qc-org-0/"),
    (None, "/actors/KEN/{item}/"),
    (None, "/actors/?q=Query-count"),
    (None, "/recommendations/?q=Extra+test+item"),
    ("reviewer", "/updates/{edited}/"),
    ("reviewer", "/review/"),
    ("reporter", "/my/updates/"),
    ("staff", "/audit/"),
    ("staff", "/admin/recommendations/recommendation/?q=Extra"),
    ("staff", "/admin/recommendations/actor/?q=Query-count"),
    ("staff", "/admin/recommendations/theme/?q=QC"),
    ("staff", "/admin/recommendations/progressupdate/"),
    ("staff", "/admin/recommendations/currentstatus/"),
    ("staff", "/admin/recommendations/auditevent/"),
    ("staff", "/admin/auth/user/?q=qc-"),
]
# The report pages' own counts (SQLite and PostgreSQL alike). The region and sub-region choices of each
# report filter were three queries, one per M49 field (a page building a second filter paid twice); one now.
REPORT_QUERIES = {
    "/reports/?status=limited": 16,
    "/reports/?status=limited&on=2020-06-30": 15,
    "/reports/table/?status=limited": 15,
    "/reports/table/?status=limited&on=2020-06-30": 14,
    "/reports/matrix/?status=limited": 13,
    "/reports/?status=limited&perspective=civil_society": 16,
    "/recommendations/{item}/": 23,
}
NARRATIVE = "The ministry published the regulation in the official gazette."


class World:
    """The growing data set, and the people who look at it."""

    def __init__(self):
        self.reporter_groups = Group.objects.filter(name="Reporter")
        self.items = list(Recommendation.objects.filter(kind="policy").order_by("position")[:12])
        self.countries = list(Actor.objects.countries().order_by("pk")[:60])
        self.kenya = Actor.objects.get(iso3="KEN")
        self.reporter = self.person("qc-reporter@ngo.example", "Reporter")
        self.staff = User.objects.create_superuser("qc-staff", "qc-staff@ngo.example", "x" * 12)
        self.reviewers = []
        self.edited = None
        self.size = 0

    def person(self, name, group):
        user = User.objects.create_user(name, email=name if "@" in name else "", password="x" * 12)
        user.groups.add(Group.objects.get(name=group))
        return user

    def file(self, *, user, organization, actor, item, year, links):
        update = services.log_progress(
            actor=actor,
            recommendation=item,
            status="limited",
            as_of=datetime.date(year, 1, 1),
            narrative=NARRATIVE,
            evidence_urls=[f"https://example.org/{organization.code}/{item.code}/{n}" for n in range(links)],
            organization=organization,
            user=user,
        )
        return update

    def grow(self, count):
        """Add ``count`` organizations, each with a reporter, a reviewer, updates, an item and a theme."""
        for k in range(self.size, self.size + count):
            org = Actor.objects.create(
                kind=ActorKind.ORGANIZATION,
                code=f"qc-org-{k}",
                name=f"Query-count organization {k}",
                organization_type=OrganizationType.values[k % len(OrganizationType.values)],
                base_country=self.countries[k % len(self.countries)],
            )
            own = self.person(f"qc-reporter-{k}@ngo.example", "Reporter")
            reviewer = self.person(f"qc-reviewer-{k}", "Reviewer")
            reviewer.first_name = f"Reviewer {k}" if k % 2 else ""  # some display names, some not
            reviewer.save()
            self.reviewers.append(reviewer)
            Membership.objects.create(user=own, organization=org)
            Membership.objects.create(user=self.reporter, organization=org)
            Membership.objects.create(user=reviewer, organization=org)
            first = Actor.objects.get(code="qc-org-0")
            links = k % 3 + 1
            filed = [
                self.file(
                    user=own, organization=org, actor=self.kenya, item=self.items[0], year=2007 + k % 15, links=links
                ),
                self.file(
                    user=own, organization=org, actor=self.kenya, item=self.items[k % 12], year=2008, links=links
                ),
                self.file(user=own, organization=org, actor=first, item=self.items[k % 12], year=2009, links=links),
                self.file(
                    user=own,
                    organization=org,
                    actor=self.countries[k % 60],
                    item=self.items[(k + 3) % 12],
                    year=2010,
                    links=links,
                ),
                self.file(user=self.reporter, organization=org, actor=org, item=self.items[0], year=2011, links=links),
            ]
            for n, update in enumerate(filed):
                if n != 3 or k % 2:  # some stay pending, for the review queue
                    services.verify_update(update=update, reviewer=reviewer, expected_version=None)
            # One update goes back and forth: returned by each new reviewer, edited by its reporter.
            if self.edited is None:
                self.edited = self.file(
                    user=self.reporter, organization=org, actor=self.kenya, item=self.items[1], year=2012, links=1
                )
            returned = services.return_update(
                update=self.edited, reviewer=reviewer, expected_version=None, reason=f"Check {k}"
            )
            self.edited = services.edit_update(
                update=returned,
                user=self.reporter,
                expected_version=returned.version,
                status="limited",
                as_of=returned.as_of,
                narrative=f"{NARRATIVE} Corrected {k}.",
                evidence_urls=[f"https://example.org/edit/{k}"],
            )
            theme = Theme.objects.create(name=f"QC theme {k}", slug=f"qc-theme-{k}")
            (item,) = make_items(1, theme_count=k % 4 + 1)
            item.themes.add(theme)
            for paragraph in Paragraph.objects.filter(number__in=range(36, 36 + k % 3)):
                Citation.objects.create(recommendation=item, paragraph=paragraph, text=paragraph.text[:30])
        self.size += count


def rows(html: str) -> int:
    """What a page lists: table rows, list entries, links and statuses other than "No information"."""
    return len(re.findall(r"<tr[\s>]|<li[\s>]|<a\s|status-badge status-(?!no_information)", html))


def measure(client, world):
    who = {"reviewer": world.reviewers[0], "reporter": world.reporter, "staff": world.staff}
    found = {}
    for role, template in PAGES:
        url = template.format(item=world.items[0].code, edited=world.edited.pk)
        client.logout()
        if role:
            client.force_login(who[role])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            html = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, url
        # A statement planned with its own setting (``scope._fetch_planned_with``) sends a RESET only inside a
        # caller's transaction — this test's, never a request's (no ATOMIC_REQUESTS) — so it is not counted.
        sent = [q for q in captured.captured_queries if not q["sql"].startswith("RESET ")]
        found[template] = (len(sent), rows(html.decode()))
    return found


def test_pinned_pages_cost_the_same_queries_with_more_and_more_varied_rows(client):
    world = World()
    world.grow(1)
    small = measure(client, world)
    world.grow(40)
    large = measure(client, world)
    unchanged = [page for page in small if large[page][1] <= small[page][1]]
    assert not unchanged, f"these pages show no more rows with more data, so they prove nothing: {unchanged}"
    queries_small = {page: queries for page, (queries, _) in small.items()}
    queries_large = {page: queries for page, (queries, _) in large.items()}
    grew = {
        page: (queries_small[page], queries_large[page]) for page in small if queries_large[page] != queries_small[page]
    }
    assert not grew, f"queries (small data, large data) that depend on the rows shown: {grew}"
    pinned = {page: queries_small[page] for page in REPORT_QUERIES}
    assert pinned == REPORT_QUERIES, "a report page's queries changed: update REPORT_QUERIES if on purpose"
    assert max(queries_small.values()) <= 30, queries_small


# --- Writes: a verification touches only the rows that change -----------------------------------------------

# A verification of an update that extends a track, SAVEPOINT and RELEASE included: 17 when write_tracks
# deleted and rewrote the pair's perspective rows and update_or_create read the current status first; 16 since
# the over-time chart's rows kept per item are added to in the same transaction (one statement, both tracks).
PINNED_VERIFY_QUERIES = 16


def _verify_queries(people, *, iso3: str, history: list) -> tuple[list[str], dict]:
    """Log ``history`` [(status, year, perspective)] for ``iso3`` on R56, then verify one later civil-society
    update; returns the SQL of the verification and the pks of the pair's perspective rows before and after."""
    from recommendations.models import PerspectiveInterval, PerspectiveStatus

    from .factories import record

    actor, r56 = Actor.objects.get(iso3=iso3), Recommendation.objects.get(code="R56")
    for status, year, perspective in history:
        record(actor=actor, recommendation=r56, status=status, as_of=datetime.date(year, 1, 1), perspective=perspective)
    pending = record(
        actor=actor,
        recommendation=r56,
        status="complete",
        as_of=datetime.date(2024, 1, 1),
        verified=False,
        perspective="civil_society",
    )

    def pks():
        return {
            model.__name__: set(model.objects.filter(actor=actor, recommendation=r56).values_list("pk", flat=True))
            for model in (PerspectiveInterval, PerspectiveStatus)
        }

    before = pks()
    people.reviewer.get_all_permissions()  # cached on the user after the first verification: load it for both
    with CaptureQueriesContext(connection) as captured:
        services.verify_update(update=pending, reviewer=people.reviewer, expected_version=None)
    return [q["sql"] for q in captured.captured_queries], {"before": before, "after": pks()}


def test_a_verification_costs_the_same_queries_however_long_the_tracks_and_rewrites_nothing_unchanged(people):
    short = _verify_queries(people, iso3="KEN", history=[("limited", 2019, "civil_society")])
    long_ = _verify_queries(
        people,
        iso3="MEX",
        history=[
            ("limited", 2010, "government"),
            ("substantial", 2012, "government"),
            ("limited", 2013, "un_mechanism"),
            ("limited", 2015, "civil_society"),
            ("substantial", 2017, "civil_society"),
            ("complete", 2018, "government"),
            ("limited", 2019, "civil_society"),
        ],
    )
    assert len(short[0]) == len(long_[0]), (short[0], long_[0])

    def on_tracks(sql):
        return [q for q in sql if "perspectiveinterval" in q or "perspectivestatus" in q]

    # One read of the stored intervals; the open one closed (UPDATE), the new one inserted, the status updated.
    # (Deleting and rewriting the pair's rows took four statements and grew with its tracks.)
    for sql, rows in (short, long_):
        tracks = on_tracks(sql)
        assert [q.lstrip("(").split()[0] for q in tracks] == ["SELECT", "UPDATE", "INSERT", "UPDATE"], tracks
        # Every row there before is still there (the closed interval and the status updated in place).
        assert rows["before"]["PerspectiveInterval"] < rows["after"]["PerspectiveInterval"]
        assert rows["before"]["PerspectiveStatus"] == rows["after"]["PerspectiveStatus"]
    assert len(long_[0]) <= PINNED_VERIFY_QUERIES, long_[0]


def test_the_report_filter_form_reads_its_choices_in_plain_queries(client):
    """PostgreSQL: the filter form's lists of items, themes, sections, instruments and addressees are read by
    one plain SELECT each, not through ``QuerySet.iterator()``'s server-side cursor (DECLARE, FETCH, CLOSE)
    on every report page (``filters.base.ListedChoiceIterator``); the choices are all there."""
    if connection.vendor != "postgresql":
        pytest.skip("server-side cursors are PostgreSQL's")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/reports/?status=limited")
    assert response.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    assert not [s for s in sql if s.lstrip().upper().startswith(("DECLARE", "FETCH", "CLOSE"))], sql
    html = response.content.decode()
    for item in Recommendation.objects.all():
        assert f'value="{item.code}"' in html
    for theme in Theme.objects.all():
        assert f'value="{theme.slug}"' in html
