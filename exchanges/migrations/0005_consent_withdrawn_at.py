"""When the applicant withdrew consent to share the application with partner organisations."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0004_board_score_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="consent_withdrawn_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Since then no partner organisation sees the application.",
                null=True,
                verbose_name="consent withdrawn",
            ),
        ),
    ]
