"""API shapes of dossiers."""

from datetime import datetime

from ninja import Field, Schema


class Ref(Schema):
    code: str
    name: str


class StepOut(Schema):
    order: int
    name: str
    role: str


class DossierOut(Schema):
    code: str
    status: str
    status_label: str
    portal_status: int | None = None
    channel: str
    procedure: Ref
    receiving_agency: Ref
    processing_agency: Ref
    applicant_name: str
    submitted_at: datetime
    received_at: datetime | None = None
    clock_started_at: datetime | None = None
    due_at: datetime | None = None
    original_due_at: datetime | None = None
    overdue: bool
    classification: str | None = None
    current_step: StepOut | None = None
    step_due_at: datetime | None = None
    assignee: str | None = None
    supplement_count: int
    finished_at: datetime | None = None
    returned_at: datetime | None = None
    fee_amount: int
    parent: str | None = None
    secret: str | None = None


class EventOut(Schema):
    seq: int
    verb: str
    label: str
    from_status: str
    to_status: str
    step: StepOut | None = None
    by: str
    at: datetime
    note: str
    step_due_at: datetime | None = None
    data: dict


class AttachmentOut(Schema):
    id: int
    kind: str
    form: str
    name: str
    paper: str | None = None
    size: int
    content_type: str
    sha256: str
    digitised: bool
    reused: bool
    uploaded_at: datetime


class ResultOut(Schema):
    version: int
    sha256: str
    signed: bool
    signed_at: datetime | None = None
    document_code: str
    supersedes: int | None = None


class PaymentOut(Schema):
    method: str
    amount: int
    reference: str
    paid_at: datetime
    online: bool


class RatingOut(Schema):
    scores: dict
    comment: str


class PublicEventOut(Schema):
    at: datetime
    verb: str
    label: str
    status: str


class PublicOut(Schema):
    code: str
    procedure: str
    agency: str
    status: str
    status_label: str
    submitted_at: datetime
    due_at: datetime | None = None
    overdue: bool
    applicant: str
    result_available: bool
    timeline: list[PublicEventOut]


class NoteIn(Schema):
    note: str = ""


class ReasonsIn(Schema):
    reasons: list[str]


class ReasonIn(Schema):
    reason: str = ""


class PauseIn(Schema):
    kind: str = Field("", description="financial | inspection | opinion: what the dossier waits for")
    reason: str = ""


class ForwardIn(Schema):
    note: str = ""
    assignee: str | None = None
    from_step: int | None = None


class TransferIn(Schema):
    to_agency: str
    procedure: str | None = None
    note: str = ""


class ApologyIn(Schema):
    new_due: datetime
    reason: str


class RateIn(Schema):
    scores: dict[str, int]
    comment: str = ""


class PaymentIn(Schema):
    method: str = "cash"
    amount: int | None = Field(
        None,
        description="Optional. The server charges the fee still owed on the dossier (its channel's fee); "
        "when given, it must equal that fee, or the answer is 422 `amount_mismatch`.",
    )
    reference: str = ""
    online: bool = False
