"""Deterministic synthetic progress data for benchmarks and demonstrations.

    python manage.py generate_benchmark_data --updates 1000000 --organizations 5000 --seed 1
    python manage.py generate_benchmark_data --pairs 270000 --updates 10000000 --organizations 5000   # depth
    python manage.py generate_benchmark_data --pairs 270000 --updates-per-pair 20 --organizations 5000

On top of the seeded items and countries it creates organizations named
"Synthetic organization NNNNN" (``is_synthetic=True``) and progress updates
with a realistic skew: a few popular items get most updates, most pairs have
1–5 updates and some have dozens, as-of dates spread from 2006 to today and
about 80 % are verified. The current-status table and the status intervals
are then rebuilt from the history with the same definition the services maintain.

Two knobs set the shape: how many (actor, item) pairs have updates
(``--pairs``; by default about one pair per 3.7 updates, the usual depth)
and how deep their history is (``--updates`` in all, or ``--updates-per-pair``).
The pairs depend only on the seed, the organizations and ``--pairs``, so two
runs at different depths with the same ``--pairs`` cover the same pairs. A
request that cannot be met (more pairs than actors × items allow, fewer
updates than pairs) is refused with a message before anything is written.

It refuses to run on a database that holds real (non-synthetic) updates, so
it can never mix invented figures into real ones.
"""

import csv
import datetime
import heapq
import io
import json
import math
import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from recommendations.models import (
    SCALES,
    Actor,
    ActorKind,
    CurrentStatus,
    Kind,
    OrganizationType,
    Perspective,
    PerspectiveInterval,
    PerspectiveStatus,
    ProgressUpdate,
    Recommendation,
    ReviewState,
    StatusInterval,
)
from recommendations.services import default_perspective, rebuild_current_statuses

BATCH = 5000
# The mean depth of the usual skew (int(Pareto(1.6)) + 0..3 updates per pair): --updates alone makes this many pairs.
USUAL_DEPTH = 3.7
STATES = [ReviewState.VERIFIED] * 16 + [ReviewState.PENDING] * 2 + [ReviewState.RETURNED, ReviewState.WITHDRAWN]
# The share of a country's updates that transcribe its government's self-report; the others take the
# reporting organization's usual perspective (``default_perspective``), so pairs have several tracks to compare.
GOVERNMENT_SHARE = 0.25


def real_updates():
    """Updates that are not benchmark data: neither about a synthetic actor nor filed for one."""
    return ProgressUpdate.objects.exclude(actor__is_synthetic=True).exclude(reported_by_organization__is_synthetic=True)


