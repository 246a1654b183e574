"""The lifecycle of a report in one transition table; bad input refused with nothing half-saved."""

from __future__ import annotations

import pytest

from tests import factories_feedback as ff
from thudo.core.errors import Conflict, InvalidInput, NotAllowed
from thudo.feedback import actions, transitions
from thudo.feedback.models import Category, Follower, Rating, Report, ReportEvent, Status

pytestmark = pytest.mark.django_db


def _through_answer(p, r, *, now_day="2026-03-03"):
    r = actions.accept(r, by=p.triage, now=ff.at(now_day, 8))
    r = actions.start(r, by=p.handler, now=ff.at(now_day, 9))
    r = actions.handle(
        r,
        by=p.handler,
        answer="Đã thu gom rác và nhắc nhở các hộ dân.",
        photo_files=[("sau.jpg", ff.jpeg())],
        now=ff.at(now_day, 10),
    )
    return actions.publish_answer(r, by=p.triage, now=ff.at(now_day, 11))


def test_full_lifecycle_routes_by_category_and_commune_and_closes_when_satisfied():
    p = ff.place()
    other = ff.place("Xã Thử Khác")
    dep, _officer = ff.department("Công ty Môi trường Đô thị Thử")
    ff.route(p, "moi-truong", dep)  # (environment, this commune) → the company
    ff.route(other, "moi-truong", other.committee)
    ff.route(p, "giao-thong", p.committee)
    owner = ff.citizen()
    r = ff.report(p, by=owner)
    assert r.status == Status.SUBMITTED and r.receiving_agency == p.committee
    r = actions.accept(r, by=p.triage, level="complex", now=ff.at("2026-03-02", 10))
    assert (r.status, r.unit, r.level, r.level_claimed) == (Status.ASSIGNED, dep, "complex", "normal")
    r2 = ff.report(p, code="giao-thong")
    assert actions.accept(r2, by=p.triage).unit == p.committee
    # handled by the company's specialist
    r = actions.start(r, by=_officer, now=ff.at("2026-03-02", 11))
    r = actions.handle(r, by=_officer, answer="Đã thu gom xong trong ngày.", now=ff.at("2026-03-02", 15))
    r = actions.publish_answer(r, by=p.triage, now=ff.at("2026-03-02", 16))
    r = actions.rate(r, by=owner, satisfied=True, comment="Cảm ơn", now=ff.at("2026-03-03", 8))
    assert r.status == Status.CLOSED
    verbs = list(r.events.values_list("verb", flat=True))
    assert verbs == ["submit", "accept", "assign", "start", "handle", "publish", "rate", "close"]


def test_missing_category_or_location_is_refused_in_vietnamese():
    p = ff.place()
    with pytest.raises(InvalidInput) as err:
        actions.submit(
            by=ff.citizen(), category="", description="Đèn đường hỏng cả tuần nay", address="", commune=""
        )
    assert set(err.value.fields) >= {"category", "address", "commune"}
    assert err.value.fields["category"] == "Chọn lĩnh vực phản ánh."
    with pytest.raises(InvalidInput) as err:
        ff.report(p, latitude="91", longitude="105")
    assert "latitude" in err.value.fields
    assert not Report.objects.exists()


def test_refusal_reasons_are_typed_and_complaints_are_diverted_with_where_to_file():
    p = ff.place()
    r = ff.report(p)
    with pytest.raises(InvalidInput):
        actions.refuse(r, by=p.triage, reason="because")
    with pytest.raises(InvalidInput):
        actions.refuse(r, by=p.triage, reason="not_enough_info")  # no explanation
    r = actions.refuse(r, by=p.triage, reason="complaint")
    assert r.status == Status.REFUSED
    assert "Ban Tiếp công dân" in r.refusal_note and "Luật Khiếu nại" in r.refusal_note
    with pytest.raises(Conflict) as err:
        actions.accept(r, by=p.triage)
    assert err.value.status == 409


def test_duplicate_is_merged_into_the_original_which_gains_a_follower():
    p = ff.place()
    first_reporter, second_reporter = (
        ff.citizen("Người Một", "0911111111"),
        ff.citizen("Người Hai", "0922222222"),
    )
    original = ff.report(p, by=first_reporter)
    dup = ff.report(p, by=second_reporter)
    dup = actions.refuse(dup, by=p.triage, reason="duplicate", duplicate_of=original.code)
    assert (dup.status, dup.refusal_reason, dup.duplicate_of) == (Status.REFUSED, "duplicate", original)
    assert Follower.objects.filter(report=original, user=second_reporter).exists()
    with pytest.raises(InvalidInput):
        actions.merge(ff.report(p), by=p.triage, original="PA-00-NONE")


