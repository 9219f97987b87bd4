import pytest

from exchanges.partners.models import ApplicationShare

pytestmark = pytest.mark.django_db


def test_submitting_shares_with_the_host_and_co_organisers(partners):
    shared = set(
        ApplicationShare.objects.live().values_list("organisation__slug", "application_ref")
    )
    tlv = {app.pk for app in partners.tlv_apps}
    assert {ref for slug, ref in shared if slug == "tel-aviv-global"} == tlv
    assert {ref for slug, ref in shared if slug == "warsaw-hub"} == tlv
    assert {ref for slug, ref in shared if slug == "paris-and-co"} == {
        app.pk for app in partners.paris_apps
    }
    assert partners.tlv_draft.pk not in {ref for _slug, ref in shared}
