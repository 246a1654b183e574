"""Results (dossiers.actions.results): replaced drafts leave no file behind."""

import pytest
from django.core.files.storage import default_storage

from tests import factories_dossiers as fd
from thudo.dossiers import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return fd.world()


def _at_leader(w):
    d = actions.receive(fd.submit(w), by=w.reception)
    return actions.forward(actions.forward(d, by=w.reception), by=w.specialist)


def test_a_replaced_draft_is_deleted_when_the_new_one_is_committed(w, django_capture_on_commit_callbacks):
    d = _at_leader(w)
    with django_capture_on_commit_callbacks(execute=True):
        first = actions.attach_result(d, by=w.specialist, pdf=fd.pdf_bytes("ban du thao"))
    first_name = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        second = actions.attach_result(d, by=w.specialist, pdf=fd.pdf_bytes("ban sua"))
    assert not default_storage.exists(first_name)
    assert default_storage.exists(second.file.name)


def test_the_unsigned_draft_is_deleted_with_the_signature(w, django_capture_on_commit_callbacks):
    d = _at_leader(w)
    with django_capture_on_commit_callbacks(execute=True):
        draft = actions.attach_result(d, by=w.specialist, pdf=fd.pdf_bytes("ban du thao co ten cong dan"))
    draft_name = draft.file.name
    with django_capture_on_commit_callbacks(execute=True):
        d = actions.approve_and_sign(d, by=w.leader)
    signed = d.results.get()
    assert signed.signed and signed.file.name != draft_name
    assert default_storage.exists(signed.file.name)
    assert not default_storage.exists(draft_name)  # not left for the orphan sweep
