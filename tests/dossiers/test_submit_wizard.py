"""The guided submission (issue 11, items 1 and 2), through the Django test client: steps saved as a
resumable draft, files stored at once and never lost on an error, inline errors, reuse of fitting
papers only, the e-form instead of the declaration and no identity paper for a verified citizen."""

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories
from tests.e2e.journeys import make_world, submit_online, upload
from thudo.core import drafts
from thudo.core.models import AgencyKind, Draft, DraftUpload
from thudo.core.orphans import remove_orphans
from thudo.core.text import vi_sort_key
from thudo.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def civil(db):
    return make_world(civil=True)


def start(client, world):
    client.force_login(world.citizen_user)
    response = client.get(f"/ho-so/nop/{world.procedure.code}/")
    assert response.status_code == 302
    draft = Draft.objects.get(owner=world.citizen_user)
    assert response["Location"] == f"/ho-so/nhap/{draft.pk}/co-quan/"
    return draft


def step_url(draft, step):
    return f"/ho-so/nhap/{draft.pk}/{step}/"


def through_applicant(client, world, draft):
    assert client.post(step_url(draft, "co-quan"), {"agency": world.agency.pk}).status_code == 302
    page = client.get(step_url(draft, "nguoi-nop")).content.decode()
    data = {
        "applicant_name": "Nguyễn Thị Hoa",
        "applicant_pin": world.citizen.pin,
        "applicant_phone": "0912345678",
        "applicant_address": "Số 1 phố Tràng Tiền",
    }
    assert client.post(step_url(draft, "nguoi-nop"), data).status_code == 302
    return page


def papers(world):
    return list(world.procedure.papers.all())


def test_the_agency_is_preselected_from_the_address_and_the_applicant_from_the_identity(client, world):
    draft = start(client, world)
    page = client.get(step_url(draft, "co-quan")).content.decode()
    # the citizen's address names Phường Hoàn Kiếm: that commune is chosen, the other is offered
    assert re.search(rf'<option value="{world.agency.pk}" selected>', page)
    assert "Ủy ban nhân dân Phường Ba Đình" in page
    assert "Bước 1/4" in page
    applicant = through_applicant(client, world, draft)
    assert 'value="Nguyễn Thị Hoa"' in applicant and f'value="{world.citizen.pin}"' in applicant
    assert "định danh đã xác thực" in applicant


def test_communes_are_listed_in_vietnamese_order_and_can_be_searched(client, world):
    for i, name in enumerate(
        ["Phường Ô Chợ Dừa", "Phường Đống Đa", "Phường Dịch Vọng", "Xã Ô Diên", "Phường Ngọc Hà"]
    ):
        factories.AgencyFactory(
            code=f"000.00.{40 + i}.H26", name=f"Ủy ban nhân dân {name}", kind=AgencyKind.COMMUNE_COMMITTEE
        )
    for i in range(5):
        factories.AgencyFactory(
            code=f"000.00.{60 + i}.H26", name=f"Ủy ban nhân dân Xã Yên {i}", kind=AgencyKind.COMMUNE_COMMITTEE
        )
    draft = start(client, world)
    page = client.get(step_url(draft, "co-quan")).content.decode()
    names = re.findall(r"<option value=\"\d+\"[^>]*>Ủy ban nhân dân ([^<]+)</option>", page)
    assert names == sorted(names, key=vi_sort_key)
    assert names.index("Phường Dịch Vọng") < names.index("Phường Đống Đa") < names.index("Phường Hoàn Kiếm")
    assert names.index("Phường Ngọc Hà") < names.index("Phường Ô Chợ Dừa")
    found = client.get(step_url(draft, "co-quan"), {"q": "dong da"}).content.decode()
    assert "Phường Đống Đa" in found and "Phường Dịch Vọng" not in found
    assert 'type="search"' in found


def test_vi_sort_key_puts_d_bar_after_d_and_o_hat_after_o():
    words = ["Ô", "Đa", "Ơn", "Ong", "Da", "Dư", "Oa", "Ưa", "Uy"]
    assert sorted(words, key=vi_sort_key) == ["Da", "Dư", "Đa", "Oa", "Ong", "Ô", "Ơn", "Uy", "Ưa"]


