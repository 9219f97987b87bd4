"""Issue 15 (5): every form of the founder side is drawn one way: an error summary that
links to each field, the message at the field, aria-invalid and aria-describedby, required
fields marked; allauth's forms too."""

import pytest

from tests.factories import UserFactory
from tests.helpers import text_of

pytestmark = pytest.mark.django_db

SUMMARY = '<div class="error-summary alert alert--error" role="alert" tabindex="-1" autofocus'


def test_allauth_login_errors_of_the_whole_form_are_in_the_summary(client):
    response = client.post("/en/accounts/login/", {"login": "x@example.com", "password": "no"})

    html = response.content.decode()
    assert SUMMARY in html
    assert "There is a problem" in html
    assert "<li>The email address and/or password you specified are not correct.</li>" in html


def test_allauth_signup_errors_link_to_their_fields(client):
    response = client.post("/en/accounts/signup/", {"email": "not an address"})

    html = response.content.decode()
    assert '<li><a href="#id_email">Enter a valid email address.</a></li>' in html
    assert '<li><a href="#id_password1">Password: This field is required.</a></li>' in html
    assert 'aria-invalid="true"' in html.split('id="id_email"')[0].rsplit("<input", 1)[1]
    assert '<div class="field-error" id="id_email_error">' in html


def test_required_fields_are_marked_for_eyes_and_screen_readers(client):
    html = client.get("/en/accounts/login/").content.decode()

    assert (
        '<label for="id_login">Email: <span class="field-required"><span aria-hidden="true">*'
        '</span><span class="visually-hidden">(required)</span></span></label>' in html
    )
    assert "Fields marked * are required." in text_of(client.get("/en/accounts/login/"))
    assert SUMMARY not in html


def test_the_profile_form_uses_the_same_layout(client):
    client.force_login(UserFactory())

    html = client.get("/en/accounts/profile/").content.decode()

    assert '<div class="field' in html
    assert "Fields marked * are required." in html
