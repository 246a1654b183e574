"""Personal identification numbers: structure, agreement with birth date and sex, masking."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thudo.core.errors import InvalidInput
from thudo.identity.pins import (
    FEMALE,
    MALE,
    compose_pin,
    decode_pin,
    mask_pin,
    province_codes,
    validate_pin,
)

provinces = st.sampled_from(sorted(province_codes()))
sexes = st.sampled_from([MALE, FEMALE])
years = st.integers(min_value=1900, max_value=2399)
serials = st.integers(min_value=0, max_value=999_999)


def error_of(pin, **kwargs) -> str:
    with pytest.raises(InvalidInput) as info:
        validate_pin(pin, **kwargs)
    assert info.value.fields["pin"] == info.value.message
    return info.value.message


def test_63_legacy_provinces_on_three_digits():
    codes = province_codes()
    assert len(codes) == 63
    assert "001" in codes  # Hà Nội
    assert "079" in codes  # Thành phố Hồ Chí Minh
    assert "003" not in codes  # no province has GSO code 03


@pytest.mark.parametrize(
    ("pin", "sex", "year"),
    [
        ("001085012345", MALE, 1985),
        ("001190012345", FEMALE, 1990),
        ("001205012345", MALE, 2005),
        ("001301012345", FEMALE, 2001),
        ("001400012345", MALE, 2100),
        ("001599012345", FEMALE, 2199),
    ],
)
def test_valid_hanoi_numbers_decode(pin, sex, year):
    assert validate_pin(pin) == pin
    assert decode_pin(pin) == ("001", sex, year)
    assert validate_pin(pin, birth_date=date(year, 6, 1), sex=sex) == pin


def test_surrounding_spaces_are_trimmed():
    assert validate_pin(" 001085012345 ") == "001085012345"


def test_empty():
    assert "Cần nhập số định danh" in error_of("")
    assert "Cần nhập số định danh" in error_of(None)


@pytest.mark.parametrize("pin", ["00108501234", "0010850123456", "001"])
def test_wrong_length(pin):
    message = error_of(pin)
    assert "đúng 12 chữ số" in message
    assert f"bạn đã nhập {len(pin)}" in message


@pytest.mark.parametrize("pin", ["00108501234A", "001 85012345", "001-85012345", "００１０８５０１２３４５"])
def test_non_digits(pin):
    assert "chỉ gồm chữ số" in error_of(pin)


def test_unknown_province():
    message = error_of("003085012345")
    assert "Mã tỉnh" in message
    assert "003" in message


def test_year_mismatch():
    message = error_of("001085012345", birth_date=date(1986, 1, 1))
    assert "năm sinh 1986" in message
    assert "1985" in message


def test_century_mismatch():
    # 2 = male born 2000–2099: 2085, not 1985
    assert "năm sinh 1985" in error_of("001285012345", birth_date=date(1985, 1, 1))


def test_sex_mismatch():
    assert "giới tính" in error_of("001085012345", sex=FEMALE)
    assert "giới tính" in error_of("001190012345", sex=MALE)


def test_masking_keeps_first_and_last_three():
    assert mask_pin("001085012789") == "001******789"
    assert mask_pin("") == ""
    assert mask_pin(None) == ""
    assert mask_pin("12345") == "*****"


@given(provinces, years, sexes, serials)
def test_composed_numbers_validate_and_decode(province, year, sex, serial):
    pin = compose_pin(province_code=province, birth_year=year, sex=sex, serial=serial)
    assert validate_pin(pin, birth_date=date(year, 1, 1), sex=sex) == pin
    assert decode_pin(pin) == (province, sex, year)


@given(provinces, years, sexes, serials, st.integers(min_value=1, max_value=399))
def test_any_other_birth_year_is_refused(province, year, sex, serial, shift):
    pin = compose_pin(province_code=province, birth_year=year, sex=sex, serial=serial)
    other = 1900 + (year - 1900 + shift) % 500
    with pytest.raises(InvalidInput):
        validate_pin(pin, birth_date=date(other, 1, 1))


@given(st.text(alphabet="0123456789", min_size=7, max_size=20))
def test_mask_never_reveals_the_middle(pin):
    masked = mask_pin(pin)
    assert len(masked) == len(pin)
    assert masked[:3] == pin[:3]
    assert masked[-3:] == pin[-3:]
    assert set(masked[3:-3]) == {"*"}


@given(st.text(max_size=14))
def test_validate_either_accepts_or_raises_invalid_input(text):
    try:
        pin = validate_pin(text)
    except InvalidInput as exc:
        message = exc.message
    else:
        message = ""
        assert len(pin) == 12
        assert pin.isdigit()
    assert message or pin
