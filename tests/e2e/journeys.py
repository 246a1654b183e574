"""A small city for the dossier pages and journeys: one commune committee offering "Đăng ký khai
sinh" (two papers, a three-step internal process), its one-stop officer, specialist and leader,
and a citizen whose identity is verified. Shared by the page tests and the browser tests."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from django.utils import timezone

from tests import factories, factories_procedures
from thudo.core.models import AgencyKind

PASSWORD = factories.PASSWORD
BIRTH_CODE = "1.001193"
BIRTH_NAME = "Đăng ký khai sinh"
PAPERS = (("Tờ khai đăng ký khai sinh", "Mẫu TK-KS"), ("Giấy chứng sinh", ""))
# The civil-status variant (issue 11, "do not ask for what the state holds"): the declaration is an
# e-form, the identity paper is read from the population database for a verified citizen.
CIVIL_PAPERS = (
    {"name": "Tờ khai đăng ký khai sinh", "form_name": "Mẫu TK-KS", "kind": "declaration"},
    {"name": "Giấy chứng sinh", "kind": "birth"},
    {"name": "Giấy tờ tùy thân", "kind": "identity", "from_population_db": True},
    {
        "name": "Giấy tờ chứng minh thông tin về cư trú",
        "kind": "residence",
        "mandatory": False,
        "from_population_db": True,
    },
)
BIRTH_EFORM = [
    {"name": "child_name", "label": "Họ, chữ đệm, tên của trẻ", "type": "text"},
    {"name": "child_birth_date", "label": "Ngày sinh của trẻ", "type": "date"},
    {"name": "child_sex", "label": "Giới tính", "type": "choice", "choices": ["Nam", "Nữ"]},
    {"name": "mother_name", "label": "Họ, chữ đệm, tên của mẹ", "type": "text"},
]
STEPS = (
    ("Tiếp nhận, kiểm tra hồ sơ", "reception", 4),
    ("Thẩm định, trình ký", "specialist", 12),
    ("Phê duyệt, ký số", "leader", 8),
)


@dataclass
class World:
    agency: object
    other_agency: object
    procedure: object
    reception: object
    specialist: object
    leader: object
    citizen_user: object
    citizen: object
    stranger: object


def make_world(*, civil: bool = False) -> World:
    agency = factories.AgencyFactory(
        code="000.00.21.H26",
        name="Ủy ban nhân dân Phường Hoàn Kiếm",
        short_name="UBND Phường Hoàn Kiếm",
        kind=AgencyKind.COMMUNE_COMMITTEE,
    )
    other = factories.AgencyFactory(
        code="000.00.22.H26",
        name="Ủy ban nhân dân Phường Ba Đình",
        short_name="UBND Phường Ba Đình",
        kind=AgencyKind.COMMUNE_COMMITTEE,
    )
    procedure = factories_procedures.published(
        code=BIRTH_CODE,
        name=BIRTH_NAME,
        duration_value=Decimal(3),
        cutoff_time=time(15, 0),
        online_level="full",
        result_name="Giấy khai sinh",
        papers=CIVIL_PAPERS if civil else PAPERS,
        eform_schema=BIRTH_EFORM if civil else [],
        steps=STEPS,
    )
    reception = factories.official(role="reception", agency=agency, username="motcua")
    reception.full_name = "Lê Thị Một Cửa"
    reception.save()
    specialist = factories.official(role="specialist", agency=agency, username="chuyenvien")
    specialist.full_name = "Trần Văn Chuyên"
    specialist.save()
    leader = factories.official(role="leader", agency=agency, username="lanhdao")
    leader.full_name = "Phạm Văn Lãnh Đạo"
    leader.save()
    _certificate(leader, agency)
    citizen_user = factories.UserFactory(
        username="congdan", full_name="Nguyễn Thị Hoa", email="hoa@example.vn"
    )
    citizen = _citizen(citizen_user)
    stranger = factories.UserFactory(username="nguoila")
    return World(agency, other, procedure, reception, specialist, leader, citizen_user, citizen, stranger)


def _certificate(leader, agency) -> None:
    """The leader's demo signing certificate (signing app), so approve-and-sign can sign."""
    try:
        from thudo.signing.pki import issue_certificate
    except ImportError:  # signing not built yet
        return
    issue_certificate(leader, title="Chủ tịch", agency=agency)


def _citizen(user):
    try:
        from tests.factories_identity import CitizenFactory
    except ImportError:  # identity not built yet: the pages cope with a user without a citizen record
        return None
    return CitizenFactory(
        user=user,
        full_name="Nguyễn Thị Hoa",
        email="hoa@example.vn",
        phone="0912345678",
        address="Số 1 phố Tràng Tiền, Phường Hoàn Kiếm, Hà Nội",
        verified_at=timezone.now(),
    )


def pdf_bytes(text: str = "Thu do so") -> bytes:
    """A small valid one-page PDF."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(name: str = "giay-to.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes(name), content_type="application/pdf")


def submit_online(world: World, *, now=None):
    """The citizen's dossier for "Đăng ký khai sinh", submitted through the action (both papers)."""
    from thudo.dossiers import actions

    return actions.submit_online(
        procedure=world.procedure,
        agency=world.agency,
        applicant=None,
        form_data={},
        files=[(p, upload(f"{p.order}.pdf")) for p in world.procedure.papers.all()],
        by=world.citizen_user,
        now=now,
    )
