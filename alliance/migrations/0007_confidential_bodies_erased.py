from django.db import migrations, models


def erase_confidential_bodies(apps, schema_editor):
    """Mark past invitations confidential and erase what was sent with a link that lets in."""
    EmailMessage = apps.get_model("alliance", "EmailMessage")
    EmailMessage.objects.filter(template_key="startups/email/invitation").update(confidential=True)
    EmailMessage.objects.filter(confidential=True, status__in=["sent", "failed"]).update(
        body_text="", body_html=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0006_emailmessage_claim_token"),
    ]

    operations = [
        migrations.AlterField(
            model_name="emailmessage",
            name="confidential",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Its link lets the reader in (account emails, team invitations): never "
                    "shown to staff, and its text is erased once it is sent."
                ),
                verbose_name="confidential",
            ),
        ),
        migrations.RunPython(erase_confidential_bodies, migrations.RunPython.noop, elidable=True),
    ]
