import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from alliance.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_model_is_the_project_user():
    assert get_user_model() is User
    assert User.USERNAME_FIELD == "email"
    assert not hasattr(User, "username")


def test_user_created_without_username():
    user = User.objects.create_user("Ada@Example.COM", "a-long-password-1")

    user.refresh_from_db()
    assert user.email == "Ada@example.com"  # the domain is normalised, the local part kept
    assert user.check_password("a-long-password-1")
    assert (user.language, user.time_zone, user.is_staff) == ("en", "Europe/Berlin", False)


def test_user_email_unique_regardless_of_case_in_database():
    UserFactory(email="founder@example.com")

    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="FOUNDER@EXAMPLE.COM")])


@pytest.mark.postgres
def test_user_email_unique_regardless_of_case_beyond_ascii():
    UserFactory(email="änne@example.com")

    # SQLite's lower() folds ASCII only; PostgreSQL folds every letter.
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="ÄNNE@example.com")])


def test_user_email_unique_regardless_of_case_in_validation():
    UserFactory(email="founder@example.com")

    with pytest.raises(ValidationError) as error:
        User.objects.create_user("Founder@Example.com", "a-long-password-1")

    assert error.value.messages == ["A user with this email address already exists."]
    assert User.objects.count() == 1


def test_user_logs_in_by_email_in_any_case():
    user = UserFactory(email="founder@example.com")

    assert (
        authenticate(username="FOUNDER@example.com", password="correct horse battery staple")
        == user
    )
    assert authenticate(username="founder@example.com", password="wrong password") is None


def test_staff_log_in_to_the_admin_with_their_email_in_any_case(client):
    UserFactory(email="staff@example.com", is_staff=True)

    response = client.post(
        "/en/accounts/login/?next=/admin/",
        {"login": "Staff@Example.com", "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_user_time_zone_must_be_known():
    user = UserFactory.build(time_zone="Mars/Olympus_Mons")

    with pytest.raises(ValidationError) as error:
        user.full_clean(exclude=["password"])

    assert error.value.message_dict == {
        "time_zone": ["Mars/Olympus_Mons is not a known time zone."]
    }


def test_user_language_must_be_a_ui_language():
    user = UserFactory.build(language="xx")

    with pytest.raises(ValidationError) as error:
        user.full_clean(exclude=["password"])

    assert list(error.value.message_dict) == ["language"]


def test_superuser_is_staff():
    admin = User.objects.create_superuser("boss@example.com", "a-long-password-1")

    assert (admin.is_staff, admin.is_superuser) == (True, True)
