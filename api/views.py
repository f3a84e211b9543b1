"""The public REST API, /api/v1/. Views stay thin: reads come from reports and QuerySet verbs,
writes go through recommendations.services, filters are the pages' FilterSets (api/filters.py)."""

import contextlib
import datetime
import gc
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from recommendations import reports, services
from recommendations.filters import ActorFilter, RecommendationFilter, StatusFilter
from recommendations.models import (
    Actor,
    Addressee,
    Instrument,
    Paragraph,
    ProgressUpdate,
    Recommendation,
    ReviewState,
    SDGTarget,
    Section,
    Theme,
)

from . import examples as ex
from . import serializers as s
from .authentication import WriteScope
from .caching import ConditionalGetMixin
from .filters import (
    PageFilterBackend,
    decode_cursor,
    encode_cursor,
    filter_parameters,
    invalid_cursor,
    requested_page_size,
    status_filterset,
    storable_text,
)
from .language import RequestLanguageMixin
from .renderers import ExportRows, JsonObjects, StatusPageRenderer

STATUS_PAGE_SIZE = 500
STATUS_PAGE_MAX = 10000
# Namespaces an Idempotency-Key that is not itself a UUID (the submission token is a UUID, and per person).
IDEMPOTENCY_NAMESPACE = uuid.UUID("5b0f9a54-3c1e-4d0a-9a57-5e4c2f6d1b10")


