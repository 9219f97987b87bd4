"""The staff roles as groups, each with exactly the permissions it needs.

Which programmes a reviewer or a programme manager works on is not a permission: it is
their assignment to the programme (see exchanges/access.py). The sets are written out
here, not imported, so that this migration means the same thing for ever; changing a
role's permissions is a new migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def _crud(app_label, *models):
    return [
        f"{app_label}.{action}_{model}"
        for model in models
        for action in ("add", "change", "delete", "view")
    ]


# The application as staff read it: the programme it is for, its answers, its history.
_READ_APPLICATIONS = [
    "exchanges.view_application",
    "exchanges.view_answer",
    "exchanges.view_applicationevent",
    "exchanges.view_recommendation",
    "exchanges.view_exchangeprogramme",
    "exchanges.view_programmequestion",
    "exchanges.view_reviewcriterion",
]
_REVIEW = [
    "exchanges.review_application",
    "exchanges.add_review",
    "exchanges.change_review",
    "exchanges.view_review",
    "exchanges.add_score",
    "exchanges.change_score",
    "exchanges.view_score",
]

ROLES = {
    "Network editor": _crud(
        "cities", "city", "partnerorganisation", "contact", "cooperationagreement"
    ),
    "Reviewer": [*_READ_APPLICATIONS, *_REVIEW],
    "Programme manager": [
        *_READ_APPLICATIONS,
        *_REVIEW,
        "exchanges.change_application",
        "exchanges.decide_application",
        "exchanges.export_application",
        "exchanges.change_exchangeprogramme",
        "exchanges.add_programmequestion",
        "exchanges.change_programmequestion",
        "exchanges.delete_programmequestion",
        "exchanges.add_reviewcriterion",
        "exchanges.change_reviewcriterion",
        "exchanges.delete_reviewcriterion",
        "mail.view_emailtemplate",
        "mail.change_emailtemplate",
        # No start-up permissions: the application page shows its start-up's profile and
        # team, and the start-up admin spans every start-up.
        # A programme's host city and organisation are chosen by autocomplete, which
        # answers only those who may view them.
        "cities.view_city",
        "cities.view_partnerorganisation",
    ],
    "Administrator": [
        *_crud("accounts", "user"),
        *_crud("auth", "group"),
        *_crud("account", "emailaddress"),
        *_crud("cities", "city", "partnerorganisation", "contact", "cooperationagreement"),
        *_crud("startups", "startup", "membership", "invitation"),
        *_crud(
            "exchanges",
            "exchangeprogramme",
            "programmequestion",
            "application",
            "answer",
            "applicationevent",
            "reviewcriterion",
            "review",
            "score",
            "recommendation",
        ),
        "exchanges.review_application",
        "exchanges.decide_application",
        "exchanges.export_application",
        "exchanges.see_every_programme",
        *_crud("partners", "partnerapikey", "applicationshare", "dataaccess"),
        *_crud("mail", "emailmessage", "emailtemplate", "sentnotice"),
        "auditlog.view_logentry",  # the audit log is read, never written, by staff
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


def create_roles(apps, schema_editor):
    using = schema_editor.connection.alias
    _create_every_permission(apps, using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, labels in ROLES.items():
        wanted = {tuple(label.split(".")) for label in labels}
        permissions = [
            permission
            for permission in Permission.objects.using(using).select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        found = {(p.content_type.app_label, p.codename) for p in permissions}
        if found != wanted:
            missing = ", ".join(sorted(".".join(label) for label in wanted - found))
            raise RuntimeError(f"Role {name!r}: no such permissions: {missing}")
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("account", "0007_emailaddress_idx_email"),
        ("auditlog", "0017_add_actor_email"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cities", "0001_initial"),
        ("startups", "0001_initial"),
        ("exchanges", "0002_default_criteria"),
        ("partners", "0001_initial"),
        ("mail", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