class Command(BaseCommand):
    help = "Generate deterministic synthetic organizations and progress updates (refuses real databases)."

    def add_arguments(self, parser):
        parser.add_argument("--updates", type=int, default=None, help="Updates in all.")
        parser.add_argument("--pairs", type=int, default=None, help="(Actor, item) pairs that have updates.")
        parser.add_argument("--updates-per-pair", type=float, default=None, help="Mean depth of history per pair.")
        parser.add_argument("--organizations", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--until", type=datetime.date.fromisoformat, default=None, help="Last as-of date.")

    def handle(self, *args, updates, pairs, updates_per_pair, organizations, seed, until, **options):
        if organizations < 1:
            raise CommandError("--organizations must be positive.")
        items = list(Recommendation.objects.order_by("position"))
        countries = Actor.objects.countries().count()
        if not items or not countries:
            raise CommandError("Seed the database first: python manage.py seed")
        eligible = possible_pairs(items, countries, organizations)
        pairs, updates = plan_shape(
            updates=updates, pairs=pairs, per_pair=updates_per_pair, eligible=eligible, organizations=organizations
        )
        real = real_updates().count()
        if real:
            raise CommandError(
                f"This database holds {real} real progress updates; benchmark data would mix with them. "
                "Use an empty database (migrate and seed only)."
            )
        until = until or timezone.localdate()
        started = time.monotonic()
        with transaction.atomic():
            rebuild = drop_for_load(LOADED) if connection.vendor == "postgresql" else []
            orgs = self.make_organizations(random.Random(seed), organizations)
            chosen = choose_pairs(random.Random(f"pairs-{seed}"), pairs, items, orgs)
            counts = split_updates(random.Random(f"depth-{seed}"), updates, len(chosen))
            # Perspectives from a stream of their own: the rest of the data is the same as without them.
            perspectives = Perspectives(random.Random(f"perspectives-{seed}"), orgs)
            written = self.make_updates(random.Random(f"rows-{seed}"), chosen, counts, orgs, until, perspectives)
            phases = {"organizations, pairs and updates": time.monotonic() - started}
            current = rebuild_current_statuses(timings=phases)
            lap = time.monotonic()
            with connection.cursor() as cursor:
                for statement in rebuild:
                    cursor.execute(statement)
            phases["indexes and foreign keys"] = time.monotonic() - lap
            lap = time.monotonic()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Statistics, and (outside a transaction) the visibility map that index-only scans need.
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        phases["commit and analyze"] = time.monotonic() - lap
        self.stdout.write("Phases: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in phases.items()))
        self.stdout.write(
            f"Generated {len(orgs)} organizations, {written} updates on {len(chosen)} pairs and {current} current "
            f"statuses in {time.monotonic() - started:.1f} s."
        )

    def make_organizations(self, rng, count: int) -> list[int]:
        existing = Actor.objects.filter(is_synthetic=True).count()
        countries = list(Actor.objects.countries().values_list("pk", flat=True))
        types = list(OrganizationType.values)
        new = [
            Actor(
                code=f"synthetic-org-{n:05d}",
                kind=ActorKind.ORGANIZATION,
                name=f"Synthetic organization {n:05d}",
                organization_type=types[n % len(types)],
                base_country_id=rng.choice(countries),
                is_synthetic=True,
            )
            for n in range(existing + 1, count + 1)
        ]
        Actor.objects.bulk_create(new, batch_size=BATCH)
        return list(Actor.objects.filter(is_synthetic=True).order_by("pk").values_list("pk", flat=True)[:count])

    def make_updates(self, rng, chosen, counts: list[int], orgs: list[int], until: datetime.date, perspectives) -> int:
        start = datetime.date(2006, 7, 27)
        span = (until - start).days
        now = timezone.now()
        # make_aware's own work for a fixed zone, without its per-call lookups (a third of this loop's time).
        zone, noon = timezone.get_current_timezone(), datetime.time(12)
        batch, written = [], 0
        for (item, actor_id, actor_kind), count in zip(chosen, counts, strict=True):
            item_id, kind = item.pk, item.kind
            days = sorted(rng.randrange(span) for _ in range(count))
            scale = SCALES[kind]
            position = rng.randrange(len(scale))
            reporter = rng.choice(orgs)
            for day in days:
                position = max(0, min(len(scale) - 1, position + rng.choice((-1, 0, 1, 1))))
                value = None
                status = scale[position]
                if kind == Kind.QUANTITATIVE:
                    value = Decimal(rng.randrange(150, 1200)) / 100
                    status = item.status_for_value(value)
                as_of = start + datetime.timedelta(days=day)
                state = rng.choice(STATES)
                created = datetime.datetime.combine(as_of, noon, tzinfo=zone) + datetime.timedelta(
                    days=rng.randrange(1, 60)
                )
                created = min(created, now)
                urls = ["https://example.org/synthetic-evidence"] if rng.random() < 0.9 else []
                batch.append(
                    {
                        "actor_id": actor_id,
                        "recommendation_id": item_id,
                        "kind": kind,
                        "actor_kind": actor_kind,
                        "status": status,
                        "as_of": as_of,
                        "narrative": "Synthetic benchmark update.",
                        "evidence_urls": urls,
                        "has_evidence": bool(urls),
                        "value": value,
                        "reported_by_organization_id": reporter,
                        "perspective": perspectives.draw(reporter, actor_kind),
                        "created_at": created,
                        "state": state,
                        "reviewed_at": created if state == ReviewState.VERIFIED else None,
                    }
                )
                written += 1
            if len(batch) >= BATCH:
                insert_updates(batch)
                if written // 100_000 != (written - len(batch)) // 100_000:
                    self.stdout.write(f"  {written} updates…")
                batch = []
        insert_updates(batch)
        return written


# The tables a generation fills: their foreign keys and the indexes no constraint owns are dropped for the load.
LOADED = (ProgressUpdate, StatusInterval, CurrentStatus, PerspectiveInterval, PerspectiveStatus)


def drop_for_load(models) -> list[str]:
    """Drop the foreign keys and the secondary indexes of ``models``' tables; return the statements that make
    them again, to run once the rows are in (PostgreSQL; inside the generator's transaction, so a failure
    rolls the drops back with the rows).

    Why: kept during the load, every copied update went into 14 indexes one row at a time, and every row of
    the five tables queued one deferred check per foreign key, fired one by one at commit (with VACUUM ANALYZE,
    125–209 s of a 1M-update generation; 11 s now). An index built once over the
    loaded table sorts once; a foreign key added back (``ALTER TABLE … ADD CONSTRAINT``) checks every row in
    one join, so nothing goes unchecked. The primary keys, unique and check constraints stay: they guard the
    load itself. The definitions come from the catalog (``pg_get_indexdef``, ``pg_get_constraintdef``), so
    the rebuilt objects are the migrations' own, names included.
    """
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY conrelid::regclass::text, conname",
            [tables],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid::regclass::text = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid) "
            "ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        quote = connection.ops.quote_name
        # PostgreSQL refuses to alter a table with deferred checks still queued in this transaction (rows written
        # before the generator ran, in the same transaction — a test's — or its own organizations): run them now,
        # then defer again as Django's foreign keys are declared.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
        # Sorts for the rebuilds and the index builds in memory where they fit (this session only).
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    return [definition for _, definition in indexes] + [
        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}" for table, name, definition in keys
    ]


