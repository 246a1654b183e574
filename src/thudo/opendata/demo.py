"""Demo content of the open-data catalogue: themes, 13 departments that registered datasets of
which 7 opened them (≥ 1 public dataset with ≥ 1 resource) — the seed figure of Hanoi's
catalogue —, one stale monthly dataset, a department editor, and the live datasets."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from thudo.core import actions as core_actions
from thudo.core.models import Agency, AgencyKind, Role, User
from thudo.opendata import actions
from thudo.opendata.models import Dataset

DEMO_PASSWORD = "thudoso-demo-2026"  # noqa: S105 (printed demo password, demo data only)
EDITOR = ("dulieu.xaydung", "Trịnh Văn Nam", "SXD")

GROUPS = [
    ("giao-thong", "Giao thông, vận tải"),
    ("moi-truong", "Môi trường"),
    ("y-te", "Y tế"),
    ("giao-duc", "Giáo dục"),
    ("kinh-te", "Kinh tế, tài chính"),
    ("hanh-chinh", "Hành chính công"),
    ("van-hoa-du-lich", "Văn hóa, du lịch"),
]

# abbreviation -> (name, title, group, tags, CSV or None, public)
OPENED = {
    "SXD": (
        "giao-thong-diem-trong-giu-xe",
        "Điểm trông giữ xe công cộng",
        "giao-thong",
        ["giao thông", "bãi đỗ xe"],
        (
            "ma,ten,phuong,suc_chua\n"
            "1,Bãi đỗ xe Trần Nhật Duật,Hoàn Kiếm,220\n"
            "2,Bãi đỗ xe Long Biên,Hoàn Kiếm,150\n"
            "3,Bãi đỗ xe Nguyễn Công Trứ,Hai Bà Trưng,180\n"
        ),
    ),
    "SNNMT": (
        "chat-luong-khong-khi",
        "Chỉ số chất lượng không khí (AQI) theo trạm",
        "moi-truong",
        ["môi trường", "không khí"],
        "tram,ngay,aqi\nHoàn Kiếm,2026-11-01,87\nCầu Giấy,2026-11-01,102\nLong Biên,2026-11-01,95\n",
    ),
    "SYT": (
        "co-so-kham-chua-benh",
        "Cơ sở khám bệnh, chữa bệnh được cấp phép",
        "y-te",
        ["y tế"],
        (
            "ma,ten,loai,phuong\n"
            "BV01,Bệnh viện Đa khoa Xanh Pôn,Bệnh viện,Ba Đình\n"
            "BV02,Bệnh viện Thanh Nhàn,Bệnh viện,Hai Bà Trưng\n"
        ),
    ),
    "SGDĐT": (
        "truong-hoc",
        "Danh sách trường trung học phổ thông công lập",
        "giao-duc",
        ["giáo dục", "trường học"],
        (
            "ma,ten,phuong,chi_tieu_lop_10\n"
            "T01,THPT Chu Văn An,Tây Hồ,675\n"
            "T02,THPT Phan Đình Phùng,Ba Đình,675\n"
        ),
    ),
    "STC": (
        "doanh-nghiep-thanh-lap-moi",
        "Số doanh nghiệp thành lập mới theo tháng",
        "kinh-te",
        ["doanh nghiệp", "kinh tế"],
        "thang,so_doanh_nghiep\n2026-08,2415\n2026-09,2530\n2026-10,2611\n",
    ),
    "STP": (
        "to-chuc-hanh-nghe-cong-chung",
        "Tổ chức hành nghề công chứng",
        "hanh-chinh",
        ["công chứng", "tư pháp"],
        (
            "ma,ten,dia_chi\n"
            "CC01,Văn phòng công chứng Hoàn Kiếm,Hoàn Kiếm\n"
            "CC02,Phòng công chứng số 1,Hoàn Kiếm\n"
        ),
    ),
    "SDL": (
        "diem-du-lich",
        "Khu, điểm du lịch được công nhận",
        "van-hoa-du-lich",
        ["du lịch"],
        "ma,ten,phuong_xa\nDL01,Hồ Hoàn Kiếm và phụ cận,Hoàn Kiếm\nDL02,Làng gốm Bát Tràng,Bát Tràng\n",
    ),
}
# Registered, not opened: private (in preparation) or public without a resource yet.
REGISTERED = {
    "SNV": ("bien-che-cong-chuc", "Biên chế công chức theo cơ quan", "hanh-chinh", True),
    "SCT": ("cho-truyen-thong", "Chợ truyền thống", "kinh-te", False),
    "SKHCN": ("ha-tang-vien-thong", "Hạ tầng trạm viễn thông", "hanh-chinh", True),
    "SVHTT": ("di-tich-xep-hang", "Di tích được xếp hạng", "van-hoa-du-lich", False),
    "TTTP": ("ket-qua-tiep-cong-dan", "Kết quả tiếp công dân hằng tháng", "hanh-chinh", True),
    "SDTTG": ("co-so-tin-nguong", "Cơ sở tín ngưỡng, tôn giáo", "van-hoa-du-lich", False),
}


def _department(abbreviation: str) -> Agency | None:
    return Agency.objects.filter(kind=AgencyKind.DEPARTMENT, abbreviation=abbreviation).first()


def load(*, progress, stdout) -> list[tuple[str, str, str]]:
    if Dataset.objects.filter(name="giao-thong-diem-trong-giu-xe").exists():
        return []
    now = timezone.now()
    with transaction.atomic():
        for name, title in GROUPS:
            actions.create_group(name, title)
        for abbreviation, (name, title, group, tags, content) in OPENED.items():
            agency = _department(abbreviation)
            if agency is None:
                continue
            org = actions.organisation_for(agency)
            dataset = actions.create_dataset(
                {
                    "name": name,
                    "title": title,
                    "notes": f"{title} do {agency.short_name or agency.name} công bố.",
                    "owner_org": org.name,
                    "groups": [group],
                    "tags": tags,
                    "frequency": "MONTHLY",
                    "spatial": "Thành phố Hà Nội",
                    "maintainer": agency.short_name or agency.name,
                }
            )
            actions.create_resource(
                dataset,
                {"name": f"{title} (CSV)", "format": "CSV"},
                upload=ContentFile(content.encode("utf-8"), name=f"{name}.csv"),
            )
        for abbreviation, (name, title, group, private) in REGISTERED.items():
            agency = _department(abbreviation)
            if agency is None:
                continue
            org = actions.organisation_for(agency)
            dataset = actions.create_dataset(
                {
                    "name": name,
                    "title": title,
                    "notes": f"{title}: đã đăng ký trong danh mục, đang chuẩn bị dữ liệu.",
                    "owner_org": org.name,
                    "groups": [group],
                    "private": private,
                    "frequency": "QUARTERLY",
                }
            )
            if private:
                actions.create_resource(
                    dataset,
                    {"name": title, "url": f"https://dulieu.hanoi.example/{name}.csv", "format": "CSV"},
                )
        # One monthly dataset left behind: flagged stale on the indicators page.
        Dataset.objects.filter(name="doanh-nghiep-thanh-lap-moi").update(
            metadata_modified=now - dt.timedelta(days=75)
        )
        username, full_name, abbreviation = EDITOR
        agency = _department(abbreviation)
        accounts = []
        if agency is not None:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = core_actions.create_user(
                    username=username,
                    password=None,
                    password_hash=make_password(DEMO_PASSWORD),
                    full_name=full_name,
                    is_staff=True,
                )
            core_actions.grant_role(user, role=Role.AGENCY_ADMIN, agency=agency, by=None)
            accounts.append((username, DEMO_PASSWORD, f"Biên tập dữ liệu mở — {agency.short_name}"))
    actions.refresh_live()
    return accounts
