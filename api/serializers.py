"""Serializers: they parse and present. Every rule of a write lives in recommendations/services.py."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import serializers

from languages.names import SOURCE_LANGUAGE
from opendata.schema import ACTOR_FIELDS, ITEM_FIELDS, STATUS_DESCRIPTIONS, UPDATE_FIELDS
from recommendations.models import (
    Actor,
    Addressee,
    Citation,
    DatePrecision,
    Instrument,
    Paragraph,
    Perspective,
    ProgressUpdate,
    Recommendation,
    SDGTarget,
    Section,
    Theme,
    plain_number,
)
from recommendations.reports import EXPORT_COLUMNS


def described(dictionary, *names, **more) -> dict:
    """extra_kwargs giving each field the open-data dictionary's description (one wording for both)."""
    texts = {f["name"]: f["description"] for f in dictionary}
    return {name: {"help_text": texts[name]} for name in names if name in texts} | {
        name: {"help_text": text} for name, text in more.items()
    }


class PlainDecimalField(serializers.DecimalField):
    """A decimal written as every export writes it (``plain_number``: 7.25, not 7.2500): one rule for the API,
    the CSV and JSON exports and the open data."""

    def to_representation(self, value):
        return plain_number(value) if value is not None else None


class PlainNumbers:
    """A ModelSerializer whose model decimals (values, baselines, targets, ceilings) are ``PlainDecimalField``s."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: PlainDecimalField,
    }


class SectionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Enclosing section's code."
    )

    class Meta:
        model = Section
        fields = ["code", "number", "title", "parent", "first_paragraph", "last_paragraph"]
        extra_kwargs = {
            "code": {"help_text": "Position in the source, e.g. IV.B.2."},
            "title": {"help_text": "The section's heading in the source."},
            "first_paragraph": {"help_text": "First paragraph of the section."},
            "last_paragraph": {"help_text": "Last paragraph of the section."},
        }


class ParagraphSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.code", read_only=True, help_text="Code of its section.")

    class Meta:
        model = Paragraph
        fields = ["number", "section", "text"]
        extra_kwargs = {"number": {"help_text": "Paragraph number in the source."}, "text": {"help_text": "Its text."}}


def taxonomy_meta(model, **descriptions: str) -> type:
    """A taxonomy serializer's Meta: its fields are the ones described, in that order."""
    return type(
        "Meta", (), {"model": model, "fields": list(descriptions), "extra_kwargs": described((), **descriptions)}
    )


class InEnglish:
    """Titles and names in English whatever language the request asks for (Accept-Language): the API's values
    are a contract (languages/translation.py); only labels may follow the reader's language."""

    def to_representation(self, instance):
        with translation.override(SOURCE_LANGUAGE):
            return super().to_representation(instance)


class ThemeSerializer(InEnglish, serializers.ModelSerializer):
    Meta = taxonomy_meta(
        Theme, slug="The theme's code, used in filters (theme=…).", name="Name.", description="What it covers."
    )


class AddresseeSerializer(InEnglish, serializers.ModelSerializer):
    Meta = taxonomy_meta(
        Addressee,
        slug="The addressee's code, used in filters (addressee=…).",
        name="Whom the calls name, in words.",
        applies_to="Which kind of actor answers for this addressee in reports.",
        description="Whom it means.",
    )


class InstrumentSerializer(InEnglish, serializers.ModelSerializer):
    Meta = taxonomy_meta(
        Instrument,
        short_name="The instrument's code, used in filters (instrument=…).",
        name="Official title.",
        adopting_body="The body that adopted it.",
        year="Year of adoption.",
        url="Where to read it.",
    )


class SDGTargetSerializer(serializers.ModelSerializer):
    Meta = taxonomy_meta(SDGTarget, code="SDG target number, e.g. 10.7.", title="The target's text.")


class CitationSerializer(serializers.ModelSerializer):
    paragraph = serializers.IntegerField(source="paragraph.number", read_only=True, help_text="Paragraph number.")

    class Meta:
        model = Citation
        fields = ["paragraph", "role", "text"]
        extra_kwargs = {"text": {"help_text": "The source's exact words."}}


