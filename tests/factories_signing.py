"""Factories and builders for the signing app's tests."""

import datetime as dt

from django.utils import timezone

from tests.factories import AgencyFactory, official
from thudo.signing import pki


def leader_with_certificate(*, agency=None, username=None, full_name="Lê Quang Huy", title="Chủ tịch"):
    agency = agency or AgencyFactory(name="Ủy ban nhân dân Phường Hoàn Kiếm")
    user = official(role="leader", agency=agency, username=username)
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    credential = pki.issue_certificate(user, title=title, agency=agency)
    return user, credential


def paper_context(kind: str, **overrides) -> dict:
    """A complete, realistic context for ``render_paper(kind, ...)``."""
    now = timezone.now()
    base = {
        "agency_name": "Ủy ban nhân dân Phường Hoàn Kiếm",
        "parent_agency_name": "Ủy ban nhân dân Thành phố Hà Nội",
        "document_number": "15/PTN-UBND",
        "dossier_code": "000.00.12.H26-261121-0007",
        "applicant_name": "Nguyễn Thị Hường",
        "applicant_address": "Số 12 phố Hàng Bạc, Phường Hoàn Kiếm, Hà Nội",
        "applicant_phone": "0912345678",
        "procedure_name": "Chứng thực bản sao từ bản chính giấy tờ",
        "qr_url": "http://127.0.0.1:8000/ho-so/tra-cuu/000.00.12.H26-261121-0007/",
        "signer_name": "Lê Quang Huy",
        "signer_title": "Chủ tịch",
        "recipients": ["Như trên", "Lưu: VT"],
    }
    per_kind = {
        "receipt": {
            "papers": [
                {"name": "Đơn đề nghị chứng thực", "form": "Bản chính", "copies": 1},
                {"name": "Căn cước công dân", "form": "Bản sao", "copies": 2},
            ],
            "legal_duration": "02 ngày làm việc",
            "received_at": now,
            "appointment_at": now + dt.timedelta(days=2),
            "receiver_name": "Nguyễn Thị Lan",
        },
        "supplement_request": {
            "items": [
                {"what": "Bản sao giấy khai sinh", "why": "Hồ sơ thiếu giấy tờ chứng minh quan hệ nhân thân"}
            ],
            "received_at": now,
        },
        "refusal": {"reasons": ["Yêu cầu không thuộc thẩm quyền giải quyết của phường"]},
        "apology": {
            "reason": "Cần xác minh thông tin với cơ quan đăng ký cư trú",
            "old_due": now,
            "new_due": now + dt.timedelta(days=3),
        },
        "stop_notice": {"reason": "Người nộp hồ sơ đề nghị rút hồ sơ", "requested_at": now},
        "control_sheet": {
            "processing_agency": "Ủy ban nhân dân Phường Hoàn Kiếm",
            "handovers": [
                {
                    "step": "Tiếp nhận hồ sơ",
                    "from": "Nguyễn Thị Hường",
                    "to": "Bộ phận một cửa",
                    "due": now,
                    "actual": now,
                },
                {
                    "step": "Thẩm định",
                    "from": "Bộ phận một cửa",
                    "to": "Trần Văn Minh",
                    "due": now,
                    "actual": now + dt.timedelta(days=2),
                },
            ],
        },
        "register": {
            "period_text": "Từ ngày 01/12/2026 đến ngày 31/12/2026",
            "rows": [[1, "000.00.12.H26-261121-0007", "Đăng ký khai sinh", 1, "Nguyễn Thị Hường", "Hà Nội"]],
        },
        "result": {
            "title": "Quyết định cấp giấy phép",
            "paragraphs": ["Cấp giấy phép cho bà Nguyễn Thị Hường.", "Quyết định có hiệu lực từ ngày ký."],
        },
    }
    return {**base, **per_kind[kind], **overrides}
