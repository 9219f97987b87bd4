"""When the retention rules removed a closed application's personal data."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0005_consent_withdrawn_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="anonymised_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Its personal data and pitch deck were removed by the retention rules.",
                null=True,
                verbose_name="anonymised",
            ),
        ),
    ]
