"""The administrator looks after the partners' webhooks: endpoints, events, deliveries, attempts.

Written out, not imported, as in 0002_staff_roles, so that this migration means the same
thing for ever. Only the administrator gets them: like the partners' API keys, webhook
endpoints are a partner's technical connection, not the network the editors keep.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Administrator": [
        "partners.add_webhookendpoint",
        "partners.change_webhookendpoint",
        "partners.delete_webhookendpoint",
        "partners.view_webhookendpoint",
        "partners.add_webhookevent",
        "partners.change_webhookevent",
        "partners.delete_webhookevent",
        "partners.view_webhookevent",
        "partners.add_webhookdelivery",
        "partners.change_webhookdelivery",
        "partners.delete_webhookdelivery",
        "partners.view_webhookdelivery",
        "partners.add_webhookattempt",
        "partners.change_webhookattempt",
        "partners.delete_webhookattempt",
        "partners.view_webhookattempt",
    ],
}


def _create_every_permission(apps, using):
    """Make the permissions now: on a fresh database they come only after all migrations."""
    for app_config in apps.get_app_configs():
        # A historical app config has no models module, and create_permissions skips those.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = original


def _permissions(apps, using, labels):
    Permission = apps.get_model("auth", "Permission")
    wanted = {tuple(label.split(".")) for label in labels}
    permissions = [
        permission
        for permission in Permission.objects.using(using)
        .filter(content_type__app_label__in={app for app, _codename in wanted})
        .select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    found = {(p.content_type.app_label, p.codename) for p in permissions}
    if found != wanted:
        missing = ", ".join(sorted(".".join(label) for label in wanted - found))
        raise RuntimeError(f"No such permissions: {missing}")
    return permissions


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    _create_every_permission(apps, using)
    Group = apps.get_model("auth", "Group")
    for name, labels in GRANTS.items():
        group = Group.objects.using(using).filter(name=name).first()
        if group is not None:  # a role staff have deleted is not made again
            group.permissions.add(*_permissions(apps, using, labels))


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for name, labels in GRANTS.items():
        group = Group.objects.using(using).filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, using, labels))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_staff_roles"),
        ("partners", "0003_webhooks"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