def test_a_missing_paper_keeps_the_attached_file_and_says_which_paper(client, world):
    draft = start(client, world)
    through_applicant(client, world, draft)
    first, second = papers(world)
    response = client.post(step_url(draft, "giay-to"), {f"paper_{first.pk}": upload("tờ khai.pdf")})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Vui lòng sửa các lỗi sau" in page and "autofocus" in page
    assert f'href="#id_paper_{second.pk}"' in page
    # the file that arrived is kept and shown, with the way to replace it
    assert "Đã đính kèm" in page and "tờ khai.pdf" in page and "thay tệp" in page
    assert DraftUpload.objects.filter(draft=draft, slot=f"paper-{first.pk}").count() == 1
    # the error sits next to the paper that lacks a file
    slot = page[page.index(f'id="slot-paper_{second.pk}"') :]
    assert "Giấy tờ này là bắt buộc" in slot[: slot.index("</div>")]
    # the next POST, with only the missing paper, goes through: nothing to upload twice
    ok = client.post(step_url(draft, "giay-to"), {f"paper_{second.pk}": upload("giay-chung-sinh.pdf")})
    assert ok.status_code == 302 and ok["Location"] == step_url(draft, "xem-lai")
    review = client.get(step_url(draft, "xem-lai")).content.decode()
    assert "tờ khai.pdf" in review and "giay-chung-sinh.pdf" in review
    done = client.post(step_url(draft, "xem-lai"), {"go": "next"})
    d = Dossier.objects.get()
    assert done["Location"] == f"/ho-so/{d.code}/da-nop/"
    assert sorted(a.original_name for a in d.attachments.all()) == ["giay-chung-sinh.pdf", "tờ khai.pdf"]
    # the draft and its stored files are gone once the dossier exists
    assert not Draft.objects.exists() and not DraftUpload.objects.exists()


def test_a_refused_file_does_not_remove_the_one_already_attached(client, world):
    draft = start(client, world)
    through_applicant(client, world, draft)
    first, _second = papers(world)
    client.post(step_url(draft, "giay-to"), {f"paper_{first.pk}": upload("to-khai.pdf")})
    bad = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    page = client.post(step_url(draft, "giay-to"), {f"paper_{first.pk}": bad}).content.decode()
    assert "Chỉ nhận tệp PDF" in page
    assert "to-khai.pdf" in page
    assert DraftUpload.objects.get(draft=draft).original_name == "to-khai.pdf"


def test_the_draft_is_listed_and_resumes_where_the_citizen_stopped(client, world):
    draft = start(client, world)
    through_applicant(client, world, draft)
    listing = client.get("/ho-so/nhap/").content.decode()
    assert "Đăng ký khai sinh" in listing and "Tiếp tục" in listing
    assert step_url(draft, "giay-to") in listing
    # opening the procedure again resumes the same draft at the same step
    again = client.get(f"/ho-so/nop/{world.procedure.code}/")
    assert again["Location"] == step_url(draft, "giay-to")
    assert Draft.objects.count() == 1
    assert "/ho-so/nhap/" in client.get("/ho-so/cua-toi/").content.decode()


def test_a_draft_belongs_to_its_owner_only(client, world):
    draft = start(client, world)
    client.force_login(world.stranger)
    assert client.get(step_url(draft, "co-quan")).status_code == 404
    assert client.post(f"/ho-so/nhap/{draft.pk}/xoa/").status_code == 404
    assert client.get(step_url(draft, "khong-co")).status_code == 404
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_discarding_a_draft_deletes_its_files(client, world, django_capture_on_commit_callbacks):
    draft = start(client, world)
    through_applicant(client, world, draft)
    client.post(step_url(draft, "giay-to"), {f"paper_{papers(world)[0].pk}": upload("a.pdf")})
    name = DraftUpload.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/ho-so/nhap/{draft.pk}/xoa/").status_code == 302
    assert not Draft.objects.exists() and not default_storage.exists(name)


