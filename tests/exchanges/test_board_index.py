"""The decision board's default order has its index on PostgreSQL (bench/admin_lists.py
measures what it buys at a million applications)."""

import pytest
from django.db import connection

from exchanges.pipeline import board_applications, board_ordering
from tests.factories import ProgrammeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_board_first_page_is_read_from_its_index():
    programme = ProgrammeFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'application_board_score'"
        )
        (definition,) = cursor.fetchone()
    assert "(programme_id, review_score DESC NULLS LAST, id DESC) WHERE (NOT" in definition
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    _, terms = board_ordering("-score")
    sql, params = board_applications(programme).order_by(*terms)[:101].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "application_board_score" in plan
