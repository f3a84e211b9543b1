"""Who is tracked: Actor (a country or an organization)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KT
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import History
from .vocabulary import ActorKind, OrganizationType

actor_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9-]{1,49}$", "Use letters, digits and hyphens (e.g. KEN or mfa-asia)."
)


# The UN's official languages besides English, as the countries fixture keys Actor.other_names.
OTHER_UN_LANGUAGES = ("fr", "es", "ru", "zh", "ar")
# As long as an actor's English name (Actor.name).
OTHER_NAME_MAX = 200


def validate_other_names(value) -> None:
    """Actor.other_names is an object of names keyed by the other UN languages: every page in those languages
    reads a name from it (languages.names.actor_name), so anything else would break them."""
    if not isinstance(value, dict):
        raise ValidationError(
            _('Enter an object of names keyed by language code, such as {"fr": "Kenya"}, or leave it empty.'),
            code="other_names_not_object",
        )
    languages = ", ".join(OTHER_UN_LANGUAGES)
    errors = []
    for key, name in value.items():
        if key not in OTHER_UN_LANGUAGES:
            errors.append(
                ValidationError(
                    _("“%(key)s” is not one of the other UN languages; use %(languages)s."),
                    code="other_names_language",
                    params={"key": key, "languages": languages},
                )
            )
        elif not isinstance(name, str) or not name.strip() or len(name) > OTHER_NAME_MAX:
            errors.append(
                ValidationError(
                    _("The name in “%(key)s” must be text of 1 to %(max)s characters."),
                    code="other_names_value",
                    params={"key": key, "max": OTHER_NAME_MAX},
                )
            )
    if errors:
        raise ValidationError(errors)


def kind_field_errors(kind, iso3, organization_type) -> dict:
    """The fields that break the actor_kind_fields constraint (a country has an ISO3 code and no organization
    type; an organization the reverse), each with what to do: the constraint's rule, field by field."""
    errors = {}
    if kind == ActorKind.COUNTRY:
        if not iso3:
            errors["iso3"] = _("A country needs its ISO3 code.")
        if organization_type:
            errors["organization_type"] = _("Only organizations have a type; leave it empty for a country.")
    elif kind == ActorKind.ORGANIZATION:
        if iso3:
            errors["iso3"] = _("Only countries have an ISO3 code; leave it empty for an organization.")
        if not organization_type:
            errors["organization_type"] = _("Choose the organization's type.")
    return errors


class ActorQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def countries(self):
        return self.filter(kind=ActorKind.COUNTRY)

    def organizations(self):
        return self.filter(kind=ActorKind.ORGANIZATION)

    def with_codes(self, codes) -> tuple[list, list[str]]:
        """The actors with these codes, in any case (codes are unique whatever their case), in the order given:
        (actors, the codes no actor has). The one rule of reading codes people type."""
        wanted = {code.lower() for code in codes}
        found = {a.code.lower(): a for a in self.alias(code_lower=Lower("code")).filter(code_lower__in=wanted)}
        missing = [code for code in codes if code.lower() not in found]
        return [found[code] for code in dict.fromkeys(code.lower() for code in codes) if code in found], missing

    def real(self):
        """Leave out organizations generated for benchmarks."""
        return self.filter(is_synthetic=False)

    def search(self, text: str):
        """Any of the words in the name or in a country's name in the other UN languages, or as a code."""
        from ..search import matching

        names = ["name", *(KT(f"other_names__{language}") for language in OTHER_UN_LANGUAGES)]
        return matching(self, text, contains=names, exact=["code", "iso2"])

    def named(self, text: str):
        """The actors whose code or name is ``text``, case aside: ``resolve``'s exact match.

        Django's iexact: UPPER(code) = UPPER(text) OR UPPER(name) = UPPER(text) on PostgreSQL, each side served
        by an expression index on the same UPPER (Meta.indexes), so this reads two index entries instead of
        scanning every actor on every logged update."""
        return self.filter(Q(code__iexact=text) | Q(name__iexact=text))

    def named_in_other_languages(self, text: str):
        """The actors whose name in one of the other UN languages is ``text``, case aside (``resolve``'s second
        step; not on the write path's exact match, which a code or the English name answers)."""
        condition = Q()
        for language in OTHER_UN_LANGUAGES:
            condition |= Q(**{f"other_names__{language}__iexact": text})
        return self.filter(condition)

    def resolve(self, text: str, *, exact=None) -> tuple["Actor | None", list["Actor"]]:
        """Find the one actor a person meant by ``text``; else suggestions.

        Accepts a code or ISO3 in any case, an exact name (English, or a country's in another UN language),
        "Name (CODE)" as the choosers display it, or a fragment that matches exactly one name.
        ``exact``: reads the exact matches (``named``, two at most) of this queryset its own way (the post of an
        update: the ORM's statement compiled once, ``rows.read_once``).
        """
        text = text.strip()
        if not text:
            return None, []
        if text.endswith(")") and "(" in text:
            text = text.rsplit("(", 1)[1].rstrip(")").strip()
        exact = exact(text) if exact is not None else list(self.named(text)[:2])
        if len(exact) == 1:
            return exact[0], []
        # A whole name in another UN language, as written ("République-Unie de Tanzanie"), before the words: its
        # words may fit other countries too ("de" is in many French names), as the English name's may.
        whole = list(self.named_in_other_languages(text)[:2])
        if len(whole) == 1:
            return whole[0], []
        # The search's rule (any word, accents aside, names in the UN languages); countries first.
        matches = list(self.search(text).order_by("kind", "name")[:8])
        if len(matches) == 1:
            return matches[0], []
        return None, matches