class Pages(CursorPagination):
    """Cursor pagination: stable pages however the data changes between requests."""

    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"

    # A bad cursor or page size gets the status list's answer (api/filters.py), not DRF's 404 or a quiet
    # default; and a cursor's position is checked against the ordering field before it reaches a query,
    # where a forged one ("p=abc" on a number, a date that is none) would be a 500.
    def get_page_size(self, request):
        return requested_page_size(request, default=self.page_size, maximum=self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Rows per page (default {self.page_size}, at most {self.max_page_size})."
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise invalid_cursor() from None
        if cursor is not None and cursor.position is not None:
            field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
            try:
                if not storable_text(cursor.position):
                    raise ValueError
                field.to_python(cursor.position)
            except (ValidationError, ValueError, TypeError):
                raise invalid_cursor() from None
        return cursor

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        fields = answer["properties"]
        fields["next"]["description"] = "URL of the next page (a cursor); null on the last page."
        fields["previous"]["description"] = "URL of the previous page; null on the first page."
        if isinstance(schema, dict):  # (drf-spectacular also calls this with a placeholder to page an example)
            fields["results"] = {**schema, "description": "This page's rows, in a stable order."}
        return answer


def pages_by(*ordering):
    return type("Pages", (Pages,), {"ordering": ordering})


class ReadViewSet(RequestLanguageMixin, ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    """A public list (cursor pages in ``ordering``) and one object by ``lookup_field``.

    A subclass names its queryset, serializer, ordering and lookup field; ``documented`` gives its
    operations their summaries, path parameter description and examples.
    """

    filter_backends = [PageFilterBackend]
    # Any value reaches the view, so that a wrong one is the API's JSON 404, not the site's HTML page.
    lookup_value_regex = "[^/]+"
    ordering: tuple[str, ...] = ("pk",)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.pagination_class = pages_by(*cls.ordering)


def documented(plural: str, one: str, lookup: str, *examples: tuple[str, dict], **more):
    """extend_schema_view for a ReadViewSet: list and retrieve summaries, the lookup's meaning, examples."""

    def decorate(viewset):
        path = OpenApiParameter(viewset.lookup_field, OpenApiTypes.STR, OpenApiParameter.PATH, description=lookup)
        return extend_schema_view(
            list=extend_schema(summary=plural, examples=[ex.response(name, value) for name, value in examples], **more),
            retrieve=extend_schema(
                summary=one, parameters=[path], examples=[ex.response(examples[0][0], examples[0][1])]
            ),
        )(viewset)

    return decorate


@documented("Sections of the source document", "One section", "Its code, e.g. IV.B.2.", ("A sub-section", ex.SECTION))
class SectionViewSet(ReadViewSet):
    queryset = Section.objects.select_related("parent")
    serializer_class = s.SectionSerializer
    ordering = ("position", "id")
    lookup_field = "code"


@documented(
    "Paragraphs of the source document", "One paragraph", "Its number, e.g. 35.", ("Paragraph 35", ex.PARAGRAPH)
)
class ParagraphViewSet(ReadViewSet):
    queryset = Paragraph.objects.select_related("section")
    serializer_class = s.ParagraphSerializer
    ordering = ("number", "id")
    lookup_field = "number"


@documented("Themes", "One theme", "Its slug, e.g. remittances.", ("Remittances", ex.THEME))
class ThemeViewSet(ReadViewSet):
    queryset = Theme.objects.all()
    serializer_class = s.ThemeSerializer
    ordering = ("name_en", "id")  # English (languages/translation.py): the pages do not follow the language
    lookup_field = "slug"


@documented(
    "Addressees (whom the calls name)",
    "One addressee",
    "Its slug, e.g. member-states.",
    ("Member States", ex.ADDRESSEE),
)
class AddresseeViewSet(ReadViewSet):
    queryset = Addressee.objects.all()
    serializer_class = s.AddresseeSerializer
    ordering = ("name_en", "id")  # English (languages/translation.py): the pages do not follow the language
    lookup_field = "slug"


@documented("Instruments (treaties)", "One instrument", "Its short name, e.g. ICRMW.", ("The ICRMW", ex.INSTRUMENT))
class InstrumentViewSet(ReadViewSet):
    queryset = Instrument.objects.all()
    serializer_class = s.InstrumentSerializer
    ordering = ("short_name", "id")
    lookup_field = "short_name"


@documented("SDG targets", "One SDG target", "Its number, e.g. 10.c.", ("Target 10.c", ex.SDG_TARGET))
class SDGTargetViewSet(ReadViewSet):
    queryset = SDGTarget.objects.all()
    serializer_class = s.SDGTargetSerializer
    ordering = ("position", "id")
    lookup_field = "code"


@documented(
    "Calls to action",
    "One call to action, by code",
    "Its code, e.g. R17.",
    ("A quantitative call", ex.ITEM),
    ("A ratification call", ex.RATIFICATION_ITEM),
    description="Filtered with the filters of /recommendations/ (same names and values).",
    parameters=filter_parameters(RecommendationFilter),
)
class ItemViewSet(ReadViewSet):
    queryset = Recommendation.objects.for_list().prefetch_related("sdg_targets")
    serializer_class = s.ItemSerializer
    filterset_class = RecommendationFilter
    ordering = ("position", "id")
    lookup_field = "code"

    @extend_schema(
        summary="How many actors stood at each status, year by year",
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Its code, e.g. R17.")
        ],
        responses={200: s.HistorySerializer},
        examples=[ex.response("R17, 2019 to 2021", ex.HISTORY)],
    )
    @action(detail=True)
    def history(self, request, code=None):
        item = self.get_object()
        return Response(reports.history_by_year(recommendation=item))


@documented(
    "Countries and organizations",
    "One country or organization, by code",
    "An ISO3 code (GHA) or an organization's code.",
    ("A country", ex.COUNTRY),
    ("An organization", ex.ORGANIZATION),
    description="Filtered with the filters of /actors/. Countries carry ISO codes and UN M49 regions.",
    parameters=filter_parameters(ActorFilter),
)
class ActorViewSet(ReadViewSet):
    queryset = Actor.objects.select_related("base_country")
    serializer_class = s.ActorSerializer
    filterset_class = ActorFilter
    ordering = ("name", "id")
    lookup_field = "code"


STATUS_DESCRIPTION = (
    "Current statuses of (country or organization, call to action) pairs, filtered with exactly the report "
    "filters of /reports/ and /reports/status.csv: same parameter names, values, error messages, "
    "“No information” pairs and on= snapshot. The rows and their order are those of the CSV export; "
    "walk the pages with the “next” link (a cursor), which stays correct however large the result."
)


@extend_schema(
    summary="Current statuses (the report filters)",
    description=STATUS_DESCRIPTION,
    parameters=[
        *filter_parameters(StatusFilter),
        OpenApiParameter(
            "cursor", OpenApiTypes.STR, description="The position given by the previous page's next link."
        ),
        OpenApiParameter(
            "page_size",
            OpenApiTypes.INT,
            description=f"Rows per page (default {STATUS_PAGE_SIZE}, at most {STATUS_PAGE_MAX}).",
        ),
    ],
    responses={200: s.StatusPageSerializer},
    examples=[ex.response("R02 in Africa: a ratification and a “No information” pair", ex.STATUS_PAGE)],
)
class StatusListView(RequestLanguageMixin, ConditionalGetMixin, APIView):
    renderer_classes = [StatusPageRenderer]

    def dispatch(self, request, *args, **kwargs):
        with collector_paused():
            return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        filterset = status_filterset(request)
        size = requested_page_size(request, default=STATUS_PAGE_SIZE, maximum=STATUS_PAGE_MAX)
        after = decode_cursor(request.query_params.get("cursor"))
        # Every pair today, on PostgreSQL: the rows written as JSON by the database; else their values.
        page = reports.status_page_json(filterset, after=after, limit=size)
        if page is None:
            rows, last = reports.status_page(filterset, after=after, limit=size)
            results = ExportRows(rows)
        else:
            rows, last = page
            results = JsonObjects(rows)
        next_url = None
        if last is not None:
            next_url = replace_query_param(request.build_absolute_uri(), "cursor", encode_cursor(last))
        response = Response(
            {
                "filters": filterset.describe(
                    dates=datetime.date.isoformat
                ),  # machine-read: ISO 8601, as every date here
                "as_of": (filterset.snapshot_date or timezone.localdate()).isoformat(),
                "next": next_url,
                "results": results,
            }
        )
        if next_url:
            response["Link"] = f'<{next_url}>; rel="next"'
        return response


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector off while a page is built and written, then on again.

    A page of 5,000 rows allocates some 20,000 lists and tuples of strings that live until it is written
    (no cycles among them); their allocations trigger the collector over and over, and its full passes
    walk every object of the process: about a fifth of the process's CPU over a walk of 5,000-row pages
    (docs/performance.md, "API"). Reference counting still frees everything; cycles made meanwhile wait
    for the next pass.
    """
    if not gc.isenabled():  # already off (another thread's page, or the caller's choice): left as it is
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _counts(rows) -> list[dict]:
    return [{"status": st, "label": label, "count": n} for st, label, n in rows]


@extend_schema(
    summary="Counts by status, per item, theme and region (the report filters)",
    description="The figures of /reports/ for the same filters.",
    parameters=filter_parameters(StatusFilter),
    responses={200: s.SummarySerializer},
    examples=[ex.response("R02 in Africa", ex.SUMMARY)],
)
class SummaryView(RequestLanguageMixin, ConditionalGetMixin, APIView):
    def get(self, request):
        filterset = status_filterset(request)
        summary = reports.summary(reports.build_scope(filterset))
        return Response(
            {
                "filters": filterset.describe(
                    dates=datetime.date.isoformat
                ),  # machine-read: ISO 8601, as every date here
                "as_of": (filterset.snapshot_date or timezone.localdate()).isoformat(),
                "total": summary.total,
                "parties": summary.parties,
                "by_status": _counts(summary.by_status),
                "by_item": [
                    {"name": row["item"].code, "total": row["total"], "counts": _counts(row["counts"])}
                    for row in summary.by_item
                ],
                "by_theme": [
                    {"name": row["name"], "total": row["total"], "counts": _counts(row["counts"])}
                    for row in summary.by_theme
                ],
                "by_region": [
                    {"name": row["name"], "total": row["total"], "counts": _counts(row["counts"])}
                    for row in summary.by_region
                ],
            }
        )


# ---------------------------------------------------------------------------
# Updates: read what you may see; write through the services
# ---------------------------------------------------------------------------

UPDATE_FILTERS = [
    OpenApiParameter("actor", OpenApiTypes.STR, description="Country or organization code: its updates."),
    OpenApiParameter("item", OpenApiTypes.STR, description="Call to action code: its updates."),
    OpenApiParameter(
        "state", OpenApiTypes.STR, enum=ReviewState.values, description="Review state (others see verified only)."
    ),
]


def _service_error(error: ValidationError) -> exceptions.APIException:
    """A service's ValidationError as a 400 with per-field messages (a stale version: 409)."""
    if isinstance(error, services.StaleEditError):
        conflict = exceptions.APIException({"detail": error.messages[0]})
        conflict.status_code = status.HTTP_409_CONFLICT
        return conflict
    if hasattr(error, "error_dict"):
        aliases = {"reported_by_organization": "organization"}
        return exceptions.ValidationError({aliases.get(k, k): v for k, v in error.message_dict.items()})
    return exceptions.ValidationError({"detail": " ".join(error.messages)})


def _idempotency_token(request) -> uuid.UUID | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    if len(key) > 255:
        raise exceptions.ValidationError({"Idempotency-Key": [_("Keep the Idempotency-Key under 256 characters.")]})
    try:
        return uuid.UUID(key)
    except ValueError:
        return uuid.uuid5(IDEMPOTENCY_NAMESPACE, key)


UPDATE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The update's id.")
WRITE_ERRORS: dict = {}  # the error answers are added to every operation (api/schema.py)


@extend_schema_view(
    list=extend_schema(
        summary="Progress updates you may see",
        description="Verified updates for everyone; with a token, also your own pending or returned ones "
        "(and, for reviewers, all). Filter by actor and item for the history of a pair.",
        parameters=UPDATE_FILTERS,
        examples=[ex.response("A verified update", ex.VERIFIED_UPDATE), ex.response("Your pending update", ex.UPDATE)],
    ),
    retrieve=extend_schema(
        summary="One update",
        parameters=[UPDATE_ID],
        examples=[ex.response("A verified update", ex.VERIFIED_UPDATE)],
    ),
)
class UpdateViewSet(
    RequestLanguageMixin, ConditionalGetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.UpdateSerializer
    pagination_class = pages_by("-created_at", "-id")
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        queryset = ProgressUpdate.objects.visible_to(self.request.user).select_related(
            "actor", "recommendation", "reported_by_organization"
        )
        if self.action != "list":
            return queryset
        params, errors = self.request.query_params, []
        # Codes are looked up first and the updates filtered by id: joined on a code, the actor or item is hidden
        # from the planner, which then walks every update newest first for its few — at 10M benchmark updates
        # ?actor=GHA took 1.5 s, ?item=R82 120 ms, and a code no one has ran for minutes (it read them all).
        if params.get("actor"):
            actors, _missing = Actor.objects.with_codes([params["actor"]])
            queryset = queryset.filter(actor__in=actors) if actors else queryset.none()
        if params.get("item"):
            # The item's entries read in order from their own index (update_item_newest_entry).
            item_id = Recommendation.objects.filter(code__iexact=params["item"]).values_list("pk", flat=True).first()
            queryset = queryset.filter(recommendation_id=item_id) if item_id is not None else queryset.none()
        if params.get("state"):
            if params["state"] not in ReviewState.values:
                errors.append(_("state: “%(value)s” is not one of the choices.") % {"value": params["state"]})
            queryset = queryset.filter(state=params["state"])
        if errors:
            raise exceptions.ValidationError({"detail": _("Invalid filter."), "errors": errors})
        return queryset

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]  # (public: the schema documents it from this class)
        return [WriteScope()]

    def _write(self, call, *, created: bool = False):
        try:
            update = call()
        except ValidationError as error:
            raise _service_error(error) from None
        except PermissionDenied as error:
            raise exceptions.PermissionDenied(str(error) or None) from None
        return Response(s.UpdateSerializer(update).data, status=status.HTTP_201_CREATED if created else 200)

    @extend_schema(
        summary="Log an update (as the web form does)",
        description="Goes through the same service as the form: the same rules and messages. An "
        "Idempotency-Key header makes a retry return the update the first request created (200) instead "
        "of a second one.",
        request=s.UpdateCreateSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Any unique string (a UUID is best) per update you mean to create.",
            )
        ],
        responses={201: s.UpdateSerializer, 200: s.UpdateSerializer, **WRITE_ERRORS},
        examples=[
            ex.request("A policy step", ex.LOG_REQUEST),
            ex.response("Created, awaiting review", ex.UPDATE),
        ],
    )
    def create(self, request):
        data = self._valid(s.UpdateCreateSerializer, request)
        token = _idempotency_token(request)
        if token is not None:
            repeated = ProgressUpdate.objects.filter(submission_token=token, created_by=request.user).first()
            if repeated is not None:
                response = Response(s.UpdateSerializer(repeated).data, status=200)
                response["Idempotent-Replayed"] = "true"
                return response
        return self._write(
            lambda: services.log_progress(
                actor=data["actor"],
                recommendation=data["item"],
                organization=data["organization"],
                user=request.user,
                submission_token=token,
                **_fields(data),
            ),
            created=True,
        )

    def _act(self, serializer_class, service, *, person: str, text: str | None = None, extra: tuple = ()):
        """Validate the body, find the update, and call the service with it, the person, the version and
        the body's ``text`` field (a reason or note), or, for an edit, what the update says; ``extra``:
        optional fields passed on when given (a reviewer's perspective correction)."""
        data = self._valid(serializer_class, self.request)
        target = self.get_object()
        given = {text: data[text]} if text else _fields(data)
        given |= {name: data.get(name) or None for name in extra}
        return self._write(
            lambda: service(update=target, expected_version=data.get("version"), **{person: self.request.user}, **given)
        )

    @extend_schema(
        summary="Edit your own update while it awaits review (or was returned)",
        parameters=[UPDATE_ID],
        request=s.UpdateEditSerializer,
        responses={200: s.UpdateSerializer, **WRITE_ERRORS},
        examples=[
            ex.request("Move it up the scale", ex.EDIT_REQUEST),
            ex.response("Edited", ex.UPDATE | {"status": "substantial", "as_of": "2025-06", "version": 2}),
        ],
    )
    def update(self, request, pk=None):
        return self._act(s.UpdateEditSerializer, services.edit_update, person="user")

    @extend_schema(
        summary="Withdraw an update",
        parameters=[UPDATE_ID],
        request=s.WithdrawSerializer,
        responses={200: s.UpdateSerializer, **WRITE_ERRORS},
        examples=[
            ex.request("Filed twice", {"reason": "Filed twice by mistake; see update 1043.", "version": 1}),
            ex.response("Withdrawn", ex.UPDATE | {"state": "withdrawn", "version": 2}),
        ],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(s.WithdrawSerializer, services.withdraw_update, person="user", text="reason")

    @extend_schema(
        summary="Verify an update (reviewers)",
        parameters=[UPDATE_ID],
        request=s.VerifySerializer,
        responses={200: s.UpdateSerializer, **WRITE_ERRORS},
        examples=[
            ex.request("Checked", {"note": "Checked against the World Bank figure.", "version": 1}),
            ex.response("Verified", ex.VERIFIED_UPDATE),
        ],
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._act(
            s.VerifySerializer, services.verify_update, person="reviewer", text="note", extra=("perspective",)
        )

    @extend_schema(
        summary="Return an update to its reporter (reviewers)",
        parameters=[UPDATE_ID],
        request=s.ReturnSerializer,
        responses={200: s.UpdateSerializer, **WRITE_ERRORS},
        examples=[
            ex.request("Needs evidence", {"reason": "Please link the gazette notice.", "version": 1}),
            ex.response(
                "Returned",
                ex.UPDATE
                | {
                    "state": "returned",
                    "reviewed_at": "2025-03-06T10:00:00Z",
                    "review_note": "Please link the gazette notice.",
                    "version": 2,
                },
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._act(s.ReturnSerializer, services.return_update, person="reviewer", text="reason")

    @staticmethod
    def _valid(serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def _fields(data: dict) -> dict:
    return {
        "status": data.get("status") or None,
        "value": data.get("value"),
        "as_of": data["as_of"],
        "as_of_precision": data["as_of_precision"],
        "narrative": data["narrative"],
        "evidence_urls": data["evidence_urls"],
        "historical": data["historical"],
        "perspective": data.get("perspective") or None,
    }
