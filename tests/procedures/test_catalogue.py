"""Citizens find procedures by name or code, with or without Vietnamese diacritics."""

import unicodedata

import pytest

from tests import factories_procedures as fp
from thudo.core.errors import NotFound
from thudo.procedures import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    birth = fp.published(code="1.001193", name="Đăng ký khai sinh")
    death = fp.published(code="1.000656", name="Đăng ký khai tử")
    dept = fp.department()
    food = fp.published(
        code="HN-TMP-01",
        name="Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        level="department",
        agency=dept,
        field=fp.field("ATTP", "An toàn thực phẩm"),
    )
    fp.draft(code="9.999999", name="Đăng ký khai sinh lưu động (nháp)")
    return {"birth": birth, "death": death, "food": food, "dept": dept}


def names(qs):
    return [p.name for p in qs]


@pytest.mark.parametrize(
    "query",
    ["khai sinh", "khai sinh".upper(), "Khai Sinh", "đăng ký khai sinh", "dang ky khai sinh", "1.001193"],
)
def test_search_finds_birth_registration(catalogue, query):
    assert names(queries.published(q=query)) == ["Đăng ký khai sinh"]


def test_decomposed_unicode_query_finds_birth_registration(catalogue):
    decomposed = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    assert decomposed != "Đăng ký khai sinh"
    assert names(queries.published(q=decomposed)) == ["Đăng ký khai sinh"]


def test_drafts_are_not_in_the_public_catalogue(catalogue):
    assert "Đăng ký khai sinh lưu động (nháp)" not in names(queries.published(q="khai sinh"))
    with pytest.raises(NotFound):
        queries.get_published("9.999999")


def test_filters_by_field_level_and_agency(catalogue):
    assert names(queries.published(field="ATTP")) == [catalogue["food"].name]
    assert set(names(queries.published(level="commune"))) == {"Đăng ký khai sinh", "Đăng ký khai tử"}
    assert names(queries.published(agency=catalogue["dept"].code)) == [catalogue["food"].name]


def test_a_commune_committee_offers_every_commune_procedure(catalogue):
    commune = fp.factories.AgencyFactory()
    assert set(names(queries.published(agency=commune.code))) == {"Đăng ký khai sinh", "Đăng ký khai tử"}
    assert commune in queries.agencies_offering(catalogue["birth"])
    assert list(queries.agencies_offering(catalogue["food"])) == [catalogue["dept"]]


def test_agency_process_is_preferred_over_the_default():
    commune = fp.factories.AgencyFactory()
    other = fp.factories.AgencyFactory()
    p = fp.draft()
    default = fp.process(p, [("Tiếp nhận", "reception", 2)])
    own = fp.process(p, [("Tiếp nhận nhanh", "reception", 1)], agency=commune)
    assert queries.process_for(p, commune) == own
    assert queries.process_for(p, other) == default
    assert queries.process_for(p, None) == default


def test_no_published_process_is_not_found():
    p = fp.draft()
    fp.process(p, publish=False)
    with pytest.raises(NotFound):
        queries.process_for(p, None)


@pytest.mark.parametrize(
    "query", ["khaisinh", "khai sinh cho con", "dangky khaisinh", "đăng ký khai sinh cho bé"]
)
def test_a_forgiving_search_still_finds_birth_registration_first(catalogue, query):
    found = names(queries.published(q=query))
    assert found and found[0] == "Đăng ký khai sinh"
    assert "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm" not in found


def test_words_being_typed_match_the_start_of_a_word(catalogue):
    assert names(queries.published(q="khai si")) == ["Đăng ký khai sinh"]
    assert set(names(queries.published(q="dang ky kha"))) == {"Đăng ký khai sinh", "Đăng ký khai tử"}


def test_results_come_in_order_of_relevance(catalogue):
    # Alphabetically "cap giay ..." comes before "dang ky ..."; the phrase "khai sinh" ranks first.
    fp.published(code="2.000001", name="Cấp giấy khai báo tạm trú cho người sinh sống ở nước ngoài")
    found = names(queries.published(q="khai sinh"))
    assert found == ["Đăng ký khai sinh", "Cấp giấy khai báo tạm trú cho người sinh sống ở nước ngoài"]


def test_a_precise_query_does_not_widen_to_neighbours(catalogue):
    # Every word of "đăng ký khai sinh" is in one name: "Đăng ký khai tử" (three of four) stays out.
    assert names(queries.published(q="dang ky khai sinh")) == ["Đăng ký khai sinh"]


def test_a_very_long_query_is_answered(catalogue):
    # Only the first eight words count: the SQL stays small (SQLite limits an expression's depth).
    words = " ".join(f"tu{i}" for i in range(2000))
    assert names(queries.published(q=f"khai sinh {words}")) == []
    assert names(queries.published(q=f"khai sinh {'sinh ' * 2000}")) == ["Đăng ký khai sinh"]
