import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_is_used():
    assert connection.vendor == "postgresql"
