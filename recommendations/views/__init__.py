"""Views, one module per area: public pages, actors, progress logging and review.

Views stay thin: querying lives in models/reports, writes in services.
"""

from .actors import actor_detail, actor_list, actor_search, timeline
from .audit import audit_log
from .imports import import_review, import_template_csv, import_template_xlsx, progress_import
from .pages import (
    glossary_page,
    healthz,
    home,
    recommendation_detail,
    recommendation_export_csv,
    recommendation_export_json,
    recommendation_list,
    source_document,
)
from .progress import (
    evidence_download,
    my_updates,
    progress_new,
    review_queue,
    update_detail,
    update_edit,
    update_review,
    update_withdraw,
)
from .status import (
    chart_png,
    chart_svg,
    history_csv,
    report_matrix,
    report_summary,
    report_table,
    status_csv,
    status_json,
    status_xlsx,
)

__all__ = [
    "chart_png",
    "chart_svg",
    "history_csv",
    "actor_detail",
    "actor_list",
    "actor_search",
    "audit_log",
    "evidence_download",
    "glossary_page",
    "healthz",
    "home",
    "import_review",
    "import_template_csv",
    "import_template_xlsx",
    "progress_import",
    "my_updates",
    "progress_new",
    "recommendation_detail",
    "recommendation_export_csv",
    "recommendation_export_json",
    "recommendation_list",
    "report_matrix",
    "report_summary",
    "report_table",
    "status_csv",
    "status_json",
    "status_xlsx",
    "review_queue",
    "source_document",
    "timeline",
    "update_detail",
    "update_edit",
    "update_review",
    "update_withdraw",
]
