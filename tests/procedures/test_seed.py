"""The catalogue loader: publishes procedures with their default process, idempotently."""

import json
from datetime import date, time

import pytest
from django.core.management import call_command

from tests import factories_procedures as fp
from thudo.procedures import queries, seed
from thudo.procedures.models import Fee, Procedure, Process, ProcessStep, RequiredPaper, Status

pytestmark = pytest.mark.django_db


def entry(**overrides):
    data = {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": "HT",
        "level": "commune",
        "agency_hint": None,
        "duration": {"value": 4, "unit": "working_hours", "note": "trong ngày"},
        "cutoff_hour": 15,
        "online_level": "full",
        "result_type": "document",
        "result_name": "Giấy khai sinh",
        "fees": [
            {
                "channel": "counter",
                "amount": 8000,
                "name": "Phí cấp bản sao",
                "note": "Thông tư 281/2016/TT-BTC",
            },
            {"channel": "online", "amount": 0, "name": "Phí cấp bản sao", "note": "NQ 77/2025/NQ-HĐND"},
        ],
        "papers": [
            {"name": "Tờ khai đăng ký khai sinh", "mandatory": True, "copies": 1, "form": "Mẫu TT 04/2020"},
            {"name": "Giấy chứng sinh", "mandatory": True, "copies": 1, "form": None},
        ],
        "legal_bases": ["Luật Hộ tịch 2014"],
        "process": [
            {"name": "Tiếp nhận", "role": "reception", "hours": 0.5},
            {"name": "Thẩm định", "role": "specialist", "hours": 2.5},
            {"name": "Ký", "role": "leader", "hours": 1},
        ],
    }
    data.update(overrides)
    return data


def catalogue(*entries):
    return {
        "fields": [{"code": "HT", "name": "Hộ tịch"}, {"code": "YT", "name": "Y tế"}],
        "procedures": list(entries),
    }


def counts():
    return tuple(m.objects.count() for m in (Procedure, RequiredPaper, Fee, Process, ProcessStep))


def test_loads_and_publishes_with_default_process():
    result = seed.load_data(catalogue(entry()))
    assert (result.created, result.unchanged, result.warnings) == (1, 0, [])
    p = queries.get_published("1.001193")
    assert p.cutoff_time == time(15, 0)
    assert p.legal_duration_hours == 4
    assert [x.name for x in p.papers.all()] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert p.papers.first().form_name == "Mẫu TT 04/2020"
    assert queries.fee_for(p, "counter", date(2026, 3, 2)) == 8000
    assert queries.fee_for(p, "online", date(2026, 3, 2)) == 0
    process = queries.process_for(p, None)
    assert [s.role for s in process.steps.all()] == ["reception", "specialist", "leader"]


def test_loading_twice_creates_no_duplicates():
    data = catalogue(entry(), entry(code="1.000656", name="Đăng ký khai tử"))
    seed.load_data(data)
    before = counts()
    again = seed.load_data(json.loads(json.dumps(data)))
    assert (again.created, again.unchanged) == (0, 2)
    assert counts() == before


def test_a_changed_entry_becomes_a_new_version():
    seed.load_data(catalogue(entry()))
    seed.load_data(catalogue(entry(name="Đăng ký khai sinh (cập nhật)")))
    versions = dict(Procedure.objects.filter(code="1.001193").values_list("version", "status"))
    assert versions == {1: Status.SUPERSEDED, 2: Status.PUBLISHED}
    assert queries.get_published("1.001193").name == "Đăng ký khai sinh (cập nhật)"


def test_department_procedure_is_matched_by_short_name_and_unknown_agency_is_reported():
    dept = fp.department("Sở Y tế")
    good = entry(code="2.1", name="Cấp giấy phép", field="YT", level="department", agency_hint="Sở Y tế")
    bad = entry(code="2.2", name="Khác", field="YT", level="department", agency_hint="Công an thành phố")
    result = seed.load_data(catalogue(good, bad))
    assert result.created == 1
    assert queries.get_published("2.1").agency == dept
    assert len(result.warnings) == 1 and "Công an thành phố" in result.warnings[0]


def test_an_overlong_process_is_reported_and_the_procedure_still_published():
    long = entry(process=[{"name": "Xử lý", "role": "specialist", "hours": 6}])
    result = seed.load_data(catalogue(long))
    assert result.created == 1
    assert "quy trình" in result.warnings[0]
    p = queries.get_published("1.001193")
    assert queries.default_process(p) is None


def test_management_command_with_a_file(tmp_path, capsys):
    path = tmp_path / "thu_tuc.json"
    path.write_text(json.dumps(catalogue(entry()), ensure_ascii=False), encoding="utf-8")
    call_command("load_procedures", "--file", str(path))
    call_command("load_procedures", "--file", str(path))
    assert Procedure.objects.count() == 1
    assert "0 loaded, 1 unchanged" in capsys.readouterr().out


def test_the_researched_hanoi_catalogue_loads(hanoi):
    if not seed.DEFAULT_FILE.exists():
        pytest.skip("data/hanoi_procedures.json not present")
    first = seed.load_file()
    assert first.created >= 30
    before = counts()
    second = seed.load_file()
    assert second.created == 0
    assert counts() == before
    assert [p.name for p in queries.published(q="dang ky khai sinh")][:1] == ["Đăng ký khai sinh"]


def test_demo_hook_reports_what_it_loaded(monkeypatch, tmp_path):
    import io

    from thudo.procedures import demo

    path = tmp_path / "hanoi_procedures.json"
    path.write_text(json.dumps(catalogue(entry()), ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(seed, "DEFAULT_FILE", path)
    out = io.StringIO()
    assert demo.load(progress=lambda *a: None, stdout=out) == []
    assert demo.load(progress=lambda *a: None, stdout=out) == []
    assert "1 nạp mới" in out.getvalue() and "1 không đổi" in out.getvalue()
    assert Procedure.objects.count() == 1


def test_the_catalogue_marks_population_database_papers_and_civil_status_e_forms(hanoi):
    """Issue 11: identity and residence papers the commune reads from the population database are
    marked; birth, death and marriage registration carry their interactive e-form."""
    seed.load_file()
    birth = queries.get_published("1.001193")
    kinds = {p.kind: p for p in birth.papers.all()}
    assert kinds["identity"].from_population_db and kinds["residence"].from_population_db
    assert kinds["declaration"].mandatory and not kinds["declaration"].from_population_db
    for code in ("1.001193", "1.000656", "1.000894"):
        schema = queries.get_published(code).eform_schema
        assert schema and all({"name", "label", "type"} <= set(f) for f in schema)
