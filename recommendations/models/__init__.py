"""Entities of the tracker, their invariants and their QuerySet verbs.

Reading order: the source document and its structure (SourceDocument,
Section, Paragraph); the taxonomies editors maintain (Theme, Addressee,
Instrument, SDGTarget); the trackable items (Recommendation and its
Citations); who is tracked (Actor); and what is tracked (ProgressUpdate, the
append-only history, and CurrentStatus, the latest counted update per
actor and item, maintained by ``services``); and the audit trail and
the record of data corrections the seed applied (DataCorrection).

Writes with side effects live in ``services``; nothing here overrides
``save()`` or listens to signals.

One file a concern: vocabulary, base, source, taxonomy, items, actors, places (where an actor
counts), progress, people, current_status, intervals, audit, import_batches. Every public name is
re-exported here: ``from recommendations.models import X``.
"""

from .actors import (
    OTHER_UN_LANGUAGES,
    Actor,
    ActorQuerySet,
    actor_code_validator,
    kind_field_errors,
    validate_other_names,
)
from .audit import (
    AuditAction,
    AuditEvent,
    DataCorrection,
)
from .base import NaturalKeyManager
from .current_status import (
    CurrentStatus,
)
from .import_batches import (
    OPEN_IMPORT_STATES,
    ImportBatch,
    ImportBatchQuerySet,
    ImportState,
)
from .intervals import (
    StatusInterval,
    StatusIntervalQuerySet,
    YearEndChange,
)
from .items import (
    THRESHOLD_FIELDS,
    Citation,
    CitationQuerySet,
    CitationRole,
    Recommendation,
    RecommendationQuerySet,
    recommendation_code_validator,
    threshold_errors,
)
from .people import (
    Membership,
    public_name,
)
from .perspectives import (
    PerspectiveInterval,
    PerspectiveStatus,
)
from .places import in_region, place_expression, place_sql
from .progress import (
    ProgressUpdate,
    ProgressUpdateQuerySet,
    as_of_heading,
    as_of_phrase,
    format_as_of,
    iso_as_of,
    sees_every_update,
    visible_to_author_q,
)
from .source import (
    Paragraph,
    Section,
    SourceDocument,
)
from .taxonomy import (
    Addressee,
    Instrument,
    SDGTarget,
    Theme,
)
from .vocabulary import (
    CONSOLIDATED_RULE,
    NO_INFORMATION,
    NO_INFORMATION_LABEL,
    PROGRESS_SCORE,
    REPORT_STATUSES,
    SCALE_NAMES,
    SCALES,
    STAGE_LABELS,
    STAGES,
    STATUS_SHORT,
    ActorKind,
    DatePrecision,
    Kind,
    OrganizationType,
    Perspective,
    ReviewState,
    Status,
    english,
    kind_of_status,
    plain_number,
    status_label,
    status_label_en,
)

__all__ = [
    "PerspectiveInterval",
    "PerspectiveStatus",
    "in_region",
    "place_expression",
    "place_sql",
    "Kind",
    "Status",
    "SCALE_NAMES",
    "SCALES",
    "NO_INFORMATION",
    "NO_INFORMATION_LABEL",
    "STATUS_SHORT",
    "PROGRESS_SCORE",
    "STAGES",
    "STAGE_LABELS",
    "REPORT_STATUSES",
    "english",
    "status_label",
    "status_label_en",
    "plain_number",
    "kind_of_status",
    "ActorKind",
    "OrganizationType",
    "CONSOLIDATED_RULE",
    "Perspective",
    "ReviewState",
    "DatePrecision",
    "NaturalKeyManager",
    "SourceDocument",
    "Section",
    "Paragraph",
    "Theme",
    "Addressee",
    "Instrument",
    "SDGTarget",
    "recommendation_code_validator",
    "RecommendationQuerySet",
    "Recommendation",
    "CitationQuerySet",
    "CitationRole",
    "Citation",
    "THRESHOLD_FIELDS",
    "threshold_errors",
    "actor_code_validator",
    "OTHER_UN_LANGUAGES",
    "kind_field_errors",
    "validate_other_names",
    "ActorQuerySet",
    "Actor",
    "sees_every_update",
    "visible_to_author_q",
    "ProgressUpdateQuerySet",
    "ProgressUpdate",
    "as_of_heading",
    "as_of_phrase",
    "format_as_of",
    "iso_as_of",
    "Membership",
    "public_name",
    "CurrentStatus",
    "StatusIntervalQuerySet",
    "StatusInterval",
    "YearEndChange",
    "AuditAction",
    "AuditEvent",
    "DataCorrection",
    "ImportState",
    "OPEN_IMPORT_STATES",
    "ImportBatchQuerySet",
    "ImportBatch",
]
