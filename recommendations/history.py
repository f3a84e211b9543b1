"""What changed between two versions of a progress update, for its history (read-only, plain data)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from .models import format_as_of, plain_number, status_label


def _status(record) -> str:
    return status_label(record.status) if record.status else "—"


def _as_of(record) -> str:
    return format_as_of(record.as_of, record.as_of_precision) if record.as_of else "—"


def _links(record) -> str:
    n = len(record.evidence_urls or [])
    return ngettext("%(n)s link", "%(n)s links", n) % {"n": n}


# (key, label, how a version shows it, whether from → to is worth showing: long texts only say "changed")
FIELDS = [
    ("status", gettext_lazy("Status"), _status, True),
    ("value", gettext_lazy("Measured value"), lambda r: plain_number(r.value) if r.value is not None else "—", True),
    ("as_of", pgettext_lazy("heading over dates of any precision", "As of"), _as_of, True),
    ("historical", gettext_lazy("Historical"), lambda r: _("yes") if r.historical else _("no"), True),
    ("narrative", gettext_lazy("What happened"), lambda r: r.narrative or "", False),
    ("evidence_urls", gettext_lazy("Evidence links"), lambda r: "\n".join(r.evidence_urls or []), False),
    ("evidence_file", gettext_lazy("Evidence file"), lambda r: r.evidence_file or "", False),
]


def changes(before, after) -> list[str]:
    """The fields a person changed from one version to the next, each as "Field: from → to"
    (or "Field: changed" for texts and links). Review steps change none of these, so they list nothing."""
    said = []
    for key, label, show, with_values in FIELDS:
        old, new = show(before), show(after)
        if old == new:
            continue
        if with_values:
            said.append(_("%(field)s: %(old)s → %(new)s") % {"field": label, "old": old, "new": new})
        elif key == "evidence_urls":
            said.append(
                _("%(field)s: %(old)s → %(new)s") % {"field": label, "old": _links(before), "new": _links(after)}
            )
        elif key == "evidence_file":
            if not new:
                said.append(_("%(field)s: removed") % {"field": label})
            elif old:
                said.append(_("%(field)s: replaced") % {"field": label})
            else:
                said.append(_("%(field)s: attached") % {"field": label})
        else:
            said.append(_("%(field)s: changed") % {"field": label})
    return said


def with_changes(records) -> list:
    """The history records, oldest first, each with ``changes``: what it changed from the one before."""
    records = list(records)
    for previous, record in zip([None, *records], records, strict=False):
        record.changes = changes(previous, record) if previous is not None else []
    return records
