"""An import's plan kept as plain data, so its preview and result can be shown after the worker is done.

``store(plan)`` turns an ``imports.Plan`` into JSON (every count, the first
rows to create, the rejections with their reasons, the notes);
``StoredPlan`` reads it back with the attributes the plan templates use
(``recommendations/_import_plan.html``), so the page looks the same whether
the preview ran in the request or on a worker.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from recommendations.imports import Rejection

SHOWN_ROWS = 100  # the preview lists the first 100 updates to create
KEPT_REJECTIONS = 2_000  # and the first rejections (the page shows 500); the counts are always complete
KEPT_SKIPPED = 200


def store(plan) -> dict:
    return {
        "filename": plan.filename,
        "rows": plan.rows,
        "create": len(plan.create),
        "unchanged": len(plan.unchanged),
        "skipped": len(plan.skipped),
        "rejected": len(plan.rejected),
        "rejected_rows": plan.rejected_rows,
        "notes": list(plan.notes),
        "create_rows": [
            {
                "row": u.row,
                # Its names in every language: the page is read in the reader's, whichever the worker spoke.
                "actor": {"name": u.actor.name, "other_names": u.actor.other_names or {}},
                "recommendation": {"code": u.recommendation.code},
                "status_label": str(u.status_label),
                "value": None if u.value is None else str(u.value),
                "as_of": u.as_of.isoformat(),
                "as_of_precision": u.as_of_precision,
                "organization": {"name": u.organization.name},
                "narrative": u.narrative[:200],
            }
            for u in plan.create[:SHOWN_ROWS]
        ],
        "rejections": [[r.row, r.column, r.reason] for r in plan.rejected[:KEPT_REJECTIONS]],
        "skipped_rows": [[row, why] for row, why in plan.skipped[:KEPT_SKIPPED]],
    }


class Counted:
    """The first items of a list and the length of the whole: ``|length`` and ``{% if %}`` see the whole."""

    def __init__(self, items, total: int):
        self.items, self.total = list(items), total

    def __len__(self):
        return self.total

    def __bool__(self):
        return self.total > 0

    def __iter__(self):
        return iter(self.items)

    def __getitem__(self, index):
        return self.items[index]


class StoredPlan:
    def __init__(self, data: dict):
        self.data = data or {}
        d = self.data
        self.filename = d.get("filename", "")
        self.rows = d.get("rows", 0)
        self.rejected_rows = d.get("rejected_rows", 0)
        self.notes = d.get("notes", [])
        create = [
            SimpleNamespace(
                **{
                    **row,
                    "as_of": datetime.date.fromisoformat(row["as_of"]),
                    # A number again, which the page writes with the reader's decimal sign (``plain``).
                    "value": None if row.get("value") is None else Decimal(row["value"]),
                    # (A plan stored before the names were kept has the English name only.)
                    "actor": SimpleNamespace(**{"other_names": {}, **row["actor"]}),
                    "recommendation": SimpleNamespace(**row["recommendation"]),
                    "organization": SimpleNamespace(**row["organization"]),
                }
            )
            for row in d.get("create_rows", [])
        ]
        self.create = Counted(create, d.get("create", 0))
        self.unchanged = Counted([], d.get("unchanged", 0))
        self.skipped = Counted([tuple(s) for s in d.get("skipped_rows", [])], d.get("skipped", 0))
        rejections = [Rejection(r, c, why) for r, c, why in d.get("rejections", [])]
        self.rejected = Counted(rejections, d.get("rejected", 0))

    def __bool__(self):
        return bool(self.data)

    @property
    def can_commit(self) -> bool:
        return bool(self.create) and not self.rejected