class ItemSerializer(PlainNumbers, InEnglish, serializers.ModelSerializer):
    section = serializers.CharField(source="section.code", read_only=True, help_text="Code of its section.")
    citations = CitationSerializer(many=True, read_only=True, help_text="Verbatim quotations, in order.")
    themes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True, help_text="Editorial themes.")
    addressees = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True, help_text="Whom it names.")
    instruments = serializers.SlugRelatedField(
        slug_field="short_name", many=True, read_only=True, help_text="Instruments it concerns."
    )
    sdg_targets = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Related SDG targets (editorial)."
    )
    ratifies = serializers.SlugRelatedField(
        slug_field="short_name",
        read_only=True,
        allow_null=True,
        help_text="Ratification items: the instrument to ratify.",
    )
    scale = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="Its status scale.")

    class Meta:
        model = Recommendation
        fields = [
            "code",
            "title",
            "kind",
            "scale",
            "section",
            "citations",
            "themes",
            "addressees",
            "instruments",
            "sdg_targets",
            "ratifies",
            "title_is_editorial",
            "editorial_split",
            "editorial_note",
            "unit",
            "lower_is_better",
            "baseline",
            "target",
            "ceiling",
            "thresholds_source",
            "updated_at",
        ]
        extra_kwargs = described(
            ITEM_FIELDS, "code", "title", "kind", "title_is_editorial", "editorial_split", "editorial_note", "unit",
            "lower_is_better", "baseline", "target", "ceiling", "thresholds_source",
            updated_at="When the editors last changed the item (UTC).",
        )  # fmt: skip


class ActorSerializer(serializers.ModelSerializer):
    base_country = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="An organization's base country (ISO3)."
    )

    class Meta:
        model = Actor
        fields = [
            "code",
            "kind",
            "name",
            "iso3",
            "iso2",
            "m49",
            "region",
            "subregion",
            "intermediate_region",
            "un_status",
            "organization_type",
            "base_country",
            "website",
        ]
        extra_kwargs = described(
            ACTOR_FIELDS, "code", "kind", "name", "iso3", "iso2", "m49", "region", "subregion",
            "intermediate_region", "un_status", "organization_type", "website",
        )  # fmt: skip


class StatusRowSerializer(serializers.Serializer):
    """One pair: the columns of /reports/status.csv, with the same values."""

    def get_fields(self):
        return {name: serializers.CharField(help_text=STATUS_DESCRIPTIONS[name]) for name in EXPORT_COLUMNS}


class FilteredSerializer(serializers.Serializer):
    """What every answer to the report filters starts with."""

    filters = serializers.ListField(child=serializers.CharField(), help_text="The filters applied, in words.")
    as_of = serializers.DateField(help_text="The date of the statuses: today, or the on= snapshot date.")


class StatusPageSerializer(FilteredSerializer):
    next = serializers.CharField(allow_null=True, help_text="URL of the next page; null on the last page.")
    results = StatusRowSerializer(many=True, help_text="This page's pairs, in the order of the CSV export.")


class CountSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="A status code of the scale, or no_information.")
    label = serializers.CharField(help_text="The status in words, as the report pages show it.")
    count = serializers.IntegerField(help_text="Pairs at this status.")


class GroupCountSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Item code, theme name or region.")
    total = serializers.IntegerField(help_text="Pairs in this group, “No information” included.")
    counts = CountSerializer(many=True, help_text="Pairs per status in this group.")


class SummarySerializer(FilteredSerializer):
    total = serializers.IntegerField(help_text="Pairs in scope, “No information” included.")
    parties = serializers.IntegerField(allow_null=True, help_text="Pairs at a “party” stage of a treaty.")
    by_status = CountSerializer(many=True, help_text="Pairs per status.")
    by_item = GroupCountSerializer(many=True, help_text="Per call to action.")
    by_theme = GroupCountSerializer(many=True, help_text="Per theme.")
    by_region = GroupCountSerializer(many=True, help_text="Per region (one level below the region filter).")


class HistorySerializer(serializers.Serializer):
    years = serializers.ListField(child=serializers.IntegerField(), help_text="The years, oldest first.")
    statuses = serializers.ListField(
        child=serializers.CharField(), help_text="The statuses that occur, in the order of the scale."
    )
    series = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="For each status, how many actors stood at it at the end of each year.",
    )
    values = serializers.ListField(
        child=serializers.FloatField(allow_null=True),
        help_text="Quantitative calls: the median measured value at the end of each year (null where none); "
        "empty otherwise.",
    )


