"""The rules an update's fields follow (for the form, the API and every imported row): validate_progress."""

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from languages.dates import long_date
from languages.numbers import count, measured

from ..models import Actor, ActorKind, DatePrecision, Kind, Perspective, Recommendation, Status, plain_number

NARRATIVE_MIN = 20
NARRATIVE_MAX = 5000
MAX_EVIDENCE_URLS = 10
HISTORY_REASON_MAX = 100  # django-simple-history's history_change_reason column
# No fact this tracker records predates the United Nations; an earlier date is a typing error (0001, 1812…).
EARLIEST_AS_OF = datetime.date(1945, 1, 1)
# What ProgressUpdate.value holds: 12 digits, 4 of them decimals.
MAX_VALUE = Decimal("1e8")
# Characters that cannot be stored as typed or that change how text reads without being seen: NUL and the
# other control characters (tab and line breaks are text), and the bidirectional embeddings, overrides and
# isolates of "Trojan source" attacks. Right-to-left marks (U+200E, U+200F) are ordinary text.
_UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def has_nul(value) -> bool:
    """True if text, or any text inside a list or dict (keys too), holds a NUL character.

    PostgreSQL cannot store one (SQLite can), so every path that writes text refuses it with a message
    rather than fail on one database only.
    """
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


NUL_MESSAGE = gettext_lazy("This text contains a NUL character (\\x00), which cannot be stored; remove it.")

# The names ``unsafe_text`` gives the texts it checks, in words (callers pass the key).
_TEXT_NAMES = {
    "narrative": pgettext_lazy("text field", "narrative"),
    "link": pgettext_lazy("text field", "link"),
    "source": pgettext_lazy("text field", "source"),
    "reason": pgettext_lazy("text field", "reason"),
}


def refuse_nul(**texts) -> None:
    """Raise a ValidationError naming each field whose text holds a NUL character."""
    errors = {field: [NUL_MESSAGE] for field, text in texts.items() if has_nul(text)}
    if errors:
        raise ValidationError(errors)


def unsafe_text(text: str, what: str) -> str | None:
    """Why ``text`` cannot be stored as typed (a control or text-direction character), or None."""
    match = _UNSAFE_CHARACTERS.search(text or "")
    if match is None:
        return None
    character = match.group()
    names = {"what": _TEXT_NAMES.get(what, what), "code": f"U+{ord(character):04X}"}
    if character == "\x00":
        # The one wording of a NUL wherever it is refused: a form's field (forms.py), ``refuse_nul``, here.
        return str(NUL_MESSAGE)
    if "\u202a" <= character <= "\u202e" or "\u2066" <= character <= "\u2069":
        return (
            _(
                "The %(what)s contains an invisible text-direction control character (%(code)s), "
                "which makes text read differently from how it is stored; remove it."
            )
            % names
        )
    return _("The %(what)s contains a control character (%(code)s); remove it.") % names


def clean_value(value) -> Decimal | None:
    """A measured value as a finite Decimal that fits the database, or a ValidationError keyed ``value``."""
    if value is None or value == "":
        return None
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError({"value": [_("“%(value)s” is not a number.") % {"value": value}]}) from None
    if not value.is_finite():
        raise ValidationError({"value": [_("The value must be a finite number.")]})
    if abs(value) >= MAX_VALUE:
        raise ValidationError(
            {"value": [_("The value is too large: it must be below %(max)s.") % {"max": f"{MAX_VALUE:,.0f}"}]}
        )
    return value


def perspective_refusal() -> str:
    """What a perspective that is not one of ``Perspective`` gets: the form's, the import's, a review's."""
    return _("Choose who says so: one of %(labels)s.") % {"labels": ", ".join(str(p.label) for p in Perspective)}


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


# Between two links: white space (a new line, a space), or a comma or semicolon before white space, the end or
# the next link's scheme. A comma or semicolon inside a link ("?ids=1,2") is part of it.
_LINK_SEPARATOR = re.compile(r"\s+|[,;]+(?=\s|$|https?://)", re.IGNORECASE)


def split_links(text: str) -> list[str]:
    """Evidence links as people write them in one box or one spreadsheet cell: one per line, or separated by
    spaces, commas or semicolons. The form and the import read them with this one rule."""
    return [link for link in _LINK_SEPARATOR.split(text or "") if link]


def clean_urls(evidence_urls: Iterable[str]) -> list[str]:
    """Evidence links as stored: stripped, empty ones left out."""
    return [url.strip() for url in evidence_urls if url and url.strip()]


