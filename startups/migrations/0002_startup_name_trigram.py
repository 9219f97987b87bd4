"""The admin's search by start-up name served by a trigram index, on PostgreSQL only.

Django's admin searches `name__icontains`, which PostgreSQL runs as
`UPPER("name"::text) LIKE UPPER('%…%')`: a GIN index of trigrams of that expression
serves it. SQLite (development, tests) has neither pg_trgm nor GIN, so both operations
do nothing there. The membership's own index on user_id goes: the unique (user, startup)
index starts with it.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

INDEX = "startup_name_trgm"


def create_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON startups_startup "
            "USING gin ((UPPER(name::text)) gin_trgm_ops)"
        )


def drop_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("startups", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtension(),  # does nothing on other vendors
        migrations.RunPython(create_index, drop_index, elidable=False),
        migrations.AlterField(
            model_name="membership",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="memberships",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
    ]