def test_abandoned_drafts_expire_with_their_files(world, django_capture_on_commit_callbacks):
    draft = drafts.start(owner=world.citizen_user, kind="dossier.submit", subject=world.procedure.code)
    from thudo.dossiers import files

    row = drafts.attach(draft, slot="paper-1", upload=files.validate_upload(upload("old.pdf")))
    assert default_storage.exists(row.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        remove_orphans(now=timezone.now() + timedelta(days=31))
    assert not Draft.objects.exists() and not default_storage.exists(row.file.name)


def test_reuse_lists_only_earlier_papers_of_a_fitting_kind_with_short_labels(client, civil):
    submit_online_civil(civil)
    draft = start(client, civil)
    through_applicant(client, civil, draft)
    page = client.get(step_url(draft, "giay-to")).content.decode()
    by_kind = {p.kind: p for p in civil.procedure.papers.all()}
    birth = by_kind["birth"]
    # the birth certificate's choice offers the earlier birth certificate only
    block = page[page.index(f'name="reuse_{birth.pk}"') :]
    block = block[: block.index("</select>")]
    assert "2.pdf" in block and "1.pdf" not in block
    labels = re.findall(r"<option value=\"\d+\">([^<]+)</option>", block)
    assert labels and all(len(label) < 80 for label in labels)


def submit_online_civil(world):
    """An earlier dossier with the declaration and the birth certificate as files."""
    from thudo.dossiers import actions

    by_kind = {p.kind: p for p in world.procedure.papers.all()}
    return actions.submit_online(
        procedure=world.procedure,
        agency=world.agency,
        applicant=None,
        form_data={},
        files=[(by_kind["declaration"], upload("1.pdf")), (by_kind["birth"], upload("2.pdf"))],
        by=world.citizen_user,
    )


def test_a_verified_citizen_is_not_asked_for_identity_and_fills_the_e_form(client, civil):
    draft = start(client, civil)
    through_applicant(client, civil, draft)
    page = client.get(step_url(draft, "giay-to")).content.decode()
    by_kind = {p.kind: p for p in civil.procedure.papers.all()}
    assert f'name="paper_{by_kind["identity"].pk}"' not in page
    assert f'name="paper_{by_kind["declaration"].pk}"' not in page
    assert "Cơ sở dữ liệu quốc gia về dân cư" in page
    assert "Tờ khai điện tử" in page and 'name="ef-child_name"' in page
    # the e-form is checked on the server, the message next to the field; the file is kept
    bad = client.post(
        step_url(draft, "giay-to"),
        {
            "ef-child_name": "",
            "ef-child_birth_date": "31/02/2026",
            f"paper_{by_kind['birth'].pk}": upload("cs.pdf"),
        },
    )
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "Giá trị không hợp lệ." in text and "cs.pdf" in text
    ok = client.post(
        step_url(draft, "giay-to"),
        {
            "ef-child_name": "Nguyễn Minh An",
            "ef-child_birth_date": "2026-11-20",
            "ef-child_sex": "Nam",
            "ef-mother_name": "Nguyễn Thị Hoa",
        },
    )
    assert ok.status_code == 302
    review = client.get(step_url(draft, "xem-lai")).content.decode()
    assert (
        "Nguyễn Minh An" in review
        and "20/11/2026" in review
        and "khai thác từ CSDL quốc gia về dân cư" in review
    )
    client.post(step_url(draft, "xem-lai"), {"go": "next"})
    d = Dossier.objects.get()
    assert d.form_data["eform"]["child_name"] == "Nguyễn Minh An"
    assert d.form_data["eform"]["child_birth_date"] == "2026-11-20"
    assert [a.paper.kind for a in d.attachments.select_related("paper")] == ["birth"]
    # the one-stop officer reads the declaration and sees which papers were not asked
    client.force_login(civil.reception)
    work = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert "Tờ khai điện tử" in work and "Nguyễn Minh An" in work and "20/11/2026" in work
    assert "Giấy tờ tùy thân" in work and "Cơ sở dữ liệu quốc gia về dân cư" in work


def test_an_unverified_citizen_must_upload_the_identity_paper(civil):
    from thudo.core.errors import InvalidInput
    from thudo.dossiers import actions

    civil.citizen.verified_at = None
    civil.citizen.save()
    by_kind = {p.kind: p for p in civil.procedure.papers.all()}
    with pytest.raises(InvalidInput) as exc:
        actions.submit_online(
            procedure=civil.procedure,
            agency=civil.agency,
            applicant=None,
            form_data={
                "eform": {
                    "child_name": "An",
                    "child_birth_date": "2026-11-20",
                    "child_sex": "Nam",
                    "mother_name": "Hoa",
                }
            },
            files=[(by_kind["birth"], upload("cs.pdf"))],
            by=civil.citizen_user,
        )
    assert "Giấy tờ tùy thân" in exc.value.message


def test_the_write_path_checks_the_e_form_answers(civil):
    from thudo.core.errors import InvalidInput
    from thudo.dossiers import actions

    by_kind = {p.kind: p for p in civil.procedure.papers.all()}
    with pytest.raises(InvalidInput) as exc:
        actions.submit_online(
            procedure=civil.procedure,
            agency=civil.agency,
            applicant=None,
            form_data={"eform": {"child_name": "An", "child_sex": "Không rõ"}},
            files=[(by_kind["birth"], upload("cs.pdf"))],
            by=civil.citizen_user,
        )
    assert "eform.child_sex" in exc.value.fields and "eform.child_birth_date" in exc.value.fields


def test_earlier_dossier_helper_still_submits(world):
    assert submit_online(world).attachments.count() == 2


def test_a_second_click_on_submit_shows_the_same_receipt(client, world):
    draft = start(client, world)
    through_applicant(client, world, draft)
    first, second = papers(world)
    client.post(step_url(draft, "giay-to"), {f"paper_{first.pk}": upload(), f"paper_{second.pk}": upload()})
    one = client.post(step_url(draft, "xem-lai"), {"go": "next"})
    two = client.post(step_url(draft, "xem-lai"), {"go": "next"})
    assert one["Location"] == two["Location"]
    assert Dossier.objects.count() == 1


def test_an_earlier_paper_can_be_reused_in_the_guided_form(client, world):
    earlier = submit_online(world)
    draft = start(client, world)
    through_applicant(client, world, draft)
    first, second = papers(world)
    old = earlier.attachments.get(paper=second)
    page = client.get(step_url(draft, "giay-to")).content.decode()
    assert "Hoặc dùng lại giấy tờ đã nộp" in page
    client.post(
        step_url(draft, "giay-to"), {f"paper_{first.pk}": upload(), f"reuse_{second.pk}": str(old.pk)}
    )
    assert "dùng lại" in client.get(step_url(draft, "xem-lai")).content.decode()
    client.post(step_url(draft, "xem-lai"), {"go": "next"})
    new = Dossier.objects.exclude(pk=earlier.pk).get()
    assert new.attachments.get(paper=second).reused_from == old


def test_wrong_applicant_data_stays_on_the_step_with_vietnamese_messages(client, world):
    draft = start(client, world)
    client.post(step_url(draft, "co-quan"), {"agency": world.agency.pk})
    response = client.post(step_url(draft, "nguoi-nop"), {"applicant_name": "", "applicant_pin": "12345"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in page and "Vui lòng nhập thông tin này." in page
    assert not Dossier.objects.exists()


def test_the_supplement_form_shows_each_reason_with_its_upload_and_keeps_files(client, world):
    from thudo.dossiers import actions

    d = submit_online(world)
    actions.request_supplement(
        d, by=world.reception, reasons=["Giấy chứng sinh bị mờ", "Thiếu chữ ký trên tờ khai"]
    )
    client.force_login(world.citizen_user)
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Giấy chứng sinh bị mờ" in page and "Thiếu chữ ký trên tờ khai" in page
    assert 'name="item_0"' in page and 'name="item_1"' in page
    bad = SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf")
    response = client.post(
        f"/ho-so/{d.code}/bo-sung/", {"item_0": upload("chung-sinh-ro.pdf"), "item_1": bad}
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "chung-sinh-ro.pdf" in text and "Chỉ nhận tệp PDF" in text
    draft = Draft.objects.get(kind="dossier.supplement")
    ok = client.post(
        f"/ho-so/{d.code}/bo-sung/", {"draft": draft.pk, "item_1": upload("to-khai-ky.pdf"), "note": ""}
    )
    assert ok.status_code == 302
    names = set(d.attachments.filter(kind="supplement").values_list("original_name", flat=True))
    assert names == {"chung-sinh-ro.pdf", "to-khai-ky.pdf"}


def test_counter_reception_keeps_scanned_papers_after_an_error(client, world):
    client.force_login(world.reception)
    first, second = papers(world)
    counter = "/can-bo/tiep-nhan/tai-quay/"
    code = world.procedure.code
    applicant = {"applicant_name": "Trần Văn Quầy", "applicant_pin": "001090012345"}
    step1 = client.post(
        counter, {"thu_tuc": code, "step": "nguoi-nop", "agency": world.agency.pk} | applicant
    )
    assert step1.status_code == 302
    draft = Draft.objects.get(kind="dossier.counter")
    # one scanned paper refused (not a PDF): the other is kept, the error is next to the refused one
    bad = client.post(
        counter,
        {
            "thu_tuc": code,
            "step": "giay-to",
            "draft": draft.pk,
            f"paper_{first.pk}": upload("quet-to-khai.pdf"),
            f"paper_{second.pk}": SimpleUploadedFile(
                "quet.pdf", b"not a pdf", content_type="application/pdf"
            ),
        },
    )
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "quet-to-khai.pdf" in page and "Đã đính kèm" in page and "has-error" in page
    ok = client.post(
        counter,
        {
            "thu_tuc": code,
            "step": "giay-to",
            "draft": draft.pk,
            f"paper_{second.pk}": upload("quet-chung-sinh.pdf"),
        },
    )
    assert ok.status_code == 302
    # the review finds the applicant wrong after all (saved before a rule changed, say): nothing lost
    drafts.save(draft, data={"applicant": {"name": "Trần Văn Quầy", "pin": "123"}})
    refused = client.post(counter, {"thu_tuc": code, "step": "xem-lai", "draft": draft.pk})
    assert refused.status_code == 422
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in refused.content.decode()
    assert "quet-to-khai.pdf" in refused.content.decode()
    drafts.save(draft, data={"applicant": {"name": "Trần Văn Quầy", "pin": "001090012345"}})
    done = client.post(counter, {"thu_tuc": code, "step": "xem-lai", "draft": draft.pk})
    assert done.status_code == 302
    d = Dossier.objects.get()
    assert sorted(d.attachments.filter(kind="paper").values_list("original_name", flat=True)) == [
        "quet-chung-sinh.pdf",
        "quet-to-khai.pdf",
    ]
    # another officer cannot use that (now gone) draft, and a new walk-in starts empty
    assert not Draft.objects.exists()
    fresh = client.get(counter, {"thu_tuc": code}).content.decode()
    assert "Đã đính kèm" not in fresh and "Bước 1/3" in fresh
    other = factories.official(role="reception", agency=world.agency, username="motcua2")
    client.force_login(other)
    assert client.get(counter, {"thu_tuc": code, "ban_nhap": draft.pk, "buoc": "giay-to"}).status_code == 404


def test_ticking_remove_drops_an_attached_file_and_the_paper_is_asked_again(client, world):
    draft = start(client, world)
    through_applicant(client, world, draft)
    first, second = papers(world)
    client.post(step_url(draft, "giay-to"), {f"paper_{first.pk}": upload("sai.pdf")})
    page = client.get(step_url(draft, "giay-to")).content.decode()
    assert f'name="remove" value="paper-{first.pk}"' in page and 'type="checkbox"' in page
    response = client.post(
        step_url(draft, "giay-to"), {"remove": f"paper-{first.pk}", f"paper_{second.pk}": upload("b.pdf")}
    )
    assert response.status_code == 422
    assert not DraftUpload.objects.filter(slot=f"paper-{first.pk}").exists()
    assert "sai.pdf" not in response.content.decode()
    # a new file sent with the box ticked replaces the old one
    ok = client.post(
        step_url(draft, "giay-to"), {"remove": f"paper-{first.pk}", f"paper_{first.pk}": upload("dung.pdf")}
    )
    assert ok.status_code == 302
    assert DraftUpload.objects.get(slot=f"paper-{first.pk}").original_name == "dung.pdf"


def test_the_review_step_sends_the_citizen_back_to_the_step_that_needs_a_fix(client, world):
    draft = start(client, world)
    through_applicant(client, world, draft)
    first, second = papers(world)
    client.post(step_url(draft, "giay-to"), {f"paper_{first.pk}": upload(), f"paper_{second.pk}": upload()})
    # the applicant's number became invalid meanwhile (e.g. edited in another tab)
    drafts.save(draft, data={"applicant": {"name": "Nguyễn Thị Hoa", "pin": "000000000000"}})
    response = client.post(step_url(draft, "xem-lai"), {"go": "next"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Chưa nộp được hồ sơ" in page and f'href="{step_url(draft, "nguoi-nop")}"' in page
    assert not Dossier.objects.exists() and DraftUpload.objects.count() == 2
