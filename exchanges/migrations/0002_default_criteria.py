"""The network's default review criteria (team, product, market fit, readiness), weight 1.

A programme without criteria of its own is reviewed by these; staff may edit them.
"""

from django.db import migrations

DEFAULTS = [
    ("team", "Team"),
    ("product", "Product"),
    ("market fit", "Market fit"),
    ("readiness", "Readiness"),
]
GERMAN = {"team": "Team", "product": "Produkt", "market fit": "Marktpassung", "readiness": "Reife"}


def create(apps, schema_editor):
    criterion = apps.get_model("exchanges", "ReviewCriterion")
    for position, (key, name) in enumerate(DEFAULTS, start=1):
        criterion.objects.get_or_create(
            programme=None,
            name_en=name,
            defaults={"name": name, "name_de": GERMAN[key], "weight": 1, "position": position},
        )


def remove(apps, schema_editor):
    apps.get_model("exchanges", "ReviewCriterion").objects.filter(programme=None).delete()


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