class Actor(models.Model):
    """A country (UN Member or observer State) or an organization whose progress is tracked."""

    code = models.CharField(
        max_length=50,
        unique=True,
        validators=[actor_code_validator],
        help_text=_("Countries: ISO 3166-1 alpha-3. Organizations: a short slug. Used in URLs and imports."),
    )
    kind = models.CharField(max_length=20, choices=ActorKind.choices)
    name = models.CharField(max_length=200)
    # Countries: from UN OCHA's country data (hdx-python-country), never typed by hand.
    iso3 = models.CharField("ISO3", max_length=3, null=True, blank=True, unique=True)
    iso2 = models.CharField("ISO2", max_length=2, blank=True)
    m49 = models.PositiveSmallIntegerField("M49 code", null=True, blank=True)
    region = models.CharField(max_length=60, blank=True)
    subregion = models.CharField(max_length=60, blank=True)
    intermediate_region = models.CharField(max_length=60, blank=True)
    un_status = models.CharField(
        _("UN status"),
        max_length=20,
        blank=True,
        choices=[("member", _("Member State")), ("observer", _("Observer State"))],
    )
    other_names = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_other_names],
        help_text=_("Names in the other UN languages, keyed by language code."),
    )
    # Organizations.
    organization_type = models.CharField(max_length=30, choices=OrganizationType.choices, blank=True)
    base_country = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
        limit_choices_to={"kind": ActorKind.COUNTRY},
    )
    website = models.URLField(blank=True, max_length=500)
    is_synthetic = models.BooleanField(default=False, help_text=_("Generated for benchmarks; never real data."))
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()
    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("country or organization")
        verbose_name_plural = _("countries and organizations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ActorKind.COUNTRY, iso3__isnull=False, organization_type="")
                | (Q(kind=ActorKind.ORGANIZATION, iso3__isnull=True) & ~Q(organization_type="")),
                name="actor_kind_fields",
                # Actor.clean() names the fields first (kind_field_errors); this is for any other full_clean.
                violation_error_message=_(
                    "A country needs an ISO3 code and no organization type; an organization needs a type and no "
                    "ISO3 code."
                ),
            ),
            models.UniqueConstraint(
                Lower("code"),
                name="actor_code_unique_ci",
                violation_error_message=_(
                    "A country or organization already has this code in another case; codes are unique "
                    "whatever their case."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "name"]),
            # ``resolve``'s exact match, read on every logged update: ``code__iexact`` and ``name__iexact`` are
            # UPPER(…) on PostgreSQL, which neither the unique index on LOWER(code) nor a plain index serves.
            models.Index(Upper("code"), name="actor_code_upper"),
            models.Index(Upper("name"), name="actor_name_upper"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("recommendations:actor", args=[self.code])

    def clean(self):
        errors = kind_field_errors(self.kind, self.iso3, self.organization_type)
        # full_clean skips a blank field's validators when its value is empty: [] and None would pass.
        if not isinstance(self.other_names, dict):
            try:
                validate_other_names(self.other_names)
            except ValidationError as error:
                errors["other_names"] = error.messages
        if errors:
            raise ValidationError(errors)

    @property
    def is_country(self) -> bool:
        return self.kind == ActorKind.COUNTRY

    def natural_key(self):
        return (self.code,)
