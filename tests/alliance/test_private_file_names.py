"""A private file's name that no file system could hold is a 404, not a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["pitch-decks/" + "a" * 5000, "a" * 300, "pitch-decks/x.pdf"])
def test_an_impossible_or_missing_name_is_a_404(client, name):
    assert client.get(f"/private/{name}").status_code == 404
    assert client.get(f"/private/{name}?token=abc").status_code == 404
