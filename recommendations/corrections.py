"""Seeded items as the fixtures describe them, and named corrections that bring older databases up to date.

``manage.py seed`` creates what is missing and never overwrites a row that
exists, so that editors' work in the admin survives a re-seed. When the
fixtures themselves are corrected (a title that said more than the source,
a quotation cut mid-sentence, a call folded into another item), databases
seeded earlier would never see the fix. ``fixtures/corrections.json`` lists
such corrections by name, in order. Each says, for every field it corrects,
the value the earlier seed gave; the new value is the one in the fixtures:

    {"name": "issue-13-R23-title",
     "reason": "R23 overstated ¶14 …",
     "instruments": {"Trafficking Protocol": {"short_name": "Palermo Protocol"},
                     "Smuggling Protocol": {"removed": true}},
     "items": {"R23": {"title": "Protect trafficking victims unconditionally, …"},
               "R17": {"citations": {"57": {"text": "…", "role": "call"}}},
               "R03": {"citations": {"23": null}},
               "R13": {"instruments": []}}}

A field changes only where the database still holds the earlier value, so an
editor's change is kept (and reported); links (themes, addressees,
instruments, SDG targets) gain and lose only the ones the correction adds or
removes; a citation is added where the earlier seed had none (``null``) and
removed when the fixtures no longer have it. Nothing here touches progress
updates, and no item is ever deleted. A correction runs once per database:
``DataCorrection`` records its name, when it ran and what it changed or kept.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError

from .models import (
    THRESHOLD_FIELDS,
    Addressee,
    Citation,
    CitationRole,
    DataCorrection,
    Instrument,
    Kind,
    Recommendation,
    SDGTarget,
    Theme,
    threshold_errors,
)
from .sourcetext import is_whole_sentences, normalize


class FixtureError(Exception):
    """A fixture or correction that cannot be loaded; the message names the item or correction."""


# ---------------------------------------------------------------------------
# Items as the fixtures describe them
# ---------------------------------------------------------------------------

# The model fields a correction may set, and the relations it may adjust, with each relation's natural key.
SCALAR_FIELDS = (
    "title",
    "title_is_editorial",
    "editorial_split",
    "editorial_note",
    "thresholds_source",
    "target_note",
    "baseline_note",
    "position",
)
RELATIONS = {
    "themes": (Theme, "slug"),
    "addressees": (Addressee, "slug"),
    "instruments": (Instrument, "short_name"),
    "sdg_targets": (SDGTarget, "code"),
}
INSTRUMENT_FIELDS = ("short_name", "name", "adopting_body", "year", "url")
# item_fields() keys that name other rows; every other key is a Recommendation field.
LOOKED_UP = ("section", "ratifies", "citations", *RELATIONS)


def _decimal(row: dict, key: str) -> Decimal | None:
    value = row.get(key)
    return None if value in (None, "") else Decimal(value)


def item_fields(row: dict, position: int, paragraphs: dict[int, str]) -> dict:
    """One row of recommendations.json as model field values, relations by natural key, and checked citations.

    Editorial fields (title, flags, note, themes, SDG targets) sit under the
    row's ``editorial`` key; everything else is read from the source.
    ``paragraphs`` maps numbers to normalised text: every quotation must be a
    verbatim part of the paragraph it cites.
    """
    code = row.get("code", "?")
    try:
        editorial = row["editorial"]
        quantitative = row.get("quantitative") or {}
        fields = {
            "code": code,
            "title": editorial["title"],
            "title_is_editorial": bool(editorial.get("title_is_editorial", False)),
            "editorial_split": bool(editorial.get("split", False)),
            "editorial_note": editorial.get("note", ""),
            "kind": row["kind"],
            "section": row["section"],
            "ratifies": row.get("ratifies"),
            "unit": quantitative.get("unit", ""),
            "lower_is_better": quantitative.get("direction", "lower") == "lower",
            "baseline": _decimal(quantitative, "baseline"),
            "baseline_note": quantitative.get("baseline_note", ""),
            "target": _decimal(quantitative, "target"),
            "ceiling": _decimal(quantitative, "ceiling"),
            "target_note": quantitative.get("target_note", ""),
            "thresholds_source": quantitative.get("thresholds_source", ""),
            "value_min": _decimal(quantitative, "min"),
            "value_max": _decimal(quantitative, "max"),
            "position": position,
            "themes": list(editorial.get("themes", [])),
            "sdg_targets": list(editorial.get("sdg_targets", [])),
            "addressees": list(row["addressees"]),
            "instruments": list(row.get("instruments", [])),
            "citations": [
                {"paragraph": c["paragraph"], "role": c.get("role", CitationRole.CALL), "text": normalize(c["text"])}
                for c in row["citations"]
            ],
        }
    except (KeyError, TypeError) as exc:
        raise FixtureError(f"{code}: missing or malformed field {exc}") from exc

    if fields["kind"] not in Kind.values:
        raise FixtureError(f"{code}: unknown kind {fields['kind']!r}")
    if (fields["title_is_editorial"] or fields["editorial_split"]) and not fields["editorial_note"]:
        raise FixtureError(f"{code}: an editorial title or split needs an editorial note saying why")
    if fields["kind"] == Kind.RATIFICATION:
        if not fields["ratifies"]:
            raise FixtureError(f"{code}: a ratification item names the instrument it ratifies")
        if fields["ratifies"] not in fields["instruments"]:
            raise FixtureError(f"{code}: the instrument it ratifies must be among its instruments")
    elif fields["ratifies"]:
        raise FixtureError(f"{code}: only a ratification item ratifies an instrument")
    # The admin's rule of the thresholds' order (Recommendation.clean), so a seed cannot write what an editor
    # could not.
    thresholds = threshold_errors(**{key: fields[key] for key in THRESHOLD_FIELDS})
    if thresholds:
        said = "; ".join(f"{key}: {' '.join(messages)}" for key, messages in thresholds.items())
        raise FixtureError(f"{code}: thresholds out of order: {said}")
    if not fields["citations"]:
        raise FixtureError(f"{code}: an item must quote the source")
    seen = set()
    for citation in fields["citations"]:
        number = citation["paragraph"]
        if number in seen:
            raise FixtureError(f"{code}: cites paragraph {number} twice (one citation per paragraph)")
        seen.add(number)
        if citation["role"] not in CitationRole.values:
            raise FixtureError(f"{code}: unknown citation role {citation['role']!r} for paragraph {number}")
        if number not in paragraphs:
            raise FixtureError(f"{code}: cites paragraph {number}, which does not exist")
        if citation["text"] not in paragraphs[number]:
            raise FixtureError(
                f"{code}: the quotation is not verbatim from paragraph {number}: {citation['text'][:80]!r}"
            )
        if not is_whole_sentences(citation["text"], paragraphs[number]):
            raise FixtureError(
                f"{code}: the quotation from paragraph {number} does not quote whole sentences: "
                f"{citation['text'][:80]!r}"
            )
    if not any(c["role"] == CitationRole.CALL for c in fields["citations"]):
        raise FixtureError(f"{code}: at least one quotation must be the call itself, not only context")
    return fields


# ---------------------------------------------------------------------------
# Corrections
# ---------------------------------------------------------------------------


@dataclass
class Correction:
    name: str
    reason: str
    items: dict = field(default_factory=dict)
    instruments: dict = field(default_factory=dict)


def read_corrections(path: Path) -> list[Correction]:
    """The corrections file, checked for shape; a missing file means no corrections."""
    if not path.exists():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FixtureError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(rows, list):
        raise FixtureError(f"{path} must hold a list of corrections")
    corrections, names = [], set()
    for index, row in enumerate(rows, start=1):
        name = row.get("name") if isinstance(row, dict) else None
        if not name or not row.get("reason"):
            raise FixtureError(f"correction {index} in {path.name} needs a name and a reason")
        if name in names:
            raise FixtureError(f"correction {name!r} appears twice in {path.name}")
        names.add(name)
        unknown = set(row) - {"name", "reason", "items", "instruments"}
        if unknown:
            raise FixtureError(f"correction {name!r}: unknown key(s) {', '.join(sorted(unknown))}")
        for code, changes in row.get("items", {}).items():
            bad = set(changes) - set(SCALAR_FIELDS) - set(RELATIONS) - {"citations"}
            if bad:
                raise FixtureError(f"correction {name!r}: {code} cannot correct {', '.join(sorted(bad))}")
        for key, changes in row.get("instruments", {}).items():
            bad = set(changes) - set(INSTRUMENT_FIELDS) - {"removed"} if isinstance(changes, dict) else {"?"}
            if bad:
                raise FixtureError(f"correction {name!r}: instrument {key} cannot correct {', '.join(sorted(bad))}")
        corrections.append(Correction(name, row["reason"], row.get("items", {}), row.get("instruments", {})))
    return corrections


def pending(corrections: list[Correction]) -> list[Correction]:
    done = set(DataCorrection.objects.filter(name__in=[c.name for c in corrections]).values_list("name", flat=True))
    return [c for c in corrections if c.name not in done]


def renamed_instruments(corrections: list[Correction]) -> dict[str, str]:
    """Earlier short name → current one, from every correction, so earlier link values still resolve."""
    return {
        previous["short_name"]: key
        for correction in corrections
        for key, previous in correction.instruments.items()
        if isinstance(previous, dict) and previous.get("short_name", key) != key
    }


class Applier:
    """Applies one correction in two steps: instruments before the taxonomies load (a rename must come
    before the loader would create the new name), items after every missing row exists."""

    def __init__(self, correction: Correction, *, items: dict[str, dict], instruments: dict[str, dict], renames):
        self.correction = correction
        self.items = items  # code → item_fields()
        self.instrument_rows = instruments  # short name → instruments.json row
        self.renames = renames
        self.changed: list[str] = []
        self.kept: list[str] = []
        self.moved = 0  # items whose list position changed
        self.reason = f"Data correction {correction.name}"[:100]

    def error(self, message: str) -> FixtureError:
        return FixtureError(f"correction {self.correction.name!r}: {message}")

    # -- instruments ----------------------------------------------------

    def correct_instruments(self):
        for key, previous in self.correction.instruments.items():
            if previous.get("removed"):
                self._remove_instrument(key)
                continue
            row = self.instrument_rows.get(key)
            if row is None:
                raise self.error(f"instrument {key!r} is not in instruments.json")
            instrument = Instrument.objects.filter(short_name=key).first()
            earlier = previous.get("short_name", key)
            updated = []
            if instrument is None and earlier != key:
                instrument = Instrument.objects.filter(short_name=earlier).first()
                if instrument is None:
                    continue  # neither name exists yet: the loader creates it
                instrument.short_name = key
                updated.append("short_name")
                self.changed.append(f"instrument {earlier} renamed {key}")
            if instrument is None:
                continue
            for name, was in previous.items():
                if name == "short_name":
                    continue
                current, wanted = getattr(instrument, name), row.get(name, "")
                self._compare_and_set(instrument, f"instrument {key} {name}", name, current, was, wanted, updated)
            if updated:
                instrument._change_reason = self.reason
                instrument.save()

    def _remove_instrument(self, key: str):
        instrument = Instrument.objects.filter(short_name=key).first()
        if instrument is None:
            return
        users = sorted(
            set(instrument.recommendations.values_list("code", flat=True))
            | set(instrument.ratification_items.values_list("code", flat=True))
        )
        if users:
            self.kept.append(f"instrument {key}: kept, because {', '.join(users)} use it")
            return
        instrument._change_reason = self.reason
        instrument.delete()
        self.changed.append(f"instrument {key} removed")

    # -- items ----------------------------------------------------------

    def correct_items(self):
        moved: list[Recommendation] = []
        for code, changes in self.correction.items.items():
            wanted = self.items.get(code)
            if wanted is None:
                raise self.error(f"{code} is not in recommendations.json")
            item = Recommendation.objects.filter(code=code).first()
            if item is None:
                raise self.error(f"{code} is not in the database")
            item._change_reason = self.reason
            updated: list[str] = []
            for name, was in changes.items():
                if name in SCALAR_FIELDS:
                    current = getattr(item, name)
                    self._compare_and_set(item, f"{code} {name}", name, current, was, wanted[name], updated)
                elif name in RELATIONS:
                    self._adjust_links(item, name, was, wanted[name])
                elif name == "citations":
                    self._correct_citations(item, was, wanted["citations"])
            if updated == ["position"]:
                moved.append(item)  # list order only: no history row per item (see record())
            elif updated:
                try:
                    item.validate_constraints()
                except ValidationError as exc:
                    raise self.error(f"{code}: {' '.join(exc.messages)}") from exc
                item.save(update_fields=[*updated, "updated_at"])
        Recommendation.objects.bulk_update(moved, ["position"])

    def _compare_and_set(self, obj, label: str, name: str, current, was, wanted, updated: list[str]):
        if current == wanted:
            return
        if current == was:
            setattr(obj, name, wanted)
            updated.append(name)
            if name == "position":
                self.moved += 1
            else:
                self.changed.append(label)
        else:
            self.kept.append(f"{label}: kept the editors' {current!r} (the fixtures now say {wanted!r})")

    def _adjust_links(self, item: Recommendation, name: str, was: list[str], wanted: list[str]):
        model, key = RELATIONS[name]
        if name == "instruments":
            was = [self.renames.get(k, k) for k in was]
        current = set(getattr(item, name).values_list(key, flat=True))
        add = set(wanted) - set(was) - current
        remove = (set(was) - set(wanted)) & current
        if add:
            found = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": add})}
            missing = sorted(add - set(found))
            if missing:
                raise self.error(f"{item.code}: unknown {name} {missing}")
            getattr(item, name).add(*found.values())
            self.changed.append(f"{item.code} {name} + {', '.join(sorted(add))}")
        if remove:
            getattr(item, name).remove(*model.objects.filter(**{f"{key}__in": remove}))
            self.changed.append(f"{item.code} {name} − {', '.join(sorted(remove))}")

    def _correct_citations(self, item: Recommendation, was: dict, wanted_list: list[dict]):
        wanted = {c["paragraph"]: c for c in wanted_list}
        current = {c.paragraph.number: c for c in item.citations.select_related("paragraph")}
        touched = False
        for number_text, previous in was.items():
            number = int(number_text)
            label = f"{item.code} ¶{number}"
            target, citation = wanted.get(number), current.get(number)
            if target is None:  # the fixtures no longer cite this paragraph
                if citation is None:
                    continue
                if previous is not None and citation.text == normalize(previous["text"]):
                    citation._change_reason = self.reason
                    citation.delete()
                    del current[number]
                    self.changed.append(f"{label} quotation removed")
                    touched = True
                else:
                    self.kept.append(f"{label}: kept the editors' quotation (the fixtures no longer cite it)")
                continue
            if citation is None:
                if previous is None:  # new in the fixtures
                    paragraph = item.document.paragraphs.get(number=number)
                    new = Citation(recommendation=item, paragraph=paragraph, text=target["text"], role=target["role"])
                    new._change_reason = self.reason
                    new.position = len(current)
                    new.save()
                    current[number] = new
                    self.changed.append(f"{label} quotation added ({target['role']})")
                    touched = True
                else:
                    self.kept.append(f"{label}: the editors removed this quotation; not restored")
                continue
            previous = previous or {"text": None, "role": None}
            updated: list[str] = []
            previous_text = normalize(previous["text"]) if previous["text"] is not None else None
            self._compare_and_set(
                citation, f"{label} text", "text", citation.text, previous_text, target["text"], updated
            )
            self._compare_and_set(
                citation, f"{label} role", "role", citation.role, previous.get("role"), target["role"], updated
            )
            if updated:
                citation._change_reason = self.reason
                citation.save(update_fields=updated)
                touched = True
        if touched and set(current) == set(wanted):
            # The quotations are those of the fixtures again: put them in the fixtures' order.
            for position, number in enumerate(wanted):
                citation = current[number]
                if citation.position != position:
                    citation.position = position
                    citation._change_reason = self.reason
                    citation.save(update_fields=["position"])

    # -- record -----------------------------------------------------------

    @property
    def summary(self) -> str:
        """What this correction did, in one line."""
        parts = list(self.changed)
        if self.moved:
            parts.append(f"{self.moved} item{'s' if self.moved != 1 else ''} moved in the list order")
        return "; ".join(parts)

    def record(self) -> DataCorrection:
        lines = [f"Changed: {line}" for line in self.changed] + [f"Kept: {line}" for line in self.kept]
        if self.moved:
            lines.append(f"Moved: {self.moved} items in the list order")
        return DataCorrection.objects.create(
            name=self.correction.name,
            reason=self.correction.reason,
            outcome="\n".join(lines) or "Nothing to change: the data already matched the fixtures.",
        )
