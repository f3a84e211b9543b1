"""Small builders for test data on top of the seeded fixtures."""

import itertools

from recommendations.models import Citation, Kind, Paragraph, Recommendation, Section, SourceDocument, Theme

_codes = itertools.count(1)


def make_items(n: int, *, kind: str = Kind.POLICY, theme_count: int = 2) -> list[Recommendation]:
    """Create n extra policy items, each with a citation and themes, like seeded ones."""
    document = SourceDocument.objects.get()
    section = Section.objects.get(code="IV.B.3")
    paragraph = Paragraph.objects.get(number=35)
    themes = list(Theme.objects.all()[:theme_count])
    items = []
    for _ in range(n):
        item = Recommendation.objects.create(
            code=f"T{next(_codes):04d}",
            title="Extra test item",
            document=document,
            section=section,
            kind=kind,
            position=1000,
        )
        item.themes.set(themes)
        Citation.objects.create(recommendation=item, paragraph=paragraph, text=paragraph.text[:40])
        items.append(item)
    return items


NARRATIVE = "The government announced the step in its official gazette."
EVIDENCE = ["https://example.org/gazette/2020-01"]


def record(*, actor, recommendation, as_of, verified=True, **kwargs):
    """log_progress with a valid narrative and evidence; verified by default (a system record, named as such)."""
    from recommendations.services import SystemActor, log_progress

    kwargs.setdefault("narrative", NARRATIVE)
    kwargs.setdefault("evidence_urls", EVIDENCE)
    if "user" not in kwargs:
        kwargs.setdefault("system", SystemActor("test data"))
    return log_progress(actor=actor, recommendation=recommendation, as_of=as_of, verified=verified, **kwargs)


def filed(*, user, organization, iso3="MEX", code="R56", status="limited", as_of=None, **kwargs):
    """A pending update that a person filed through the service, with a valid narrative and evidence."""
    import datetime

    from recommendations.models import Actor, Recommendation
    from recommendations.services import log_progress

    kwargs.setdefault("narrative", NARRATIVE)
    kwargs.setdefault("evidence_urls", EVIDENCE)
    return log_progress(
        actor=Actor.objects.get(code=iso3),
        recommendation=Recommendation.objects.get(code=code),
        status=status,
        as_of=as_of or datetime.date(2020, 1, 1),
        organization=organization,
        user=user,
        **kwargs,
    )


def log_form_data(client, item: str, actor: str, **overrides) -> dict:
    """What the log-progress form posts for (item, actor): a valid update, with ``overrides``."""
    from django.urls import reverse

    from recommendations.models import Status

    form = client.get(reverse("recommendations:progress_new"), {"item": item, "actor": actor}).context["form"]
    data = {
        "organization": form.fields["organization"].queryset.first().pk,
        "status": Status.SIGNED if item == "R02" else Status.LIMITED,
        "as_of": "2019-03-14",
        "as_of_precision": "day",
        "narrative": NARRATIVE,
        "evidence_urls": EVIDENCE[0],
        "submission_token": str(form.initial["submission_token"]),
    }
    data.update(overrides)
    return data


def admin_item_form_data(client, item) -> dict:
    """What the admin's change form of an item posts back when nothing is changed."""
    from django.urls import reverse

    url = reverse("admin:recommendations_recommendation_change", args=[item.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    citations = list(item.citations.order_by("position", "pk"))
    data.update(
        {
            "themes": [t.pk for t in item.themes.all()],
            "addressees": [a.pk for a in item.addressees.all()],
            "instruments": [i.pk for i in item.instruments.all()],
            "sdg_targets": [t.pk for t in item.sdg_targets.all()],
            "document": item.document_id,
            "section": item.section_id,
            "citations-TOTAL_FORMS": str(len(citations)),
            "citations-INITIAL_FORMS": str(len(citations)),
            "citations-MIN_NUM_FORMS": "1",
            "citations-MAX_NUM_FORMS": "1000",
        }
    )
    for n, citation in enumerate(citations):
        data.update(
            {
                f"citations-{n}-id": citation.pk,
                f"citations-{n}-recommendation": item.pk,
                f"citations-{n}-paragraph": citation.paragraph_id,
                f"citations-{n}-text": citation.text,
                f"citations-{n}-position": citation.position,
            }
        )
    data = {k: v for k, v in data.items() if v != "" or k.startswith("citations")}
    if item.ratifies_id is None:
        data.pop("ratifies", None)
    return data