def test_answer_without_text_rating_twice_transfer_to_same_unit_and_acting_when_closed():
    p = ff.place()
    ff.route(p)
    owner = ff.citizen()
    r = actions.accept(ff.report(p, by=owner), by=p.triage)
    with pytest.raises(InvalidInput) as err:
        actions.handle(r, by=p.handler, answer="  ")
    assert err.value.fields == {"answer": "Nhập nội dung trả lời."}
    with pytest.raises(InvalidInput) as err:
        actions.transfer(r, by=p.handler, unit=p.committee.pk, reason="thử")
    assert "trùng" in err.value.message
    r = actions.start(r, by=p.handler)
    r = actions.handle(r, by=p.handler, answer="Đã xử lý xong việc này.")
    r = actions.publish_answer(r, by=p.triage)
    r = actions.rate(r, by=owner, satisfied=True)
    with pytest.raises(Conflict) as err:
        actions.rate(r, by=owner, satisfied=False)
    assert err.value.message == "Bạn đã đánh giá trả lời này."
    assert Rating.objects.filter(report=r).count() == 1
    with pytest.raises(Conflict) as err:
        actions.transfer(r, by=p.handler, unit=ff.department()[0].pk, reason="x")
    assert "đã đóng" in err.value.message


def test_not_satisfied_reopens_when_the_category_allows_and_is_counted():
    p = ff.place()
    ff.route(p)
    owner = ff.citizen()
    r = _through_answer(p, ff.report(p, by=owner))
    r = actions.rate(r, by=owner, satisfied=False, comment="Rác vẫn còn")
    assert r.status == Status.RATED
    assert [m.verb for m in transitions.actions_for(owner, r)] == ["reopen"]
    r = actions.reopen(r, by=owner, note="Rác vẫn còn", now=ff.at("2026-03-04", 9))
    assert (r.status, r.reopen_count) == (Status.IN_PROGRESS, 1)
    assert r.handle_due > ff.at("2026-03-04", 9)
    # the second answer may be rated again (one rating per answer)
    r = actions.handle(r, by=p.handler, answer="Đã thu gom lần hai.")
    r = actions.publish_answer(r, by=p.triage)
    r = actions.rate(r, by=owner, satisfied=True)
    assert r.status == Status.CLOSED and r.ratings.count() == 2


def test_reopen_refused_when_the_category_does_not_allow_it():
    p = ff.place()
    ff.route(p, "khac")
    assert not Category.objects.get(code="khac").reopen_allowed
    owner = ff.citizen()
    r = _through_answer(p, ff.report(p, by=owner, code="khac"))
    r = actions.rate(r, by=owner, satisfied=False)
    with pytest.raises(Conflict) as err:
        actions.reopen(r, by=owner)
    assert "không cho phép" in err.value.message
    r = actions.close(r, by=p.triage)
    assert r.status == Status.CLOSED


def test_only_officials_of_the_agency_act_and_only_the_reporter_rates():
    p, elsewhere = ff.place(), ff.place("Phường Khác Thử")
    ff.route(p)
    owner = ff.citizen()
    r = ff.report(p, by=owner)
    with pytest.raises(NotAllowed):
        actions.accept(r, by=elsewhere.triage)
    with pytest.raises(NotAllowed):
        actions.accept(r, by=owner)
    r = _through_answer(p, r)
    with pytest.raises(NotAllowed):
        actions.rate(r, by=ff.citizen("Người Lạ", "0933333333"), satisfied=True)
    assert not ReportEvent.objects.filter(verb="rate").exists()


def test_hotline_entry_by_an_operator_needs_the_callers_phone():
    p = ff.place()
    with pytest.raises(NotAllowed):
        ff.report(p, by=ff.citizen(), channel="hotline")
    with pytest.raises(InvalidInput) as err:
        ff.report(p, by=p.triage, channel="hotline")
    assert "reporter_phone" in err.value.fields
    r = ff.report(p, by=p.triage, channel="hotline", reporter_phone="0987 654 321", reporter_name="Bà Lan")
    assert (r.reporter, r.entered_by, r.reporter_phone) == (None, p.triage, "0987654321")
