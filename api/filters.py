"""The API's filters are the pages' filters: an adapter from query parameters onto the FilterSets.

``StatusFilter`` (recommendations/filters.py) is the one definition of the report filters: the same names,
values, "No information" pairs, ``on=`` snapshot and error messages as /reports/ and /reports/status.csv.
A bad value is a 400 whose ``errors`` are the messages the pages show.
"""

import base64
import binascii
import json

from django.utils.translation import gettext, gettext_lazy
from django_filters import filters as django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.filters import BaseFilterBackend

from recommendations.filters import ActorFilter, RecommendationFilter, StatusFilter, status_choices
from recommendations.models import ActorKind, Kind, OrganizationType


class InvalidFilter(exceptions.ValidationError):
    default_detail = gettext_lazy("Invalid filter.")


def bad_filter(filterset) -> InvalidFilter:
    return InvalidFilter({"detail": gettext("Invalid filter."), "errors": filterset.error_messages()})


def status_filterset(request) -> StatusFilter:
    """The report FilterSet bound to the request's query, exactly as the report pages bind it."""
    filterset = StatusFilter(request.query_params or None)
    if filterset.is_bound and not filterset.is_valid():
        raise bad_filter(filterset)
    return filterset


class PageFilterBackend(BaseFilterBackend):
    """Filter a list with the view's ``filterset_class`` (one of the pages' FilterSets); 400 with its messages."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None:
            return queryset
        filterset = filterset_class(request.query_params or None, queryset=queryset)
        if filterset.is_bound and not filterset.is_valid():
            raise bad_filter(filterset)
        return filterset.qs

    def get_schema_operation_parameters(self, view):
        return []  # the views declare filter_parameters(...) with @extend_schema


# ---------------------------------------------------------------------------
# OpenAPI parameters, generated from the FilterSets so that the schema cannot drift from the filters
# ---------------------------------------------------------------------------

STATIC_CHOICES = {
    (StatusFilter, "kind"): Kind.values,
    (RecommendationFilter, "kind"): Kind.values,
    (StatusFilter, "actor_kind"): ActorKind.values,
    (ActorFilter, "kind"): ActorKind.values,
    (StatusFilter, "organization_type"): OrganizationType.values,
    (ActorFilter, "organization_type"): OrganizationType.values,
    (StatusFilter, "evidence"): ["yes", "no"],
    (RecommendationFilter, "editorial"): ["source", "editorial", "split"],
}


def _status_values() -> list[str]:
    values = []
    for _, options in status_choices():
        if isinstance(options, list):
            values += [value for value, _ in options]
    return values + ["no_information"]


def filter_parameters(filterset_class) -> list[OpenApiParameter]:
    params = []
    for name, flt in filterset_class.base_filters.items():
        label = str(flt.label or name)
        help_text = str(flt.extra.get("help_text", "") or "")
        description = f"{label}. {help_text}".strip()
        if isinstance(flt, django_filters.DateFromToRangeFilter):
            for suffix, word in (("after", "on or after"), ("before", "on or before")):
                params.append(
                    OpenApiParameter(
                        f"{name}_{suffix}", OpenApiTypes.DATE, description=f"{label}: {word} this date (YYYY-MM-DD)."
                    )
                )
            continue
        if isinstance(flt, django_filters.DateFilter):
            params.append(OpenApiParameter(name, OpenApiTypes.DATE, description=f"{description} (YYYY-MM-DD)."))
            continue
        enum = STATIC_CHOICES.get((filterset_class, name))
        if filterset_class is StatusFilter and name == "status":
            enum = _status_values()
        many = isinstance(flt, (django_filters.MultipleChoiceFilter, django_filters.ModelMultipleChoiceFilter))
        if many:
            description += " Repeat the parameter for several values."
        elif name in ("theme", "section", "instrument", "addressee", "sdg"):
            description += f" The {name}'s code (see /api/v1/{_listing(name)}/)."
        params.append(
            OpenApiParameter(
                name,
                OpenApiTypes.STR,
                description=description,
                enum=enum,
                many=many or None,
                explode=True if many else None,
            )
        )
    return params


def _listing(name: str) -> str:
    return {"sdg": "sdg-targets", "addressee": "addressees"}.get(name, f"{name}s")


# ---------------------------------------------------------------------------
# Paging: every list's cursor and page size, one answer to a bad value (a 400)
# ---------------------------------------------------------------------------


def invalid_cursor() -> exceptions.ValidationError:
    """The one answer to a cursor we did not write (the status list's and every other list's)."""
    return exceptions.ValidationError(
        {
            "detail": gettext("Invalid cursor."),
            "errors": [gettext("cursor: use the “next” link of the previous page as it is.")],
        }
    )


def requested_page_size(request, *, default: int, maximum: int) -> int:
    """The ``page_size`` parameter: ``default`` when absent; anything but a number from 1 to ``maximum`` is a 400
    (not quietly another size: a client would take a short page for the end of the list)."""
    raw = request.query_params.get("page_size")
    if raw in (None, ""):
        return default
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= maximum:
        raise exceptions.ValidationError(
            {
                "detail": gettext("Invalid page size."),
                "errors": [gettext("page_size: a number from 1 to %(max)s.") % {"max": maximum}],
            }
        )
    return size


def storable_text(value: str) -> bool:
    """Text a query can carry: UTF-8 (no lone surrogate, which JSON and percent-encoding can both express)
    and no NUL (PostgreSQL refuses it). Anything else from a cursor would fail in the database: a 500."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


# The status list's cursor: an opaque, URL-safe keyset position


def encode_cursor(position: tuple) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(position), ensure_ascii=False).encode()).decode().rstrip("=")


def decode_cursor(text: str | None) -> tuple | None:
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        name, *numbers = json.loads(raw)
        if not (isinstance(name, str) and len(numbers) in (3, 4) and all(type(v) is int for v in numbers)):
            raise ValueError
        if not storable_text(name) or not all(-(2**63) <= v < 2**63 for v in numbers):  # ids are 64-bit at most
            raise ValueError
        if len(numbers) == 4 and not 1 <= numbers[3] <= 100_000:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid_cursor() from None
    return (name, *numbers)
