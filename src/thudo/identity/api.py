"""API for the signed-in citizen: own profile (number masked) and identity verification."""

from datetime import date, datetime

from ninja import Router, Schema

from thudo.core.api import signed_in
from thudo.core.errors import NotFound
from thudo.identity import actions, queries

router = Router(tags=["identity"])


class ProfileOut(Schema):
    pin_masked: str
    full_name: str
    birth_date: date | None
    sex: str
    phone: str
    email: str
    address: str
    verified: bool
    verified_at: datetime | None


class PrefillOut(Schema):
    full_name: str
    birth_date: date
    sex: str
    permanent_address: str
    current_address: str


class VerifyOut(Schema):
    verified: bool
    verified_at: datetime
    prefill: PrefillOut


def _own(request):
    citizen = queries.citizen_for_user(request.user)
    if citizen is None:
        raise NotFound()
    return citizen


def profile_out(citizen) -> dict:
    return {
        "pin_masked": citizen.masked_pin,
        "full_name": citizen.full_name,
        "birth_date": citizen.birth_date,
        "sex": citizen.sex,
        "phone": citizen.phone,
        "email": citizen.email,
        "address": citizen.address,
        "verified": citizen.is_verified,
        "verified_at": citizen.verified_at,
    }


@router.get("/me", response=ProfileOut, auth=signed_in, summary="My citizen profile (number masked)")
def me(request):
    return profile_out(_own(request))


@router.post(
    "/verify",
    response={200: VerifyOut},
    auth=signed_in,
    summary="Verify my identity against the population registry",
)
def verify(request):
    """Compares number, name and date of birth with the population registry. 422 with code
    ``identity_mismatch`` when they do not match; 403 ``too_many_attempts`` after 5 failures in
    24 hours; 503 ``registry_unavailable`` when the registry cannot be reached."""
    citizen = _own(request)
    person = actions.verify_identity(citizen, by=request.user)
    citizen.refresh_from_db()
    return {
        "verified": True,
        "verified_at": citizen.verified_at,
        "prefill": {
            "full_name": person.full_name,
            "birth_date": person.birth_date,
            "sex": person.sex,
            "permanent_address": person.permanent_address,
            "current_address": person.current_address,
        },
    }
