"""Transfers between agencies (liên thông): the child dossier and its way back to the parent."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from thudo.core import audit
from thudo.core.errors import InvalidInput
from thudo.core.text import clean
from thudo.dossiers import codes, deadlines
from thudo.dossiers.actions._common import _begin, _event, _move, _now
from thudo.dossiers.models import (
    Attachment,
    AttachmentKind,
    Dossier,
    EventVerb,
    Status,
)


def transfer(
    d: Dossier, *, by, to_agency, procedure=None, note: str = "", now: datetime | None = None
) -> Dossier:
    """Liên thông: a child dossier goes to ``to_agency`` (with copies of the papers); this dossier
    waits (transferred) and goes back to processing by itself when the child has its result.
    Returns the child."""
    at = _now(now)
    with transaction.atomic():
        d = _begin(d, by=by, verb="transfer", to=Status.TRANSFERRED)
        if to_agency.pk == d.processing_agency_id:
            raise InvalidInput(
                _("Chọn một cơ quan khác để liên thông."), fields={"to_agency": to_agency.code}
            )
        child_procedure = procedure or d.procedure
        child = Dossier(
            code=codes.new_code(to_agency, at),
            secret=codes.new_secret(),
            procedure=child_procedure,
            receiving_agency=to_agency,
            processing_agency=child_procedure.agency
            if child_procedure.agency_id and procedure
            else to_agency,
            applicant_user=d.applicant_user,
            applicant_name=d.applicant_name,
            applicant_pin=d.applicant_pin,
            applicant_birth_date=d.applicant_birth_date,
            applicant_phone=d.applicant_phone,
            applicant_email=d.applicant_email,
            applicant_address=d.applicant_address,
            channel=d.channel,
            status=Status.SUBMITTED,
            submitted_at=at,
            parent=d,
            form_data=d.form_data,
        )
        deadlines.start_clock(child, at)
        child.save()
        for att in d.attachments.filter(kind__in=[AttachmentKind.PAPER, AttachmentKind.SUPPLEMENT]):
            Attachment.objects.create(
                dossier=child,
                paper=att.paper if att.paper_id and child_procedure.pk == d.procedure_id else None,
                kind=AttachmentKind.PAPER,
                original_name=att.original_name,
                file=att.file.name,
                sha256=att.sha256,
                size=att.size,
                content_type=att.content_type,
                digitised=True,
                reused_from=att.reused_from or att,
                uploaded_by=by,
                uploaded_at=at,
            )
        _event(child, EventVerb.SUBMIT, by=by, at=at, to_status=Status.SUBMITTED, data={"parent": d.code})
        audit.record("dossier.submit", by=by, obj=child, changes={"parent": d.code})
        _move(
            d,
            Status.TRANSFERRED,
            EventVerb.TRANSFER,
            by=by,
            at=at,
            note=clean(note),
            data={"child": child.code},
        )
    return child


def _parent_back(child: Dossier, *, by, at: datetime) -> None:
    """When a transferred child is done (result ready, returned, refused or withdrawn), its parent
    goes back to processing in the same transaction."""
    if child.parent_id is None:
        return
    parent = Dossier.objects.select_for_update().get(pk=child.parent_id)
    if parent.status != Status.TRANSFERRED:
        return
    _move(
        parent,
        Status.PROCESSING,
        EventVerb.CHILD_DONE,
        by=by,
        at=at,
        data={"child": child.code, "child_status": child.status},
    )