def validate_progress(
    *,
    actor: Actor,
    recommendation: Recommendation,
    as_of: datetime.date,
    status: str | None = None,
    value=None,
    as_of_precision: str = DatePrecision.DAY,
    narrative: str | None = "",
    evidence_urls: Iterable[str] = (),
    has_file: bool = False,
    organization: Actor | None = None,
    historical: bool = False,
    perspective: str | None = None,
) -> tuple[str, Decimal | None]:
    """Check an update without writing it; return the status it will carry and its value as a Decimal.

    The one validation of an update's fields: ``log_progress`` and ``edit_update`` call it before writing,
    the form to report every problem at once, the import for every new row. The status is derived from the
    value on a quantitative item. ``narrative=None`` skips the narrative rules (bulk loaders of
    well-sourced facts such as treaty records carry no narrative). ``perspective=None``: not stated (the
    default applies).
    """
    evidence_urls = clean_urls(evidence_urls)
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    if recommendation.kind == Kind.RATIFICATION and actor.kind != ActorKind.COUNTRY:
        error("actor", _("Only a country can sign, ratify or accede to an instrument; choose a country."))

    value = clean_value(value)

    if recommendation.kind == Kind.QUANTITATIVE:
        if value is None:
            error(
                "value",
                _("Enter the measured value (%(unit)s) for this quantitative item.") % {"unit": recommendation.unit},
            )
        elif value < 0:
            error("value", _("The value cannot be negative."))
        else:
            derived = recommendation.status_for_value(value)
            if status not in (None, "", derived):
                error(
                    "status",
                    _(
                        "On this item the status follows from the value: %(value)s %(unit)s "
                        "is “%(derived)s”, not “%(given)s”."
                    )
                    % {
                        "value": measured(plain_number(value)),
                        "unit": recommendation.unit,
                        "derived": Status(derived).label,
                        "given": _status_label(status),
                    },
                )
            status = derived
    else:
        if value is not None:
            error("value", _("Only quantitative items take a measured value."))
        if not status:
            error("status", _("Choose a status."))
        elif status not in recommendation.scale:
            labels = ", ".join(str(Status(s).label) for s in recommendation.scale)
            error(
                "status",
                _("“%(status)s” is not on this item's scale. Choose one of: %(labels)s.")
                % {"status": _status_label(status), "labels": labels},
            )

    if recommendation.kind == Kind.QUANTITATIVE and value is not None and value >= 0:
        low, high = recommendation.value_min, recommendation.value_max
        if (low is not None and value < low) or (high is not None and value > high):
            error(
                "value",
                _("The value must be between %(low)s and %(high)s %(unit)s.")
                % {
                    "low": measured(plain_number(low)),
                    "high": measured(plain_number(high)),
                    "unit": recommendation.unit,
                },
            )

    if as_of_precision not in DatePrecision.values:
        error("as_of_precision", _("Precision must be day, month or year."))
    if as_of > timezone.localdate():
        error("as_of", _("The as-of date cannot be in the future."))
    elif as_of < EARLIEST_AS_OF:
        error(
            "as_of",
            _("The as-of date cannot be before 1945 (you gave %(year)s); check the year.") % {"year": f"{as_of:%Y}"},
        )
    elif as_of < recommendation.document.date and not historical:
        error(
            "as_of",
            _(
                "The as-of date is before the source document (%(date)s); "
                "tick “historical” if you are recording an earlier fact."
            )
            % {"date": long_date(recommendation.document.date)},
        )

    if narrative is not None:
        length = len(narrative.strip())
        if length < NARRATIVE_MIN:
            error(
                "narrative",
                _("Describe the progress in at least %(min)s characters (you wrote %(length)s).")
                % {"min": NARRATIVE_MIN, "length": length},
            )
        elif length > NARRATIVE_MAX:
            error(
                "narrative",
                _("Keep the narrative to at most %(max)s characters (you wrote %(length)s).")
                % {"max": count(NARRATIVE_MAX), "length": count(length)},
            )
        elif problem := unsafe_text(narrative, "narrative"):
            error("narrative", problem)

    if not evidence_urls and not has_file:
        error("evidence_urls", _("Give at least one evidence link (or attach a file)."))
    elif len(evidence_urls) > MAX_EVIDENCE_URLS:
        error("evidence_urls", _("Give at most %(max)s evidence links.") % {"max": MAX_EVIDENCE_URLS})
    validate_url = URLValidator(schemes=["http", "https"])
    for url in evidence_urls:
        try:
            if unsafe_text(url, "link"):
                raise ValidationError("control character")
            validate_url(url)
        except ValidationError:
            shown = _UNSAFE_CHARACTERS.sub("\N{REPLACEMENT CHARACTER}", url)
            error(
                "evidence_urls",
                _("“%(url)s” is not a web address (it must start with http:// or https://).") % {"url": shown},
            )

    if perspective is not None and perspective not in Perspective.values:
        error("perspective", perspective_refusal())

    if organization is not None and organization.kind != ActorKind.ORGANIZATION:
        error("reported_by_organization", _("Updates are filed on behalf of an organization, not a country."))

    if errors:
        raise ValidationError(errors)
    return status, value
