from django.apps import apps

from alliance.privacy import registry


def test_every_model_with_personal_data_is_registered_or_exempt():
    undecided = {
        model._meta.label: signs
        for model in apps.get_models()
        if (signs := registry.personal_data_signs(model))
        and registry.part_for(model._meta.label) is None
        and registry.exemption(model._meta.label) is None
    }

    assert undecided == {}, (
        "These models look like they hold personal data: register them in their app's "
        "personal_data.py (alliance.privacy.registry.register) or declare them exempt "
        f"with a reason: {undecided}"
    )


def test_no_model_is_both_registered_and_exempt():
    both = [
        model._meta.label
        for model in apps.get_models()
        if registry.part_for(model._meta.label) and registry.exemption(model._meta.label)
    ]

    assert both == []


def test_registered_parts_name_existing_fields():
    problems = [
        f"{part.label}.{name}"
        for part in registry.parts()
        for name in (*(part.fields or ()), *part.exclude, *part.files)
        if name not in {field.name for field in part.model._meta.concrete_fields}
    ]

    assert problems == []


def test_signs_find_a_relation_to_the_user_an_email_and_a_name():
    from alliance.mail.models import EmailMessage
    from cities.models import Contact
    from startups.models import Membership

    assert registry.personal_data_signs(Membership) == ["user: relation to the user model"]
    assert registry.personal_data_signs(EmailMessage) == ["recipient: EmailField"]
    assert "full_name: named like personal data" in registry.personal_data_signs(Contact)
    assert "phone: named like personal data" in registry.personal_data_signs(Contact)


def test_secrets_are_never_exported():
    assert registry.part_for("accounts.User").field_names().count("password") == 0
    assert registry.part_for("mfa.Authenticator").field_names() == [
        "id",
        "type",
        "created_at",
        "last_used_at",
    ]
    assert "token" not in registry.part_for("startups.Invitation").field_names()
