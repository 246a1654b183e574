from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from thudo.kpi import scoring

ratios = st.decimals(min_value=0, max_value=1, places=4)
maxes = st.sampled_from([Decimal(2), Decimal(4), Decimal(6), Decimal(20)])
targets = st.sampled_from([None, Decimal("0.5"), Decimal("0.8"), Decimal("0.9")])


def test_zero_denominator_is_no_data_not_zero():
    assert scoring.ratio(0, 0) is None
    assert scoring.points(None, 6) is None
    assert scoring.ratio(0, 5) == 0
    assert scoring.points(Decimal(0), 6) == Decimal("0.00")


def test_examples_from_the_rule():
    assert scoring.points(Decimal("0.4"), 4, Decimal("0.8")) == Decimal("2.00")
    assert scoring.points(Decimal("0.9"), 4, Decimal("0.8")) == Decimal("4.00")
    assert scoring.points(Decimal(1) / 3, 20) == Decimal("6.67")
    assert scoring.points(Decimal("0.000625"), 4) == Decimal("0.00")
    assert scoring.points(Decimal("0.00125"), 4) == Decimal("0.01")  # 0.005 rounds half up


@given(ratios, maxes, targets)
def test_points_never_exceed_max_and_never_negative(r, m, t):
    p = scoring.points(r, m, t)
    assert Decimal(0) <= p <= m
    assert p == p.quantize(Decimal("0.01"))


@given(ratios, ratios, maxes, targets)
def test_points_monotonic_in_ratio(a, b, m, t):
    lo, hi = sorted((a, b))
    assert scoring.points(lo, m, t) <= scoring.points(hi, m, t)


@given(st.decimals(min_value="0.8", max_value=1, places=4), maxes)
def test_reaching_target_gives_full_points(r, m):
    assert scoring.points(r, m, Decimal("0.8")) == m


@given(st.decimals(min_value=0, max_value=100, places=2))
def test_classify_bands(total):
    c = scoring.classify(total)
    expected = "excellent" if total >= 90 else "good" if total >= 70 else "average" if total >= 50 else "weak"
    assert c == expected


def test_classify_configurable_and_no_data():
    assert scoring.classify(None) is None
    assert scoring.classify(Decimal(65), {"excellent": 90, "good": 60, "average": 40}) == "good"
    assert scoring.scaled_total(Decimal(0), Decimal(0)) is None
    assert scoring.scaled_total(Decimal(9), Decimal(18)) == Decimal("50.00")


def test_vietnamese_number_format():
    from thudo.kpi.templatetags.kpi_tags import dec, pct

    assert dec(Decimal("13285.0000")) == "13.285"
    assert dec(Decimal("46.2500")) == "46,25"
    assert dec(Decimal("0.8241")) == "0,8241"
    assert pct(Decimal("0.5")) == "50,00 %"
    assert pct(None) == "Không có dữ liệu"
