"""A key's id becomes its prefix: the library's "prefix.hash" put the hash in every URL."""

from django.db import migrations
from django.db.models import F


def ids_from_prefixes(apps, schema_editor):
    Key = apps.get_model("partners", "PartnerApiKey")
    DataAccess = apps.get_model("partners", "DataAccess")
    # The foreign keys are deferred: both rows change in this migration's transaction.
    for old, prefix in Key.objects.exclude(id=F("prefix")).values_list("id", "prefix"):
        Key.objects.filter(pk=old).update(id=prefix)
        DataAccess.objects.filter(key_id=old).update(key_id=prefix)


def ids_from_hashes(apps, schema_editor):
    Key = apps.get_model("partners", "PartnerApiKey")
    DataAccess = apps.get_model("partners", "DataAccess")
    for old, hashed in Key.objects.filter(id=F("prefix")).values_list("id", "hashed_key"):
        Key.objects.filter(pk=old).update(id=f"{old}.{hashed}")
        DataAccess.objects.filter(key_id=old).update(key_id=f"{old}.{hashed}")


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [migrations.RunPython(ids_from_prefixes, ids_from_hashes)]
