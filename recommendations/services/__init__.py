"""Every write with side effects.

Views, the admin and management commands call these functions; none of
them writes models directly. Each function takes keyword-only arguments,
runs in one transaction and raises ``django.core.exceptions.ValidationError``
(with per-field messages where a field is to blame) before writing anything
when the input is wrong.

One file a concern: validation, writers, evidence, people, audit, progress, current_status,
import_batches, taxonomy, year_ends. Every public name is re-exported here: ``services.log_progress(…)``.
"""

# The exceptions every service raises, where callers (and tests) name them: ``services.ValidationError``.
from django.core.exceptions import PermissionDenied, ValidationError

from .audit import record_event
from .current_status import (
    intervals_from_history,
    rebuild_current_statuses,
    rebuild_status_intervals,
    rebuild_tracks,
    refresh_current_status,
    refresh_current_statuses,
    status_intervals_sql,
)
from .evidence import (
    EVIDENCE_TYPES,
    check_upload_size,
    inspect_evidence_file,
    upload_limit_mb,
)
from .import_batches import (
    IMPORT_SUFFIXES,
    ImportAlreadyDone,
    confirm_import,
    discard_import,
    preview_import,
    return_import,
    start_import,
    sweep_imports,
)
from .people import (
    ROLE_LABELS,
    ROLES,
    cached_organizations,
    check_can_file,
    invite_user,
    organizations_of,
    send_invitation,
    user_organizations,
)
from .perspectives import TREATY_DEPOSITARY_CODES, default_perspective, parse_perspective, statuses_disagree
from .progress import (
    can_review,
    check_can_withdraw,
    edit_update,
    log_progress,
    return_update,
    verify_update,
    withdraw_update,
)
from .taxonomy import merge_themes
from .validation import (
    EARLIEST_AS_OF,
    HISTORY_REASON_MAX,
    MAX_EVIDENCE_URLS,
    MAX_VALUE,
    NARRATIVE_MAX,
    NARRATIVE_MIN,
    NUL_MESSAGE,
    clean_value,
    has_nul,
    refuse_nul,
    split_links,
    unsafe_text,
    validate_progress,
)
from .writers import (
    StaleEditError,
    SystemActor,
    acting,
)
from .year_ends import compact_year_end_changes, rebuild_year_end_changes

__all__ = [
    "rebuild_tracks",
    "TREATY_DEPOSITARY_CODES",
    "default_perspective",
    "statuses_disagree",
    "parse_perspective",
    "PermissionDenied",
    "ValidationError",
    "NARRATIVE_MIN",
    "NARRATIVE_MAX",
    "MAX_EVIDENCE_URLS",
    "HISTORY_REASON_MAX",
    "EARLIEST_AS_OF",
    "MAX_VALUE",
    "has_nul",
    "NUL_MESSAGE",
    "refuse_nul",
    "split_links",
    "unsafe_text",
    "clean_value",
    "validate_progress",
    "StaleEditError",
    "SystemActor",
    "acting",
    "EVIDENCE_TYPES",
    "upload_limit_mb",
    "check_upload_size",
    "inspect_evidence_file",
    "user_organizations",
    "organizations_of",
    "cached_organizations",
    "check_can_file",
    "ROLES",
    "ROLE_LABELS",
    "invite_user",
    "send_invitation",
    "record_event",
    "refresh_current_status",
    "intervals_from_history",
    "refresh_current_statuses",
    "rebuild_current_statuses",
    "status_intervals_sql",
    "rebuild_status_intervals",
    "rebuild_year_end_changes",
    "compact_year_end_changes",
    "log_progress",
    "edit_update",
    "can_review",
    "check_can_withdraw",
    "verify_update",
    "return_update",
    "withdraw_update",
    "IMPORT_SUFFIXES",
    "ImportAlreadyDone",
    "start_import",
    "preview_import",
    "confirm_import",
    "return_import",
    "discard_import",
    "sweep_imports",
    "merge_themes",
]
