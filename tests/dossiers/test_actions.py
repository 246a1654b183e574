"""Dossier actions: the lifecycle, deadlines, pauses, apology, transfer, permissions, concurrency."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F

from tests import factories_dossiers as fd
from thudo.core.calendars import calendar_for
from thudo.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from thudo.dossiers import actions, deadlines, queries
from thudo.dossiers.models import (
    ApologyLetter,
    Attachment,
    AttachmentKind,
    Dossier,
    DossierEvent,
    NoticeForm,
    Status,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=HCM)


# 2026-12-04 is a Friday; 2026-12-07 a Monday; no holiday until 1 January.
FRIDAY_NIGHT = at(2026, 12, 4, 21, 0)
MONDAY_MORNING = at(2026, 12, 7, 8, 0)


@pytest.fixture
def w(db):
    return fd.world()


def test_online_submission_at_night_counts_from_the_next_working_morning(w):
    d = fd.submit(w, at=FRIDAY_NIGHT)
    assert d.status == Status.SUBMITTED
    assert d.code.startswith(f"{w.agency.code}-261204-")
    assert len(d.code.rsplit("-", 1)[1]) >= 4
    assert len(d.secret) == 8
    assert d.clock_started_at == MONDAY_MORNING
    # 3 working days = 24 working hours from Monday 08:00 → Wednesday 17:00.
    assert d.due_at == at(2026, 12, 9, 17, 0)
    assert d.attachments.filter(kind=AttachmentKind.PAPER).count() == 2
    assert d.fee_amount == 0
    assert d.events.get().verb == "submit"


def test_receive_starts_step_one_and_issues_the_receipt(w):
    d = fd.submit(w, at=FRIDAY_NIGHT)
    d = actions.receive(d, by=w.reception, now=at(2026, 12, 7, 9, 0))
    assert d.status == Status.PROCESSING
    assert d.current_step.order == 1
    assert d.due_at == at(2026, 12, 9, 17, 0)  # the clock counted from arrival
    assert d.step_due_at == at(2026, 12, 7, 10, 0)  # 2 working hours after Monday 08:00
    receipt = d.attachments.get(kind=AttachmentKind.NOTICE, form=NoticeForm.RECEIPT)
    assert receipt.content_type == "application/pdf"
    assert receipt.file.read(5) == b"%PDF-"


def test_full_lifecycle_to_rating(w):
    d = fd.submit(w, at=FRIDAY_NIGHT)
    d = actions.receive(d, by=w.reception, now=at(2026, 12, 7, 9, 0))
    d = actions.forward(d, by=w.reception, assignee=w.specialist, now=at(2026, 12, 7, 9, 30))
    assert d.current_step.order == 2 and d.assignee == w.specialist
    d = actions.forward(d, by=w.specialist, now=at(2026, 12, 8, 9, 30))
    assert d.current_step.role == "leader"
    assert list(queries.queue(w.leader, kind="signing")) == [d]
    d = actions.approve_and_sign(d, by=w.leader, now=at(2026, 12, 8, 10, 0))
    assert d.status == Status.RESULT_READY
    result = d.results.get()
    assert result.signed and result.signed_by == w.leader
    assert deadlines.classify(d) == deadlines.EARLY
    d = actions.return_result(d, by=w.reception, now=at(2026, 12, 8, 14, 0))
    assert d.status == Status.RETURNED
    rating = actions.rate(d, by=w.citizen, scores={"attitude": 5, "time": 5, "result": 4}, comment="Tốt")
    assert rating.scores["result"] == 4
    with pytest.raises(Conflict):
        actions.rate(d, by=w.citizen, scores={"attitude": 5, "time": 5, "result": 4})
    verbs = list(d.events.values_list("verb", flat=True))
    assert verbs == ["submit", "receive", "forward", "forward", "sign", "return", "rate"]


def test_forward_past_the_last_step_is_refused(w):
    d = actions.receive(fd.submit(w), by=w.reception)
    d = actions.forward(d, by=w.reception)
    d = actions.forward(d, by=w.specialist)
    with pytest.raises(Conflict):
        actions.forward(d, by=w.leader)


def test_stale_forward_is_a_conflict(w):
    d = actions.receive(fd.submit(w), by=w.reception)
    actions.forward(d, by=w.reception, from_step=1)
    with pytest.raises(Conflict):
        actions.forward(d, by=w.reception, from_step=1)


def test_second_officer_receiving_gets_conflict(w):
    d = fd.submit(w)
    stale = Dossier.objects.get(pk=d.pk)
    actions.receive(d, by=w.reception)
    with pytest.raises(Conflict):
        actions.receive(stale, by=w.reception)
    assert DossierEvent.objects.filter(dossier=d, verb="receive").count() == 1


def test_idempotent_submission_returns_the_same_dossier(w):
    first = fd.submit(w, key="abc-123")
    for _ in range(5):
        again = fd.submit(w, key="abc-123")
        assert again.pk == first.pk
    assert Dossier.objects.count() == 1
    other = fd.submit(w, key="abc-124")
    assert other.pk != first.pk


def test_same_key_from_another_person_is_another_dossier(w):
    first = fd.submit(w, key="k1")
    second = actions.submit_online(
        procedure=w.procedure,
        agency=w.agency,
        applicant={"name": "Trần Thị Bình"},
        form_data={},
        files=[fd.pdf_file(), fd.pdf_file()],
        by=w.other_citizen,
        idempotency_key="k1",
    )
    assert first.pk != second.pk


def test_missing_mandatory_paper_is_refused_and_nothing_is_stored(w):
    with pytest.raises(InvalidInput) as exc:
        fd.submit(w, files=[fd.pdf_file()])
    assert "Giấy chứng sinh" in exc.value.message
    assert Dossier.objects.count() == 0 and Attachment.objects.count() == 0


def test_agency_not_offering_the_procedure_is_refused(w):
    dept = fd.commune("Sở Khác")
    dept.kind = "department"
    dept.save()
    with pytest.raises(InvalidInput):
        fd.submit(w, agency=dept)


def test_codes_restart_daily_and_count_up(w):
    a = fd.submit(w, at=at(2026, 12, 7, 9, 0))
    b = fd.submit(w, at=at(2026, 12, 7, 10, 0))
    c = fd.submit(w, at=at(2026, 12, 8, 9, 0))
    assert a.code.endswith("-261207-0001")
    assert b.code.endswith("-261207-0002")
    assert c.code.endswith("-261208-0001")


def test_code_date_is_the_local_date(w):
    # 23:30 in Hanoi on the 23rd is 16:30 UTC: the code carries the local date.
    d = fd.submit(w, at=at(2026, 12, 7, 23, 30).astimezone(ZoneInfo("UTC")))
    assert "-261207-" in d.code


def test_pause_adds_back_the_paused_working_time(w):
    d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
    due = d.due_at
    d = actions.pause(
        d, by=w.reception, reason="Chờ nộp lệ phí", kind="financial", now=at(2026, 12, 7, 10, 0)
    )
    assert d.status == Status.PAUSED
    d = actions.resume(d, by=w.reception, now=at(2026, 12, 8, 10, 0))  # 8 working hours later
    assert d.status == Status.PROCESSING
    assert d.due_at == calendar_for(w.agency).add_working_time(due, hours=8)
    assert d.paused_total == timedelta(hours=8)


def test_supplement_with_pause_policy_adds_back_the_wait(w):
    d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
    due = d.due_at
    d = actions.request_supplement(d, by=w.reception, reasons=["Thiếu bản sao"], now=at(2026, 12, 7, 14, 0))
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.supplement_count == 1
    assert d.attachments.filter(form=NoticeForm.SUPPLEMENT_REQUEST).exists()
    d = actions.supplement(d, by=w.citizen, files=[fd.png_file()], now=at(2026, 12, 7, 16, 0))
    assert d.status == Status.PROCESSING
    assert d.due_at == calendar_for(w.agency).add_working_time(due, hours=2)
    assert d.attachments.filter(kind=AttachmentKind.SUPPLEMENT).count() == 1


def test_supplement_with_restart_policy_restarts_the_duration(db):
    w = fd.world(supplement_policy="restart")
    d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
    d = actions.request_supplement(d, by=w.reception, reasons="Sai tên", now=at(2026, 12, 7, 14, 0))
    d = actions.supplement(d, by=w.citizen, files=[fd.pdf_file()], now=at(2026, 12, 9, 9, 0))
    assert d.clock_started_at == at(2026, 12, 9, 9, 0)
    assert d.due_at == calendar_for(w.agency).add_working_time(at(2026, 12, 9, 9, 0), hours=24)


def test_supplement_requested_before_receipt_starts_the_clock_at_the_supplement(w):
    d = fd.submit(w, at=MONDAY_MORNING)
    d = actions.request_supplement(d, by=w.reception, reasons="Ảnh mờ", now=at(2026, 12, 7, 9, 0))
    d = actions.supplement(d, by=w.citizen, files=[fd.pdf_file()], now=at(2026, 12, 8, 8, 0))
    assert d.received_at == at(2026, 12, 8, 8, 0)
    assert d.due_at == at(2026, 12, 10, 17, 0)
    assert d.current_step.order == 1


def test_two_supplement_requests_count_late(w):
    d = actions.receive(fd.submit(w), by=w.reception)
    for _ in range(2):
        d = actions.request_supplement(d, by=w.reception, reasons="Thiếu")
        d = actions.supplement(d, by=w.citizen, files=[fd.pdf_file()])
    d = actions.forward(actions.forward(d, by=w.reception), by=w.specialist)
    d = actions.approve_and_sign(d, by=w.leader)
    assert deadlines.classify(d) == deadlines.LATE


def test_overdue_is_derived_and_used_by_queues(w):
    d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
    before, after = at(2026, 12, 9, 16, 0), at(2026, 12, 10, 9, 0)
    assert not queries.is_overdue(d, before)
    assert queries.is_overdue(d, after)
    assert list(queries.queue(w.reception, kind="overdue", now=after)) == [d]
    assert list(queries.queue(w.reception, kind="overdue", now=before)) == []
    assert list(queries.queue(w.reception, kind="due_soon", now=before)) == [d]
    assert queries.queue(w.reception, kind="agency", now=after).get().overdue is True
    assert deadlines.classify(d, after) == deadlines.LATE


def test_finished_late_is_overdue_forever(w):
    d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
    d = actions.forward(d, by=w.reception, now=MONDAY_MORNING)
    d = actions.forward(d, by=w.specialist, now=MONDAY_MORNING)
    d = actions.approve_and_sign(d, by=w.leader, now=at(2026, 12, 10, 9, 0))
    assert queries.is_overdue(d, at(2027, 1, 1, 9, 0))
    assert deadlines.classify(d) == deadlines.LATE
    assert Dossier.objects.filter(deadlines.overdue_q()).get() == d


def test_on_time_is_the_due_date_before_the_due_moment(w):
    d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
    d = actions.forward(
        actions.forward(d, by=w.reception, now=MONDAY_MORNING), by=w.specialist, now=MONDAY_MORNING
    )
    d = actions.approve_and_sign(d, by=w.leader, now=at(2026, 12, 9, 16, 0))
    assert deadlines.classify(d) == deadlines.ON_TIME


def test_paused_dossier_is_not_overdue_while_the_clock_is_stopped(w):
    d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
    d = actions.pause(d, by=w.reception, reason="Chờ ý kiến", kind="opinion", now=at(2026, 12, 8, 9, 0))
    later = at(2026, 12, 24, 9, 0)
    assert not queries.is_overdue(d, later)
    assert not Dossier.objects.filter(deadlines.overdue_q(later)).exists()


def test_apology_once_at_least_a_working_day_before_due(w):
    d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
    old_due = d.due_at
    new_due = at(2026, 12, 14, 17, 0)
    letter = actions.apologize(
        d, by=w.specialist, new_due=new_due, reason="Chờ xác minh", now=at(2026, 12, 8, 9, 0)
    )
    d.refresh_from_db()
    assert letter.old_due == old_due and d.due_at == new_due and d.original_due_at == old_due
    assert d.attachments.filter(form=NoticeForm.APOLOGY).exists()
    with pytest.raises(Conflict):
        actions.apologize(d, by=w.specialist, new_due=at(2026, 12, 18, 17, 0), reason="Lần hai")
    assert ApologyLetter.objects.count() == 1
    # Still counts as late even when finished before the new date.
    d = actions.forward(actions.forward(d, by=w.reception), by=w.specialist)
    d = actions.approve_and_sign(d, by=w.leader, now=at(2026, 12, 9, 9, 0))
    assert deadlines.classify(d) == deadlines.LATE


def test_apology_still_counts_when_a_restarted_clock_lands_on_the_first_appointment(w):
    """A supplement under the "restart" policy recomputes the appointment, which can come back to
    the first one: the apology letter still makes the dossier late."""
    d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
    actions.apologize(
        d, by=w.specialist, new_due=at(2026, 12, 14, 17, 0), reason="Chờ xác minh", now=at(2026, 12, 8, 9, 0)
    )
    Dossier.objects.filter(pk=d.pk).update(due_at=F("original_due_at"), supplement_count=1)
    assert deadlines.classify(Dossier.objects.get(pk=d.pk)) == deadlines.LATE


def test_apology_too_close_to_the_due_moment_is_refused(w):
    d = actions.receive(fd.submit(w, at=MONDAY_MORNING), by=w.reception, now=MONDAY_MORNING)
    with pytest.raises(Conflict):
        actions.apologize(
            d, by=w.specialist, new_due=at(2026, 12, 14, 17, 0), reason="Muộn", now=at(2026, 12, 9, 10, 0)
        )
    assert not ApologyLetter.objects.exists()


def test_transfer_returns_to_the_parent_when_the_child_has_its_result(w):
    d = actions.receive(fd.submit(w), by=w.reception)
    child = actions.transfer(d, by=w.specialist, to_agency=w.other_agency, note="Liên thông")
    d.refresh_from_db()
    assert d.status == Status.TRANSFERRED and child.parent == d
    assert child.code.startswith(w.other_agency.code)
    assert child.attachments.count() == 2
    from tests import factories

    other_leader = fd.leader(w.other_agency, "lanhdao.khac")
    other_specialist = factories.official(role="specialist", agency=w.other_agency, username="cv.khac")
    child = actions.receive(child, by=w.other_officer)
    child = actions.forward(actions.forward(child, by=w.other_officer), by=other_specialist)
    actions.approve_and_sign(child, by=other_leader)
    d.refresh_from_db()
    assert d.status == Status.PROCESSING
    assert d.events.filter(verb="child_done").exists()


def test_reject_and_withdraw_are_terminal(w):
    d = fd.submit(w)
    d = actions.reject(d, by=w.reception, reasons=["Không thuộc thẩm quyền"])
    assert d.status == Status.REJECTED and d.finished_at
    assert d.attachments.filter(form=NoticeForm.REFUSAL).exists()
    with pytest.raises(Conflict):
        actions.receive(d, by=w.reception)
    e = fd.submit(w)
    e = actions.withdraw(e, by=w.citizen, reason="Nộp nhầm")
    assert e.status == Status.WITHDRAWN


def test_officer_of_another_agency_and_another_citizen_get_not_found(w):
    d = fd.submit(w)
    with pytest.raises(NotFound):
        actions.receive(d, by=w.other_officer)
    with pytest.raises(NotFound):
        actions.withdraw(d, by=w.other_citizen)
    with pytest.raises(NotFound):
        queries.by_code(w.other_officer, d.code)
    with pytest.raises(NotFound):
        queries.by_code(w.other_citizen, d.code)
    assert queries.by_code(w.citizen, d.code) == d


def test_citizen_cannot_receive_their_own_dossier(w):
    d = fd.submit(w)
    with pytest.raises(NotAllowed):
        actions.receive(d, by=w.citizen)


def test_only_the_applicant_rates(w):
    d = actions.receive(fd.submit(w), by=w.reception)
    d = actions.approve_and_sign(
        actions.forward(actions.forward(d, by=w.reception), by=w.specialist), by=w.leader
    )
    d = actions.return_result(d, by=w.reception)
    with pytest.raises(NotAllowed):
        actions.rate(d, by=w.reception, scores={"attitude": 5, "time": 5, "result": 5})
    with pytest.raises(InvalidInput):
        actions.rate(d, by=w.citizen, scores={"attitude": 9, "time": 5, "result": 5})


def test_counter_dossier_is_received_at_once_with_the_fee_paid(w):
    d = actions.create_at_counter(
        procedure=w.procedure,
        agency=w.agency,
        applicant=fd.APPLICANT,
        files=[fd.pdf_file(), fd.pdf_file()],
        by=w.reception,
        now=at(2026, 12, 7, 15, 0),
    )
    assert d.status == Status.PROCESSING and d.channel == "counter"
    assert d.payments.get().amount == 8000
    assert d.clock_started_at == at(2026, 12, 7, 15, 0)
    with pytest.raises(NotAllowed):
        actions.create_at_counter(
            procedure=w.procedure,
            agency=w.agency,
            applicant=fd.APPLICANT,
            files=[fd.pdf_file(), fd.pdf_file()],
            by=w.other_officer,
        )


def test_reuse_of_a_paper_from_an_earlier_dossier(w):
    first = fd.submit(w)
    paper = first.attachments.filter(kind=AttachmentKind.PAPER).first()
    second = fd.submit(w, files=[paper, fd.pdf_file()])
    reused = second.attachments.get(reused_from__isnull=False)
    assert reused.reused_from == paper and reused.sha256 == paper.sha256
    other_paper = fd.submit(w).attachments.first()
    with pytest.raises(InvalidInput):
        actions.submit_online(
            procedure=w.procedure,
            agency=w.agency,
            applicant=None,
            form_data={},
            files=[other_paper, fd.pdf_file()],
            by=w.other_citizen,
        )


def test_result_correction_is_a_new_version(w):
    d = actions.receive(fd.submit(w), by=w.reception)
    d = actions.forward(actions.forward(d, by=w.reception), by=w.specialist)
    draft = actions.attach_result(d, by=w.specialist, pdf=fd.pdf_bytes("ban du thao"))
    draft2 = actions.attach_result(d, by=w.specialist, pdf=fd.pdf_bytes("ban sua"))
    assert draft.pk == draft2.pk and draft2.version == 1  # unsigned drafts are replaced
    d = actions.approve_and_sign(d, by=w.leader)
    signed = d.results.get()
    assert signed.signed
    corrected = actions.attach_result(d, by=w.specialist, pdf=fd.pdf_bytes("dinh chinh"))
    assert corrected.version == 2 and corrected.supersedes == signed
    signed.refresh_from_db()
    assert signed.signed  # the signed version is untouched


def test_public_lookup_needs_the_secret_and_masks_the_name(w):
    d = fd.submit(w)
    view = queries.public_lookup(d.code, d.secret.lower())
    assert view.applicant_name == "N***** V** An"
    assert view.status == Status.SUBMITTED
    with pytest.raises(AttributeError):
        view.applicant_phone  # noqa: B018
    with pytest.raises(NotFound):
        queries.public_lookup(d.code, "WRONGSEC")
    with pytest.raises(NotFound):
        queries.public_lookup("nope", d.secret)
