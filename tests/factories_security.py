"""The scene of the permission matrix: two communes, every kind of actor, dossiers in several
states (with papers, notices, a signed result and its issued-document record), the owner's
citizen profile and notifications, an outbox message, a KPI report assignment with a
submission, and a published ranking. Built once per test module (see
``tests/security/test_permission_matrix.py``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.test import TestCase
from django.utils import timezone

from tests import factories
from tests import factories_dossiers as fd
from tests import factories_feedback as ff
from tests.factories_identity import CitizenFactory
from thudo.core import drafts
from thudo.core.models import Agency, User
from thudo.dossiers.models import AttachmentKind, Dossier
from thudo.feedback import actions as feedback

# Every actor of the matrix, in the order the tables list them.
ACTORS = (
    "anonymous",
    "owner",
    "other_citizen",
    "reception",
    "specialist",
    "leader",
    "other_officer",
    "agency_admin",
    "city_admin",
    "clerk",
)
PERIOD = "2026-10"
KPI_FIELDS = [{"key": "received", "label": "Số hồ sơ tiếp nhận", "type": "int", "required": True, "min": 0}]


@dataclass
class Scene:
    agency: Agency  # the owning agency (receives and processes the owner's dossiers)
    other_agency: Agency
    users: dict[str, User | None]
    done: Dossier  # the owner's dossier: returned, with a signed result
    waiting: Dossier  # the owner's dossier: submitted online, not yet received
    foreign: Dossier  # another citizen's dossier at the other agency
    params: dict[str, str] = field(default_factory=dict)  # values for the URL placeholders

    def user(self, actor: str) -> User | None:
        return self.users[actor]


def _users(agency: Agency, other: Agency) -> dict[str, User | None]:
    owner = factories.UserFactory(
        username="mt.chuho", full_name="Phạm Thị Chủ Hồ Sơ", email="chuho@example.vn"
    )
    CitizenFactory(
        user=owner,
        full_name="Phạm Thị Chủ Hồ Sơ",
        email="chuho@example.vn",
        phone="0987654321",
        address="Số 1",
    )
    other_citizen = factories.UserFactory(username="mt.nguoikhac", full_name="Lê Văn Người Khác")
    CitizenFactory(user=other_citizen, full_name="Lê Văn Người Khác", phone="0911111111")
    agency_admin = factories.official(role="agency_admin", agency=agency, username="mt.quantri")
    city_admin = factories.official(role="city_admin", agency=None, username="mt.thanhpho")
    User.objects.filter(pk__in=[agency_admin.pk, city_admin.pk]).update(is_staff=True)
    User.objects.filter(pk=city_admin.pk).update(is_superuser=True)
    return {
        "anonymous": None,
        "owner": owner,
        "other_citizen": other_citizen,
        "reception": factories.official(role="reception", agency=agency, username="mt.motcua"),
        "specialist": factories.official(role="specialist", agency=agency, username="mt.chuyenvien"),
        "leader": fd.leader(agency, "mt.lanhdao"),
        "other_officer": factories.official(role="reception", agency=other, username="mt.motcua.khac"),
        "agency_admin": User.objects.get(pk=agency_admin.pk),
        "city_admin": User.objects.get(pk=city_admin.pk),
        "clerk": factories.official(role="clerk", agency=agency, username="mt.vanthu"),
    }


def _submit(procedure, agency, by, name: str) -> Dossier:
    from thudo.dossiers import actions

    return actions.submit_online(
        procedure=procedure,
        agency=agency,
        applicant={"name": name, "phone": "0987654321", "email": "chuho@example.vn", "address": "Số 1"},
        form_data={"ten_tre": "Bé Ma Trận"},
        files=[fd.pdf_file("to-khai.pdf"), fd.pdf_file("chung-sinh.pdf")],
        by=by,
    )


def _finish(d: Dossier, u: dict) -> Dossier:
    """Receive, process, sign and hand over the result."""
    from thudo.dossiers import actions

    actions.receive(d, by=u["reception"], note="Đủ hồ sơ")
    actions.forward(d, by=u["reception"], note="", assignee=u["specialist"])
    actions.forward(d, by=u["specialist"], note="Đề nghị ký")
    actions.approve_and_sign(d, by=u["leader"])
    actions.return_result(d, by=u["reception"])
    return Dossier.objects.get(pk=d.pk)


def _kpi(scene_users: dict, agency: Agency, other: Agency) -> dict[str, str]:
    from thudo.kpi import actions as kpi_actions
    from thudo.kpi import compute, seed
    from thudo.kpi import queries as kpi_queries
    from thudo.kpi.models import Target

    seed.load()
    admin = scene_users["city_admin"]
    form = kpi_actions.create_form(by=admin, code="MT-01", name="Báo cáo ma trận", fields=KPI_FIELDS)
    mine, theirs = kpi_actions.assign(
        form, by=admin, agencies=[agency, other], period="2026-09", deadline=dt.date(2026, 10, 12)
    )
    sub = kpi_actions.submit(mine, by=scene_users["agency_admin"], values={"received": 3})
    kpi_actions.publish(PERIOD, by=admin, reason="Ma trận quyền")
    kpi_actions.publish(PERIOD, by=admin, set=kpi_queries.ranking_set(seed.TASKS_CODE))  # Plan 259
    # This month's live counts, so that dashboards list both communes.
    compute.rollup(timezone.localdate().replace(day=1))
    target = Target.objects.order_by("code").first()
    return {
        "pk": str(mine.pk),
        "assignment_other": str(theirs.pk),
        "submission": str(sub.pk),
        "form": form.code,
        "target": target.code if target else "none",
        "now_period": f"{timezone.localdate():%Y-%m}",
    }


def _notice(d: Dossier) -> None:
    """The receipt (form 01) as the agency issued it (papers are not rendered here: too slow)."""
    from django.core.files.base import ContentFile

    from thudo.dossiers.models import Attachment, NoticeForm

    a = Attachment(
        dossier=d,
        kind=AttachmentKind.NOTICE,
        form=NoticeForm.RECEIPT,
        original_name="giay-tiep-nhan.pdf",
        sha256="2" * 64,
        size=10,
        content_type="application/pdf",
        uploaded_at=d.received_at,
    )
    a.file.save("giay-tiep-nhan.pdf", ContentFile(fd.pdf_bytes("Giấy tiếp nhận")), save=False)
    a.save()


def _opendata(agency) -> dict[str, str]:
    """The agency's open-data organisation: a public dataset with a CSV file, a private one."""
    from django.core.files.base import ContentFile

    from thudo.opendata import actions as od

    org = od.organisation_for(agency)
    public = od.create_dataset(
        {"name": "ma-tran-cong-khai", "title": "Dữ liệu công khai", "owner_org": org.name}
    )
    resource = od.create_resource(
        public, {"name": "Bảng", "format": "CSV"}, upload=ContentFile(b"ma,ten\n1,A\n", name="bang.csv")
    )
    private = od.create_dataset(
        {"name": "ma-tran-noi-bo", "title": "Dữ liệu nội bộ", "owner_org": org.name, "private": True}
    )
    od.create_resource(private, {"name": "Nội bộ", "url": "https://example.vn/noi-bo.csv"})
    return {
        "dataset_name": public.name,
        "private_dataset_name": private.name,
        "resource_id": str(resource.pk),
        "private_resource_id": str(private.resources.get().pk),
        "filename": resource.filename,
        "dcat_fmt": "ttl",
        "organisation": org.name,
    }


