"""Read-side report queries. They take a ``StatusFilter`` and return plain data.

A report covers *pairs* (actor, item):

- reported pairs: a row of ``CurrentStatus`` (today), or the latest verified
  ``ProgressUpdate`` on or before a date (a snapshot from history);
- "No information" pairs: a country and an item addressed to countries, or an
  organization that reports on at least one item and an item addressed to
  organizations, with no verified update (by that date).

Both kinds are combined in SQL (``UNION ALL``), so counting, sorting and
paging happen in the database and every page runs a fixed number of queries
whatever the data size. The SQL is built from the ORM querysets the
FilterSet describes, so the filters are written once. It is assembled only
from ORM-compiled SQL (with its parameters), model table names, constants
and whitelisted ORDER BY fragments, and every value is a query parameter;
that is what the `# nosec B608` marks below vouch for.

One file a concern: scope (the pairs), summary, table, export, matrix, history, home. Every
public name is re-exported here: ``reports.build_scope(…)``.
"""

from .export import (
    EXPORT_COLUMNS,
    export_copy_sql,
    export_copy_statements,
    export_rows_sql,
    export_statements,
    iter_export_rows,
)
from .history import (
    HISTORY_COLUMNS,
    cached_history_by_year,
    history_by_year,
    iter_history_rows,
)
from .home import (
    headline_figures,
    recent_updates,
)
from .matrix import (
    MATRIX_SORTS,
    Matrix,
    count_actors,
    matrix,
    pair_statuses,
)
from .pages import PAGE_ACTORS_MAX, status_page, status_page_json
from .scope import (
    PAIR_COLUMNS,
    REGION_LEVELS,
    REGION_SQL,
    SCORE_SQL,
    STATUS_RANK_SQL,
    SUBREGION_SQL,
    Scope,
    build_scope,
    for_item,
    interval_tree_path,
    region_level,
    threshold_notes,
)
from .summary import (
    Summary,
    actors_by_status,
    disagreements,
    status_counts,
    summary,
)
from .table import (
    ACTOR_ORDERS,
    TABLE_SORTS,
    PairRow,
    count_pairs,
    table_page,
)

__all__ = [
    "disagreements",
    "PAIR_COLUMNS",
    "STATUS_RANK_SQL",
    "SCORE_SQL",
    "REGION_SQL",
    "SUBREGION_SQL",
    "REGION_LEVELS",
    "region_level",
    "Scope",
    "build_scope",
    "for_item",
    "interval_tree_path",
    "threshold_notes",
    "status_counts",
    "Summary",
    "summary",
    "actors_by_status",
    "ACTOR_ORDERS",
    "TABLE_SORTS",
    "PairRow",
    "count_pairs",
    "table_page",
    "EXPORT_COLUMNS",
    "iter_export_rows",
    "PAGE_ACTORS_MAX",
    "status_page",
    "status_page_json",
    "export_copy_sql",
    "export_copy_statements",
    "export_rows_sql",
    "export_statements",
    "MATRIX_SORTS",
    "Matrix",
    "matrix",
    "pair_statuses",
    "count_actors",
    "history_by_year",
    "cached_history_by_year",
    "HISTORY_COLUMNS",
    "iter_history_rows",
    "headline_figures",
    "recent_updates",
]