class UpdateSerializer(PlainNumbers, serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.code", read_only=True, help_text="Country or organization code.")
    item = serializers.CharField(source="recommendation.code", read_only=True, help_text="Call to action code.")
    organization = serializers.SlugRelatedField(
        source="reported_by_organization",
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="Filed on behalf of (empty for the tracker's own records).",
    )
    as_of = serializers.CharField(source="as_of_iso", read_only=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD.")
    has_evidence_file = serializers.SerializerMethodField(help_text="Whether a file is attached (see its page).")

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "actor",
            "item",
            "status",
            "as_of",
            "as_of_precision",
            "value",
            "narrative",
            "evidence_urls",
            "has_evidence_file",
            "organization",
            "historical",
            "perspective",
            "state",
            "created_at",
            "reviewed_at",
            "review_note",
            "version",
        ]
        read_only_fields = fields
        extra_kwargs = described(
            UPDATE_FIELDS, "status", "as_of_precision", "value", "narrative", "evidence_urls", "historical",
            "perspective",
            id="Identifier of the update (its page is /updates/<id>/).",
            state="Review state: pending, verified, returned or withdrawn (others than verified: your own only).",
            created_at="When it was filed (UTC).",
            reviewed_at="When it was verified or returned (UTC).",
            review_note="The reviewer's note, or why it was returned.",
            version="Its version: give it back when you edit or review it.",
        )  # fmt: skip

    def get_has_evidence_file(self, update) -> bool:
        return bool(update.evidence_file)


class UpdateFieldsSerializer(serializers.Serializer):
    """What an update says. Types only: the rules (scales, dates, evidence…) are the services'."""

    status = serializers.CharField(required=False, allow_blank=True, help_text="A status on the item's scale.")
    value = serializers.DecimalField(
        max_digits=30, decimal_places=10, required=False, allow_null=True, help_text="Quantitative items: the value."
    )
    as_of = serializers.DateField(help_text="Date the status refers to (YYYY-MM-DD).")
    as_of_precision = serializers.ChoiceField(
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="How precise the date is: day, month (only the month is known) or year.",
    )
    narrative = serializers.CharField(allow_blank=True, default="", max_length=20000, help_text="What happened.")
    evidence_urls = serializers.ListField(
        child=serializers.CharField(max_length=2000), default=list, max_length=100, help_text="Evidence links."
    )
    historical = serializers.BooleanField(default=False, help_text="A fact dated before the source document.")
    perspective = serializers.ChoiceField(
        choices=Perspective.choices,
        required=False,
        help_text="Who says so. Not given: your organization's usual perspective when filing (civil_society for "
        "an NGO), the update's own when editing.",
    )


class UpdateCreateSerializer(UpdateFieldsSerializer):
    actor = serializers.CharField(max_length=50, help_text="Country (ISO3) or organization code.")
    item = serializers.CharField(max_length=10, help_text="Call to action code, e.g. R17.")
    organization = serializers.CharField(max_length=50, help_text="Your organization's code (you file for it).")

    def _lookup(self, model, field, value, what):
        found = model.objects.filter(**{f"{field}__iexact": value.strip()}).first()
        if found is None:
            raise serializers.ValidationError(what % {"value": value})
        return found

    def validate_actor(self, value):
        return self._lookup(Actor, "code", value, _("Unknown country or organization code “%(value)s”."))

    def validate_item(self, value):
        return self._lookup(Recommendation, "code", value, _("Unknown call to action code “%(value)s”."))

    def validate_organization(self, value):
        return self._lookup(Actor, "code", value, _("Unknown organization code “%(value)s”."))


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, allow_null=True, help_text="The version you read; a newer one refuses the change (409)."
    )


class UpdateEditSerializer(UpdateFieldsSerializer, VersionSerializer):
    pass


class WithdrawSerializer(VersionSerializer):
    reason = serializers.CharField(allow_blank=True, default="", max_length=5000, help_text="Why it is withdrawn.")


class VerifySerializer(VersionSerializer):
    note = serializers.CharField(allow_blank=True, default="", max_length=5000, help_text="A note for the reporter.")
    perspective = serializers.ChoiceField(
        choices=Perspective.choices,
        required=False,
        help_text="A correction of who says so (recorded in the audit trail).",
    )


class ReturnSerializer(VersionSerializer):
    reason = serializers.CharField(allow_blank=True, default="", max_length=5000, help_text="Why it is returned.")
