"""An admin action on selected "ids" that are none (text, past the column's range) is a
400 and changes nothing, never a 500."""

import pytest

from exchanges.models import Application, State
from tests.exchanges.conftest import make_application, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("selected", ["abc", "1.5", "99999999999999999999", "-1e3"])
def test_an_action_on_ids_that_are_none_is_refused(client, world, selected):  # noqa: F811
    application = make_application(world, State.SUBMITTED)
    client.force_login(world.staff)

    response = client.post(
        "/admin/exchanges/application/",
        {"action": "start_review", "_selected_action": [str(application.pk), selected]},
    )

    assert response.status_code == 400
    assert Application.objects.get().state == State.SUBMITTED


def test_an_action_on_real_ids_still_runs(client, world):  # noqa: F811
    application = make_application(world, State.SUBMITTED)
    client.force_login(world.staff)

    response = client.post(
        "/admin/exchanges/application/",
        {"action": "start_review", "_selected_action": [str(application.pk)]},
    )

    assert response.status_code == 302
    assert Application.objects.get().state == State.IN_REVIEW


def test_the_admin_names_the_portal(client, world):  # noqa: F811
    client.force_login(world.staff)

    english = client.get("/admin/").content.decode()

    assert "<title>Berlin Partner staff | Start Alliance admin</title>" in english
    assert "Start Alliance administration" in english