def _task(users, agency: Agency, other: Agency):
    """A task the city administrator gave the owning agency (lead) on behalf of the other one."""
    from django.core.files.base import ContentFile

    from thudo.tasks import actions as task_actions
    from thudo.tasks.models import Plan

    plan = Plan.objects.create(code="01/KH-MT", title="Kế hoạch ma trận", year=2099, agency=other)
    task = task_actions.assign_one(
        by=users["city_admin"],
        assigner_agency=other,
        lead_agency=agency,
        title="Nhiệm vụ ma trận",
        deadline=dt.date(2099, 12, 31),
        plan=plan,
        files=[ContentFile(fd.pdf_bytes("Giao nhiem vu"), name="giao.pdf")],
    )
    return task, task.files.values_list("pk", flat=True).first(), plan


def _feedback(agency: Agency, users: dict) -> dict[str, str]:
    """Citizen feedback in the owning agency's commune: an answered report of the owner (with an
    after-photo), one waiting for acceptance, and the owner's draft of a new report."""
    ff.seeded()
    unit = factories.UnitFactory(code="99982", name="Phường Ma Trận Phản Ánh")
    Agency.objects.filter(pk=agency.pk).update(unit=unit)
    owner = users["owner"]
    submit = {
        "category": "moi-truong",
        "description": "Rác thải đổ trộm ở đầu ngõ đã nhiều ngày",
        "address": "Ngõ 3 Phường Ma Trận Phản Ánh",
        "commune": unit.pk,
    }
    done = feedback.submit(by=owner, **submit)
    done = feedback.accept(done, by=users["reception"], unit=agency.pk)
    done = feedback.handle(
        done, by=users["specialist"], answer="Đã thu gom rác thải.", photo_files=[("sau.jpg", ff.jpeg())]
    )
    done = feedback.publish_answer(done, by=users["reception"])
    waiting = feedback.submit(by=owner, **submit)
    draft = drafts.start(owner=owner, kind="feedback.report")
    return {
        "fb_code": done.code,
        "fb_waiting": waiting.code,
        "fb_photo": str(done.photos.get().pk),
        "fb_draft": str(draft.pk),
        "fb_step": "noi-dung",
        "fb_service": "moi-truong",
        "fb_commune": unit.code,
        "fb_rate": "rate",
        "fb_accept": "accept",
    }


