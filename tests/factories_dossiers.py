"""Builders for dossier tests: a published procedure with a 3-step process at a commune, its
officers, a citizen, and small valid files. Dossiers themselves are made through the actions."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from thudo.core.models import Agency, AgencyKind, User
from thudo.core.text import fold
from thudo.procedures.models import Fee, Field, Procedure, Process, ProcessStep, RequiredPaper

CITIZEN_PASSWORD = factories.PASSWORD


def pdf_bytes(text: str = "Thu do so") -> bytes:
    """A minimal valid one-page PDF."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def png_bytes(size=(20, 20)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, "PNG")
    return buf.getvalue()


def pdf_file(name: str = "to-khai.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(name), content_type="application/pdf")


def png_file(name: str = "anh.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def commune(name: str = "Phường Thử Nghiệm A", code: str | None = None) -> Agency:
    kwargs = {"code": code} if code else {}
    return factories.AgencyFactory(
        name=f"Ủy ban nhân dân {name}", short_name=f"UBND {name}", kind=AgencyKind.COMMUNE_COMMITTEE, **kwargs
    )


def procedure(
    *,
    code: str = "1.001193",
    name: str = "Đăng ký khai sinh",
    agency: Agency | None = None,
    duration_value: Decimal = Decimal(3),
    duration_unit: str = "working_days",
    cutoff: time | None = None,
    papers: tuple[tuple[str, bool], ...] = (("Tờ khai đăng ký khai sinh", True), ("Giấy chứng sinh", True)),
    steps: tuple[tuple[str, str, str], ...] = (
        ("Tiếp nhận hồ sơ", "reception", "2"),
        ("Thẩm định, trình ký", "specialist", "14"),
        ("Phê duyệt, ký kết quả", "leader", "4"),
    ),
    supplement_policy: str = "pause",
    fees: tuple[tuple[str, int], ...] = (("online", 0), ("counter", 8000)),
    result_type: str = "document",
) -> Procedure:
    """A published procedure (commune level when ``agency`` is None) with its default process."""
    field = Field.objects.get_or_create(code="HT", defaults={"name": "Hộ tịch"})[0]
    p = Procedure.objects.create(
        code=code,
        version=1,
        status="published",
        name=name,
        field=field,
        level="department" if agency else "commune",
        agency=agency,
        duration_value=duration_value,
        duration_unit=duration_unit,
        cutoff_time=cutoff,
        online_level="full",
        result_type=result_type,
        result_name="Giấy khai sinh",
        search_text=fold(name),
    )
    for i, (paper_name, mandatory) in enumerate(papers):
        RequiredPaper.objects.create(procedure=p, order=i + 1, name=paper_name, mandatory=mandatory)
    for channel, amount in fees:
        Fee.objects.create(
            procedure=p, channel=channel, amount=amount, name="Lệ phí", valid_from=date(2025, 7, 1)
        )
    process = Process.objects.create(procedure=p, supplement_policy=supplement_policy, status="published")
    for i, (step_name, role, hours) in enumerate(steps):
        ProcessStep.objects.create(
            process=process, order=i + 1, name=step_name, role=role, duration_hours=Decimal(hours)
        )
    return p


@dataclass
class World:
    agency: Agency
    other_agency: Agency
    procedure: Procedure
    reception: User
    specialist: User
    leader: User
    citizen: User
    other_citizen: User
    other_officer: User


def leader(agency: Agency, username: str) -> User:
    """A leader with a signing certificate from the platform's demo CA."""
    from thudo.signing import pki

    user = factories.official(role="leader", agency=agency, username=username)
    pki.issue_certificate(user, title="Chủ tịch", agency=agency)
    return user


def world(**procedure_kwargs) -> World:
    agency = commune("Phường Thử Nghiệm A")
    other = commune("Phường Thử Nghiệm B")
    citizen = factories.UserFactory(username="congdan", full_name="Nguyễn Văn An", email="an@example.vn")
    return World(
        agency=agency,
        other_agency=other,
        procedure=procedure(**procedure_kwargs),
        reception=factories.official(role="reception", agency=agency, username="motcua"),
        specialist=factories.official(role="specialist", agency=agency, username="chuyenvien"),
        leader=leader(agency, "lanhdao"),
        citizen=citizen,
        other_citizen=factories.UserFactory(username="congdan2", full_name="Trần Thị Bình"),
        other_officer=factories.official(role="reception", agency=other, username="motcua.khac"),
    )


APPLICANT = {"name": "Nguyễn Văn An", "phone": "0912345678", "email": "an@example.vn", "address": "Hà Nội"}


def submit(w: World, *, at=None, key=None, files=None, agency=None):
    from thudo.dossiers import actions

    return actions.submit_online(
        procedure=w.procedure,
        agency=agency or w.agency,
        applicant=APPLICANT,
        form_data={"ten_tre": "Nguyễn Văn Bé"},
        files=files if files is not None else [pdf_file("to-khai.pdf"), pdf_file("chung-sinh.pdf")],
        by=w.citizen,
        idempotency_key=key,
        now=at,
    )
