"""Load the source document, taxonomies, countries and items from fixtures/.

Idempotent: rows are matched by their natural keys (slug, code, ISO3) and
only missing rows are created, so running it twice loads nothing twice and
never overwrites what editors changed in the admin. Corrections of the
seeded data itself (fixtures/corrections.json, see ``corrections.py``) are
applied once per database, field by field, and recorded. Everything is
loaded in one transaction; a fixture error (e.g. a quotation that is not
verbatim) aborts the whole seed with a message naming the item.
"""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from languages.names import column
from recommendations.corrections import (
    LOOKED_UP,
    Applier,
    FixtureError,
    item_fields,
    pending,
    read_corrections,
    renamed_instruments,
)
from recommendations.models import (
    Actor,
    ActorKind,
    Addressee,
    Citation,
    Instrument,
    Paragraph,
    Recommendation,
    SDGTarget,
    Section,
    SourceDocument,
    Theme,
)
from recommendations.sourcetext import split_paragraphs


def _read_json(path: Path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as exc:
        raise CommandError(f"missing fixture file {path}") from exc
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from exc


def _parent_code(code: str) -> str | None:
    if "-" in code:
        return code.rsplit("-", 1)[0]
    if "." in code:
        return code.rsplit(".", 1)[0]
    return None


class Command(BaseCommand):
    help = "Load the seeded source document, taxonomies, countries and calls to action (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", default=str(settings.FIXTURES_DIR), help="Folder holding the fixtures.")

    def handle(self, *args, fixtures, **options):
        self.dir = Path(fixtures)
        self.created: dict[str, int] = {}
        try:
            with transaction.atomic():
                document = self.load_document()
                items = self.read_items(document)
                corrections = read_corrections(self.dir / "corrections.json")
                instrument_rows = {row["short_name"]: row for row in _read_json(self.dir / "instruments.json")}
                renames = renamed_instruments(corrections)
                appliers = [
                    Applier(c, items=items, instruments=instrument_rows, renames=renames) for c in pending(corrections)
                ]
                # Renames first, so that the loader does not create a renamed instrument a second time.
                for applier in appliers:
                    applier.correct_instruments()
                self.load_simple(Theme, "slug", "themes.json", ["name", "description"])
                self.load_simple(Addressee, "slug", "addressees.json", ["name", "applies_to", "description"])
                self.load_simple(Instrument, "short_name", "instruments.json", ["name", "adopting_body", "year", "url"])
                self.load_translated_names(Instrument, "short_name", "instruments.json", "name")
                self.load_sdg_targets()
                self.load_countries()
                self.load_recommendations(document, items)
                self.load_translated_wording()
                for applier in appliers:
                    applier.correct_items()
                    applier.record()
        except FixtureError as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{count} {name}" for name, count in self.created.items() if count)
        self.stdout.write(f"Seed: created {summary}." if summary else "Seed: everything was already loaded.")
        self.report(appliers)

    def report(self, appliers: list[Applier]):
        acted = [a for a in appliers if a.summary or a.kept]
        if appliers and not acted:
            self.stdout.write(f"Data corrections: {len(appliers)} recorded; the data already included them.")
        for applier in acted:
            self.stdout.write(f"Data correction {applier.correction.name}: {applier.summary or 'nothing changed'}.")
            for line in applier.kept:
                self.stdout.write(self.style.WARNING(f"  Kept: {line}"))

    def count(self, name: str, n: int):
        self.created[name] = self.created.get(name, 0) + n

    # -- the source document --------------------------------------------

    def load_document(self) -> SourceDocument:
        meta = _read_json(self.dir / "source" / "document.json")
        text = (self.dir / "source" / meta["text_file"]).read_text(encoding="utf-8")
        try:
            paragraphs = split_paragraphs(text, meta["sections"], meta["paragraph_count"])
        except ValueError as exc:
            raise CommandError(f"cannot split the source text into paragraphs: {exc}") from exc

        document, created = SourceDocument.objects.get_or_create(
            slug=meta["slug"],
            defaults={
                "title": meta["title"],
                "subtitle": meta.get("subtitle", ""),
                "symbol": meta.get("symbol", ""),
                "url": meta.get("url", ""),
                "issuing_body": meta["issuing_body"],
                "date": datetime.date.fromisoformat(meta["date"]),
                "event_date": datetime.date.fromisoformat(meta["hearings_date"]) if meta.get("hearings_date") else None,
            },
        )
        self.count("source document", int(created))

        sections = {s.code: s for s in document.sections.all()}
        for position, row in enumerate(meta["sections"]):
            if row["code"] in sections:
                continue
            parent_code = _parent_code(row["code"])
            sections[row["code"]] = Section.objects.create(
                document=document,
                code=row["code"],
                number=row["number"],
                title=row["title"],
                parent=sections.get(parent_code) if parent_code else None,
                first_paragraph=row["first"],
                last_paragraph=row["last"],
                position=position,
            )
            self.count("sections", 1)

        existing = set(document.paragraphs.values_list("number", flat=True))
        ordered = sorted(sections.values(), key=lambda s: s.position)
        new = []
        for paragraph in paragraphs:
            if paragraph.number in existing:
                continue
            containing = [s for s in ordered if s.first_paragraph <= paragraph.number <= s.last_paragraph]
            if not containing:
                raise CommandError(f"paragraph {paragraph.number} is in no section of document.json")
            # Sections are listed parent first, so the last match is the most specific.
            new.append(
                Paragraph(document=document, number=paragraph.number, section=containing[-1], text=paragraph.text)
            )
        Paragraph.objects.bulk_create(new)
        self.count("paragraphs", len(new))
        return document

    # -- taxonomies -----------------------------------------------------

    def load_simple(self, model, key: str, filename: str, fields: list[str]):
        rows = _read_json(self.dir / filename)
        existing = set(model.objects.values_list(key, flat=True))
        new = [
            model(**{key: row[key], **{f: row.get(f, "") for f in fields}}) for row in rows if row[key] not in existing
        ]
        bulk_create_with_history(new, model)
        self.count(model._meta.verbose_name_plural, len(new))

    def load_translated_names(self, model, key: str, filename: str, field: str):
        """The official names in the other UN languages (a row's "names", by language code): filled in where
        a language has none yet, so an editor's translation is never overwritten and a second run adds nothing."""
        rows = {row[key]: row.get("names", {}) for row in _read_json(self.dir / filename)}
        filled = 0
        for entry in model.objects.filter(**{f"{key}__in": list(rows)}):
            columns = []
            for language, text in rows[getattr(entry, key)].items():
                if language not in dict(settings.LANGUAGES):
                    raise CommandError(f"{filename}: {language!r} is not one of the LANGUAGES")
                if not getattr(entry, column(field, language)):
                    setattr(entry, column(field, language), text)
                    columns.append(column(field, language))
            if columns:
                entry.save(update_fields=columns)
                filled += len(columns)
        self.count(f"{model._meta.verbose_name} names in other languages", filled)

    def load_translated_wording(self):
        """The editors' translations of an item's own wording (a row's ``quantitative.translations``, by language
        code: unit, target note, where the thresholds come from), filled in as instrument names are: where a
        language has none yet, so an editor's correction is never overwritten and a second run adds nothing."""
        translated = {"unit", "baseline_note", "target_note", "thresholds_source"}
        filled = 0
        for row in _read_json(self.dir / "recommendations.json"):
            translations = (row.get("quantitative") or {}).get("translations") or {}
            if not translations:
                continue
            item = Recommendation.objects.get(code=row["code"])
            columns = []
            for language, texts in translations.items():
                if language not in dict(settings.LANGUAGES):
                    raise CommandError(f"{row['code']}: {language!r} is not one of the LANGUAGES")
                for field, text in texts.items():
                    if field not in translated:
                        raise CommandError(f"{row['code']}: {field!r} is not a translated field")
                    if not getattr(item, column(field, language)):
                        setattr(item, column(field, language), text)
                        columns.append(column(field, language))
            if columns:
                item.save(update_fields=columns)
                filled += len(columns)
        self.count("item wordings in other languages", filled)

    def load_sdg_targets(self):
        rows = _read_json(self.dir / "sdg_targets.json")
        existing = set(SDGTarget.objects.values_list("code", flat=True))
        new = [
            SDGTarget(code=row["code"], title=row["title"], position=position)
            for position, row in enumerate(rows)
            if row["code"] not in existing
        ]
        SDGTarget.objects.bulk_create(new)
        self.count("SDG targets", len(new))

    def load_countries(self):
        rows = _read_json(self.dir / "countries.json")
        existing = {code.upper() for code in Actor.objects.values_list("code", flat=True)}
        new = [
            Actor(
                code=row["iso3"],
                kind=ActorKind.COUNTRY,
                name=row["name"],
                iso3=row["iso3"],
                iso2=row["iso2"],
                m49=row["m49"],
                region=row["region"],
                subregion=row["subregion"],
                intermediate_region=row["intermediate_region"],
                un_status=row["un_status"],
                other_names=row["other_names"],
            )
            for row in rows
            if row["iso3"] not in existing
        ]
        bulk_create_with_history(new, Actor)
        self.count("countries", len(new))

    # -- the calls to action ----------------------------------------------

    def read_items(self, document: SourceDocument) -> dict[str, dict]:
        """Every row of recommendations.json as field values, each quotation checked against its paragraph."""
        rows = _read_json(self.dir / "recommendations.json")
        paragraphs = dict(document.paragraphs.values_list("number", "text"))
        items: dict[str, dict] = {}
        for position, row in enumerate(rows, start=1):
            fields = item_fields(row, position, paragraphs)
            if fields["code"] in items:
                raise CommandError(f"{fields['code']} appears twice in recommendations.json")
            items[fields["code"]] = fields
        return items

    def load_recommendations(self, document: SourceDocument, items: dict[str, dict]):
        existing = set(Recommendation.objects.values_list("code", flat=True))
        sections = {s.code: s for s in document.sections.all()}
        paragraphs = {p.number: p for p in document.paragraphs.all()}
        themes = {t.slug: t for t in Theme.objects.all()}
        addressees = {a.slug: a for a in Addressee.objects.all()}
        instruments = {i.short_name: i for i in Instrument.objects.all()}
        targets = {t.code: t for t in SDGTarget.objects.all()}

        def lookup(table, keys, what, code):
            missing = [k for k in keys if k not in table]
            if missing:
                raise CommandError(f"{code}: unknown {what} {', '.join(missing)}")
            return [table[k] for k in keys]

        for code, fields in items.items():
            if code in existing:
                continue
            section = sections.get(fields["section"])
            if section is None:
                raise CommandError(f"{code}: unknown section {fields['section']!r}")
            ratifies = None
            if fields["ratifies"]:
                ratifies = lookup(instruments, [fields["ratifies"]], "instrument", code)[0]
            recommendation = Recommendation.objects.create(
                document=document,
                section=section,
                ratifies=ratifies,
                **{name: value for name, value in fields.items() if name not in LOOKED_UP},
            )
            recommendation.themes.set(lookup(themes, fields["themes"], "theme", code))
            recommendation.addressees.set(lookup(addressees, fields["addressees"], "addressee", code))
            recommendation.instruments.set(lookup(instruments, fields["instruments"], "instrument", code))
            recommendation.sdg_targets.set(lookup(targets, fields["sdg_targets"], "SDG target", code))
            Citation.objects.bulk_create(
                Citation(
                    recommendation=recommendation,
                    paragraph=paragraphs[citation["paragraph"]],
                    text=citation["text"],
                    role=citation["role"],
                    position=index,
                )
                for index, citation in enumerate(fields["citations"])
            )
            self.count("calls to action", 1)
