"""Small assertions shared by the suite."""

from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext


def refused_by_database(save) -> bool:
    """Whether the database itself (not validation) refuses `save()`."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        return True
    return False


def count_queries(client, url: str) -> int:
    """The number of queries a successful GET of `url` makes."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)