class Perspectives:
    """Who says so, for each generated update: a government self-report for a share of a country's updates,
    else the reporting organization's usual perspective (the rule the forms and the import apply)."""

    def __init__(self, rng, orgs: list[int]):
        self.rng = rng
        self.usual = {actor.pk: default_perspective(actor) for actor in Actor.objects.filter(pk__in=orgs)}

    def draw(self, reporter: int, actor_kind: str) -> str:
        if actor_kind == ActorKind.COUNTRY and self.rng.random() < GOVERNMENT_SHARE:
            return Perspective.GOVERNMENT
        return self.usual[reporter]


def insert_updates(rows: list[dict]) -> None:
    """Write generated updates: through PostgreSQL's COPY (several times faster at millions), else bulk_create.

    Every column the model has is written, with the model's default where a row does not say.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        ProgressUpdate.objects.bulk_create([ProgressUpdate(**row) for row in rows], batch_size=BATCH)
        return
    fields = [f for f in ProgressUpdate._meta.concrete_fields if not f.primary_key]
    # Each column's default as COPY text once per batch, not once per row.
    columns = [(f.attname, _copy_text(f.get_default())) for f in fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([_copy_text(row[name]) if name in row else default for name, default in columns] for row in rows)
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {ProgressUpdate._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, datetime.date):  # dates and aware datetimes
        return value.isoformat()
    return str(value)


def possible_pairs(items, countries: int, organizations: int) -> int:
    """How many distinct (actor, item) pairs exist: every country on every item, organizations on all but treaties."""
    open_to_organizations = sum(1 for item in items if item.kind != Kind.RATIFICATION)
    return countries * len(items) + organizations * open_to_organizations


def plan_shape(*, updates, pairs, per_pair, eligible: int, organizations: int) -> tuple[int, int]:
    """(pairs, updates) from the knobs given, or a CommandError saying why the request cannot be met."""
    if updates is not None and per_pair is not None:
        raise CommandError("Give --updates or --updates-per-pair, not both.")
    if updates is None and per_pair is None:
        raise CommandError("Say how many updates: --updates N (in all) or --updates-per-pair K (with --pairs).")
    for name, value in (("--updates", updates), ("--pairs", pairs), ("--updates-per-pair", per_pair)):
        if value is not None and value <= 0:
            raise CommandError(f"{name} must be positive.")
    if pairs is None:
        if per_pair is not None:
            raise CommandError("--updates-per-pair needs --pairs (how many pairs that history is spread over).")
        pairs = math.ceil(updates / USUAL_DEPTH)
        if pairs > eligible:
            raise CommandError(
                f"{updates:,} updates at the usual depth (about {USUAL_DEPTH} per pair) need {pairs:,} pairs, but "
                f"{organizations:,} organizations and the seeded countries and items make only {eligible:,} "
                "possible pairs. Add organizations (--organizations), or ask for a deeper history on fewer pairs "
                f"(--pairs {eligible:,} or less, with --updates or --updates-per-pair)."
            )
    if pairs > eligible:
        raise CommandError(
            f"--pairs {pairs:,} is more than the {eligible:,} possible (actor, item) pairs of {organizations:,} "
            "organizations and the seeded countries and items; add organizations or ask for fewer pairs."
        )
    if updates is None:
        updates = round(pairs * per_pair)
    if updates < pairs:
        raise CommandError(
            f"{updates:,} updates cannot cover {pairs:,} pairs: every pair has at least one update. "
            "Ask for fewer pairs or more updates."
        )
    return pairs, updates


def choose_pairs(rng, count: int, items, orgs: list[int]) -> list[tuple]:
    """``count`` distinct (item, actor id, actor kind), weighted like real interest, drawn without replacement.

    Zipf-like popularity of items (in a shuffled order); treaties are for
    countries; on other items countries hold about 35 % of the interest.
    Weighted sampling without replacement (Efraimidis–Spirakis keys, as
    logarithms so tiny weights do not round to zero): one pass, and it ends
    whatever ``count`` is, up to every possible pair.
    """
    countries = list(Actor.objects.countries().order_by("pk").values_list("pk", flat=True))
    order = items[:]
    rng.shuffle(order)
    popularity = {item.pk: 1 / (rank + 1) ** 0.9 for rank, item in enumerate(order)}

    def keyed():
        for item in items:
            weight = popularity[item.pk]
            if item.kind == Kind.RATIFICATION:
                country_weight, org_weight = weight / len(countries), 0
            else:
                country_weight, org_weight = 0.35 * weight / len(countries), 0.65 * weight / len(orgs)
            for actor_id in countries:
                yield math.log(1 - rng.random()) / country_weight, item, actor_id, ActorKind.COUNTRY
            if org_weight:
                for actor_id in orgs:
                    yield math.log(1 - rng.random()) / org_weight, item, actor_id, ActorKind.ORGANIZATION

    chosen = heapq.nlargest(count, keyed(), key=lambda entry: entry[0])
    chosen.sort(key=lambda entry: (entry[2], entry[1].position))
    return [(item, actor_id, kind) for _, item, actor_id, kind in chosen]


def split_updates(rng, updates: int, pairs: int) -> list[int]:
    """How many updates each pair gets: at least one, skewed (most 1–5, a long tail), summing to ``updates``."""
    skew = [min(int(rng.paretovariate(1.6)) + rng.randint(0, 3), 60) - 1 for _ in range(pairs)]
    extra, total = updates - pairs, sum(skew)
    if not total:
        skew, total = [1] * pairs, pairs
    shares = [extra * s / total for s in skew]
    counts = [1 + int(share) for share in shares]
    # The rounding remainder to the pairs with the largest fractions (ties: the first), so the sum is exact.
    left = updates - sum(counts)
    for n in sorted(range(pairs), key=lambda n: (int(shares[n]) - shares[n], n))[:left]:
        counts[n] += 1
    return counts
