"""What changed between two versions of a progress update, for its history (read-only, plain data)."""

from .models import format_as_of, plain_number, status_label


def _status(record) -> str:
    return status_label(record.status) if record.status else "—"


def _as_of(record) -> str:
    return format_as_of(record.as_of, record.as_of_precision) if record.as_of else "—"


def _links(record) -> str:
    n = len(record.evidence_urls or [])
    return f"{n} link{'s' if n != 1 else ''}"


# (label, how a version shows it, whether from → to is worth showing: long texts only say "changed")
FIELDS = [
    ("Status", _status, True),
    ("Measured value", lambda r: plain_number(r.value) if r.value is not None else "—", True),
    ("As of", _as_of, True),
    ("Historical", lambda r: "yes" if r.historical else "no", True),
    ("What happened", lambda r: r.narrative or "", False),
    ("Evidence links", lambda r: "\n".join(r.evidence_urls or []), False),
    ("Evidence file", lambda r: r.evidence_file or "", False),
]


def changes(before, after) -> list[str]:
    """The fields a person changed from one version to the next, each as "Field: from → to"
    (or "Field: changed" for texts and links). Review steps change none of these, so they list nothing."""
    said = []
    for label, show, with_values in FIELDS:
        old, new = show(before), show(after)
        if old == new:
            continue
        if with_values:
            said.append(f"{label}: {old} → {new}")
        elif label == "Evidence links":
            said.append(f"{label}: {_links(before)} → {_links(after)}")
        elif label == "Evidence file":
            said.append(f"{label}: {'replaced' if old else 'attached'}" if new else f"{label}: removed")
        else:
            said.append(f"{label}: changed")
    return said


def with_changes(records) -> list:
    """The history records, oldest first, each with ``changes``: what it changed from the one before."""
    records = list(records)
    for previous, record in zip([None, *records], records, strict=False):
        record.changes = changes(previous, record) if previous is not None else []
    return records
