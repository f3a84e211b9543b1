"""django-filter FilterSets, shared by the HTML pages and their exports.

Filter values in URLs are natural keys (theme slug, section code, instrument
short name), never database ids, so a filtered URL is readable, shareable
and survives a database rebuild.

One file a concern: base, items, actors, review, status, audit. Every public name is
re-exported here.
"""

from ..models.places import in_region
from .actors import ActorFilter
from .audit import AuditFilter
from .base import (
    EDITORIAL_THEME_LABEL,
    SEARCH_MAX,
    ExplainedFilterSet,
    style_form,
)
from .items import RecommendationFilter
from .review import (
    AGE_CHOICES,
    ReviewQueueFilter,
    review_queue_filter,
)
from .status import (
    CodeListField,
    CodeListFilter,
    StatusFilter,
    region_choices,
    region_options,
    status_choices,
)

__all__ = [
    "SEARCH_MAX",
    "EDITORIAL_THEME_LABEL",
    "style_form",
    "ExplainedFilterSet",
    "RecommendationFilter",
    "ActorFilter",
    "AGE_CHOICES",
    "ReviewQueueFilter",
    "review_queue_filter",
    "CodeListField",
    "CodeListFilter",
    "status_choices",
    "region_choices",
    "region_options",
    "in_region",
    "StatusFilter",
    "AuditFilter",
]
