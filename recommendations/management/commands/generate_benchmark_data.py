"""Deterministic synthetic progress data for benchmarks and demonstrations.

    python manage.py generate_benchmark_data --updates 1000000 --organizations 5000 --seed 1

On top of the seeded items and countries it creates organizations named
"Synthetic organization NNNNN" (``is_synthetic=True``) and progress updates
with a realistic skew: a few popular items get most updates, most pairs have
1–5 updates and some have dozens, as-of dates spread from 2006 to today and
about 80 % are verified. The current-status table is then rebuilt from the
history with the same definition the services maintain.

It refuses to run on a database that holds real (non-synthetic) updates, so
it can never mix invented figures into real ones.
"""

import datetime
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
    Kind,
    OrganizationType,
    ProgressUpdate,
    Recommendation,
    ReviewState,
)
from recommendations.services import rebuild_current_statuses

BATCH = 5000
STATES = [ReviewState.VERIFIED] * 16 + [ReviewState.PENDING] * 2 + [ReviewState.RETURNED, ReviewState.WITHDRAWN]


def real_updates():
    """Updates that are not benchmark data: neither about a synthetic actor nor filed for one."""
    return ProgressUpdate.objects.exclude(actor__is_synthetic=True).exclude(reported_by_organization__is_synthetic=True)


class Command(BaseCommand):
    help = "Generate deterministic synthetic organizations and progress updates (refuses real databases)."

    def add_arguments(self, parser):
        parser.add_argument("--updates", type=int, required=True)
        parser.add_argument("--organizations", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--until", type=datetime.date.fromisoformat, default=None, help="Last as-of date.")

    def handle(self, *args, updates, organizations, seed, until, **options):
        if updates < 1 or organizations < 1:
            raise CommandError("--updates and --organizations must be positive.")
        real = real_updates().count()
        if real:
            raise CommandError(
                f"This database holds {real} real progress updates; benchmark data would mix with them. "
                "Use an empty database (migrate and seed only)."
            )
        if not Recommendation.objects.exists() or not Actor.objects.countries().exists():
            raise CommandError("Seed the database first: python manage.py seed")
        rng = random.Random(seed)
        until = until or timezone.localdate()
        started = time.monotonic()
        with transaction.atomic():
            orgs = self.make_organizations(rng, organizations)
            written = self.make_updates(rng, updates, orgs, until)
            current = rebuild_current_statuses()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Generated {len(orgs)} organizations, {written} updates and {current} current statuses "
            f"in {time.monotonic() - started:.1f} s."
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

    def make_updates(self, rng, target: int, orgs: list[int], until: datetime.date) -> int:
        items = list(Recommendation.objects.order_by("position"))
        countries = list(Actor.objects.countries().values_list("pk", flat=True))
        # Zipf-like popularity: the first few items (in a shuffled order) get most of the updates.
        order = items[:]
        rng.shuffle(order)
        weights = [1 / (rank + 1) ** 0.9 for rank in range(len(order))]
        start = datetime.date(2006, 7, 27)
        span = (until - start).days
        now = timezone.now()
        batch, written, seen = [], 0, set()
        while written < target:
            item = rng.choices(order, weights)[0]
            item_id, kind = item.pk, item.kind
            if kind == Kind.RATIFICATION or rng.random() < 0.35:
                actor_id, actor_kind = rng.choice(countries), ActorKind.COUNTRY
            else:
                actor_id, actor_kind = rng.choice(orgs), ActorKind.ORGANIZATION
            if (actor_id, item_id) in seen:
                continue
            seen.add((actor_id, item_id))
            # Most pairs 1–5 updates, a long tail to dozens.
            count = min(int(rng.paretovariate(1.6)) + rng.randint(0, 3), 60, target - written)
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
                created = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time(12))) + datetime.timedelta(
                    days=rng.randrange(1, 60)
                )
                created = min(created, now)
                batch.append(
                    ProgressUpdate(
                        actor_id=actor_id,
                        recommendation_id=item_id,
                        kind=kind,
                        actor_kind=actor_kind,
                        status=status,
                        as_of=as_of,
                        narrative="Synthetic benchmark update.",
                        evidence_urls=["https://example.org/synthetic-evidence"] if rng.random() < 0.9 else [],
                        has_evidence=False,
                        value=value,
                        reported_by_organization_id=reporter,
                        created_at=created,
                        state=state,
                        reviewed_at=created if state == ReviewState.VERIFIED else None,
                    )
                )
                batch[-1].has_evidence = bool(batch[-1].evidence_urls)
                written += 1
            if len(batch) >= BATCH:
                ProgressUpdate.objects.bulk_create(batch, batch_size=BATCH)
                batch = []
                if written % 100_000 < BATCH:
                    self.stdout.write(f"  {written} updates…")
        ProgressUpdate.objects.bulk_create(batch, batch_size=BATCH)
        return written