def build_scene() -> Scene:
    """Everything the matrix needs; on-commit side effects (notifications, outbox) run."""
    from thudo.dossiers import actions
    from thudo.dossiers.actions import papers_rendered
    from thudo.notifications.models import Notification, OutboxMessage
    from thudo.signing.models import CertificateAuthority, IssuedDocument

    with TestCase.captureOnCommitCallbacks(execute=True), papers_rendered(False):
        agency = fd.commune("Phường Ma Trận A", code="000.00.81.H26")
        other = fd.commune("Phường Ma Trận B", code="000.00.82.H26")
        # A fee online too, so that the payment row answers who may pay, not "no fee" (issue 10, item 2).
        procedure = fd.procedure(
            code="1.009999", name="Đăng ký khai sinh (ma trận)", fees=(("online", 8000), ("counter", 8000))
        )
        users = _users(agency, other)
        done = _finish(_submit(procedure, agency, users["owner"], "Phạm Thị Chủ Hồ Sơ"), users)
        waiting = _submit(procedure, agency, users["owner"], "Phạm Thị Chủ Hồ Sơ")
        foreign = _submit(procedure, other, users["other_citizen"], "Lê Văn Người Khác")
        actions.receive(foreign, by=users["other_officer"], note="")  # counted in the other unit's KPI
        kpi = _kpi(users, agency, other)
        draft = actions.drafts.start_submission(procedure, by=users["owner"], initial={"agency": agency.pk})
        opendata = _opendata(agency)
        task, task_file, plan = _task(users, agency, other)
        feedback = _feedback(agency, users)
    _notice(done)
    paper = done.attachments.filter(kind=AttachmentKind.PAPER).order_by("pk").first()
    result = done.results.filter(signed=True).order_by("-version").first()
    notice = done.attachments.filter(kind=AttachmentKind.NOTICE).order_by("pk").first()
    issued = IssuedDocument.objects.order_by("pk").first()
    note = Notification.objects.filter(user=users["owner"]).order_by("pk").first()
    outbox = OutboxMessage.objects.order_by("pk").first()
    foreign_paper = foreign.attachments.order_by("pk").first()
    params = {
        "code": done.code,
        "waiting_code": waiting.code,
        "preview_fmt": "png",
        "attachment_id": str(paper.pk),
        "pk": str(paper.pk),
        "result_pk": str(result.pk),
        "form": notice.form if notice else "01",
        "procedure_code": procedure.code,
        "scheme": "2025",
        "unit_code": factories.UnitFactory(code="99981", name="Phường Ma Trận").code,
        "secret": done.secret,
        "other_agency_code": other.code,
        "missing_code": f"{agency.code}-000000-9999",
        "action": "receive",
        "kpi_period": "2026-09",
        "agency_code": agency.code,
        "sha256": issued.sha256 if issued else "0" * 64,
        "cert_kind": "ca",
        "cert_pk": str(CertificateAuthority.objects.order_by("pk").values_list("pk", flat=True).first() or 0),
        "cert_fmt": "pem",
        "notification_id": str(note.pk) if note else "0",
        "message_id": str(outbox.pk) if outbox else "0",
        "period": PERIOD,
        "version": "1",
        "foreign_code": foreign.code,
        "foreign_attachment": str(foreign_paper.pk),
        "draft_id": str(draft.pk),
        "step": "co-quan",
        "kind": "agency",
        "indicator": "1.1",
        "part": "numerator",
        "fmt": "csv",
        "unit_fmt": "xlsx",
        "task_id": str(task.pk),
        "task_file": str(task_file),
        "plan_id": str(plan.pk),
        "task_person": str(users["specialist"].pk),  # an official of the task's lead unit
        # the city admin's draft of the guided assign form
        "task_draft": str(drafts.start(owner=users["city_admin"], kind="tasks.assign").pk),
        "task_step": "noi-dung",
        "verb": "tiep-nhan",
        **{f"kpi_{k}": v for k, v in kpi.items()},
        **opendata,
        **feedback,
    }
    return Scene(
        agency=agency,
        other_agency=other,
        users=users,
        done=done,
        waiting=waiting,
        foreign=Dossier.objects.get(pk=foreign.pk),
        params=params,
    )
