"""The UN's names for Nauru (seeded as "Naoero", its local name) and the Netherlands in Arabic (seeded with the
data source's placeholder "_"), in databases seeded before fixtures/countries.json was corrected.

Only a value still as it was seeded changes: a name an editor has changed since is kept. A copy of the corrections
of build_countries_fixture.UN_NAMES, as they stood (a migration must not follow later edits of the command).
"""

from django.db import migrations

# ISO3 -> language ("en": the English name) -> (the seeded value, the UN's).
CORRECTIONS = {
    "NRU": {
        "en": ("Naoero", "Nauru"),
        "fr": ("Naoero", "Nauru"),
        "es": ("Naoero", "Nauru"),
        "ru": ("Наоэро", "Науру"),
        "ar": ("ناويرو", "ناورو"),
    },
    "NLD": {"ar": ("هولندا (مملكة _)", "هولندا (مملكة -)")},
}


def _apply(apps, direction):
    Actor = apps.get_model("recommendations", "Actor")
    for iso3, names in CORRECTIONS.items():
        actor = Actor.objects.filter(kind="country", iso3=iso3).first()
        if actor is None:
            continue
        changed = []
        for language, pair in names.items():
            old, new = pair if direction == "forward" else pair[::-1]
            if language == "en":
                if actor.name == old:
                    actor.name = new
                    changed.append("name")
            elif isinstance(actor.other_names, dict) and actor.other_names.get(language) == old:
                actor.other_names = {**actor.other_names, language: new}
                changed.append("other_names")
        if changed:
            actor.save(update_fields=sorted(set(changed)))


def forward(apps, schema_editor):
    _apply(apps, "forward")


def backward(apps, schema_editor):
    _apply(apps, "backward")


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0033_constraint_messages_and_other_names_validator"),
    ]

    operations = [migrations.RunPython(forward, backward)]
