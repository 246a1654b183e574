"""Fees per channel and date (Hanoi: 0 đồng online, Resolutions 07/2023 and 77/2025/NQ-HĐND)."""

from datetime import date

import pytest

from tests import factories_procedures as fp
from thudo.procedures.queries import fee_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure():
    return fp.published(
        fees=[
            ("counter", 8000, date(2025, 7, 1), date(2025, 12, 31)),
            ("counter", 10000, date(2026, 1, 1), None),
            ("online", 4000, date(2025, 7, 1), date(2025, 12, 31)),
            ("online", 0, date(2026, 1, 1), None),
        ]
    )


def test_fee_depends_on_channel(procedure):
    assert fee_for(procedure, "counter", date(2026, 3, 2)) == 10000
    assert fee_for(procedure, "online", date(2026, 3, 2)) == 0


def test_fee_depends_on_the_date(procedure):
    assert fee_for(procedure, "counter", date(2025, 12, 31)) == 8000
    assert fee_for(procedure, "counter", date(2026, 1, 1)) == 10000
    assert fee_for(procedure, "online", date(2025, 9, 1)) == 4000


def test_no_fee_before_any_period_or_for_a_channel_without_fees(procedure):
    assert fee_for(procedure, "counter", date(2025, 1, 1)) == 0
    assert fee_for(procedure, "postal", date(2026, 3, 2)) == 0
