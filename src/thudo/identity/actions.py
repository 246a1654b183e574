"""Every write to citizens' records: sign-up, identity verification, profile, export, erasure.

Personal data follow Decree 13/2023/NĐ-CP on personal data protection and, from 1 January
2026, the Personal Data Protection Law 91/2025/QH15: collect what is needed, log every access,
give the person their data, erase (pseudonymise) where the law allows.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import actions as core_actions
from thudo.core import audit, permissions
from thudo.core.errors import Conflict, InvalidInput, NotAllowed
from thudo.core.models import AuditRecord, Role, User
from thudo.core.text import clean, fold
from thudo.identity.models import Citizen, RegistryRecord, Sex
from thudo.identity.pins import mask_pin, pin_hash, validate_pin
from thudo.identity.registry import RegistryPerson, get_registry

PHONE_RE = re.compile(r"^(?:0|\+84)\d{9}$")
ERASED_NAME = "[đã xóa]"
ERASED_ADDRESS = "[đã xóa]"
EARLIEST_BIRTH = date(1900, 1, 1)


# --- checks -------------------------------------------------------------------------------------


def _normalise_phone(phone: str) -> str:
    return re.sub(r"[\s.\-()]", "", clean(phone))


def _check_person(*, full_name: str, birth_date, sex: str, phone: str, email: str, errors: dict) -> None:
    """Field-level checks shared by sign-up and profile edits (errors collected, not raised)."""
    if full_name is not None and not full_name:
        errors["full_name"] = _("Cần nhập họ và tên.")
    elif full_name and (len(full_name) > 200 or any(ch.isdigit() for ch in full_name)):
        errors["full_name"] = _("Họ và tên không được chứa chữ số và dài tối đa 200 ký tự.")
    if birth_date is not None:
        if not isinstance(birth_date, date):
            errors["birth_date"] = _("Ngày sinh không hợp lệ.")
        elif birth_date > timezone.localdate():
            errors["birth_date"] = _("Ngày sinh không được ở tương lai.")
        elif birth_date < EARLIEST_BIRTH:
            errors["birth_date"] = _("Ngày sinh phải từ năm 1900 trở đi.")
    if sex is not None and sex not in Sex.values:
        errors["sex"] = _("Chọn giới tính nam hoặc nữ.")
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = _("Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")


def _password_messages(exc: ValidationError) -> list[str]:
    """Vietnamese texts for the password validators (Django's own Vietnamese catalogue lacks some)."""
    texts = {
        "password_too_short": _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự."),
        "password_too_common": _("Mật khẩu này quá phổ biến, dễ bị đoán."),
        "password_entirely_numeric": _("Mật khẩu không được chỉ gồm chữ số."),
        "password_too_similar": _("Mật khẩu quá giống tên đăng nhập hoặc họ tên."),
    }
    out = []
    for error in exc.error_list:
        text = texts.get(error.code)
        out.append(text % (error.params or {}) if text else " ".join(error.messages))
    return out


# --- sign-up ------------------------------------------------------------------------------------


def _sign_up_checks(
    *, username, password, full_name, pin, birth_date, sex, email, phone
) -> tuple[dict, dict[str, str], Citizen | None]:
    """Normalised values, field errors and the counter record to claim (if any)."""
    username, full_name, email = clean(username), clean(full_name), clean(email).lower()
    phone, pin = _normalise_phone(phone), clean(pin).replace(" ", "")
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = _("Cần nhập tên đăng nhập.")
    elif not re.fullmatch(r"[\w.@+-]{3,150}", username):
        errors["username"] = _("Tên đăng nhập dài 3–150 ký tự, gồm chữ, số và . @ + - _.")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("Tên đăng nhập đã được dùng.")
    if not birth_date:
        errors["birth_date"] = _("Cần nhập ngày sinh.")
    _check_person(
        full_name=full_name, birth_date=birth_date, sex=sex, phone=phone, email=email, errors=errors
    )
    try:
        pin = validate_pin(
            pin,
            birth_date=birth_date if "birth_date" not in errors else None,
            sex=sex if "sex" not in errors else None,
        )
    except InvalidInput as exc:
        errors["pin"] = exc.message
    existing = Citizen.objects.filter(pin=pin).first() if "pin" not in errors else None
    if existing is not None and (
        existing.user_id is not None
        or fold(existing.full_name) != fold(full_name)
        or existing.birth_date != birth_date
    ):
        errors["pin"] = _("Số định danh này đã có tài khoản. Hãy đăng nhập hoặc liên hệ bộ phận một cửa.")
    if not password:
        errors["password"] = _("Cần nhập mật khẩu.")
    else:
        try:
            validate_password(password, User(username=username, full_name=full_name, email=email))
        except ValidationError as exc:
            errors["password"] = " ".join(_password_messages(exc))
    values = {"username": username, "full_name": full_name, "email": email, "phone": phone, "pin": pin}
    return values, errors, existing


SIGN_UP_FIELDS = ("username", "password", "full_name", "pin", "birth_date", "sex", "email", "phone")


def check_sign_up(**fields) -> dict[str, str]:
    """The field errors :func:`sign_up` would raise, without writing anything (lets a form that
    already found some mistakes show all the others too). Missing fields count as empty."""
    given = {name: fields.get(name) or ("" if name != "birth_date" else None) for name in SIGN_UP_FIELDS}
    return _sign_up_checks(**given)[1]


def sign_up(
    *,
    username: str,
    password: str,
    full_name: str,
    pin: str,
    birth_date: date | None,
    sex: str,
    email: str = "",
    phone: str = "",
) -> User:
    """Open a citizen account: a user with the citizen role and the citizen's record.

    Every field is checked first so the form can show all mistakes at once. A record already
    created at the counter (no account yet) is claimed when name and date of birth agree.
    """
    values, errors, existing = _sign_up_checks(
        username=username,
        password=password,
        full_name=full_name,
        pin=pin,
        birth_date=birth_date,
        sex=sex,
        email=email,
        phone=phone,
    )
    username, full_name, email, phone, pin = (
        values[k] for k in ("username", "full_name", "email", "phone", "pin")
    )
    if errors:
        raise InvalidInput(_("Vui lòng sửa các ô được đánh dấu."), fields=errors)

    with transaction.atomic():
        user = core_actions.create_user(
            username=username, password=password, full_name=full_name, email=email
        )
        User.objects.filter(pk=user.pk).update(phone=phone)
        user.phone = phone
        core_actions.grant_role(user, role=Role.CITIZEN, agency=None, by=None)
        if existing is not None:
            citizen = Citizen.objects.select_for_update().get(pk=existing.pk)
            if citizen.user_id is not None:
                raise Conflict(_("Số định danh này vừa được đăng ký bởi tài khoản khác."))
            citizen.user = user
            citizen.phone = citizen.phone or phone
            citizen.email = citizen.email or email
            citizen.save(update_fields=["user", "phone", "email"])
        else:
            citizen = Citizen.objects.create(
                user=user,
                pin=pin,
                full_name=full_name,
                birth_date=birth_date,
                sex=sex,
                phone=phone,
                email=email,
                search_text=fold(full_name),
            )
        audit.record("citizen.sign_up", by=user, obj=citizen, changes={"claimed": existing is not None})
    return user


# --- verification -------------------------------------------------------------------------------


def _sync_account_name(citizen: Citizen) -> None:
    """The account shows the same name as the citizen's record."""
    if citizen.user_id:
        User.objects.filter(pk=citizen.user_id).update(full_name=citizen.full_name)


def _may_act_for(by, citizen: Citizen) -> bool:
    return permissions.can(by, "citizen.edit", citizen) or permissions.can(by, "citizen.lookup")


MAX_FAILED_VERIFICATIONS = 5


def _recent_failures(citizen: Citizen) -> int:
    since = timezone.now() - timedelta(hours=24)
    return AuditRecord.objects.filter(
        verb="citizen.verify_failed",
        object_type=Citizen._meta.label_lower,
        object_id=str(citizen.pk),
        at__gte=since,
    ).count()


def verify_identity(citizen: Citizen, *, by) -> RegistryPerson:
    """Check number, name and date of birth against the population registry (domain rules §6).

    On a match the record is marked verified, the name takes the registry's spelling, sex comes
    from the registry and an empty address is pre-filled with the permanent residence. The
    registry is asked outside the database transaction (it is a network call).
    """
    if not _may_act_for(by, citizen):
        raise NotAllowed()
    if citizen.erased_at is not None or not citizen.pin or citizen.birth_date is None:
        raise InvalidInput(_("Hồ sơ công dân thiếu số định danh hoặc ngày sinh."))
    if citizen.user_id == getattr(by, "pk", None) and _recent_failures(citizen) >= MAX_FAILED_VERIFICATIONS:
        # The registry must not become an oracle for guessing another person's name or birth date.
        raise NotAllowed(
            _(
                "Đã xác thực không thành công quá %(n)d lần trong 24 giờ. Vui lòng thử lại sau hoặc "
                "mang thẻ căn cước đến bộ phận một cửa."
            )
            % {"n": MAX_FAILED_VERIFICATIONS},
            code="too_many_attempts",
        )
    person = get_registry().verify(citizen.pin, citizen.full_name, citizen.birth_date)
    if person is None:
        with transaction.atomic():
            audit.record("citizen.verify_failed", by=by, obj=citizen)
        raise InvalidInput(
            _(
                "Thông tin không khớp với Cơ sở dữ liệu quốc gia về dân cư. Hãy kiểm tra số định "
                "danh cá nhân, họ và tên (đủ dấu) và ngày sinh đúng như trên thẻ căn cước."
            ),
            code="identity_mismatch",
            fields={"identity": _("Không khớp với Cơ sở dữ liệu quốc gia về dân cư.")},
        )
    with transaction.atomic():
        citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
        citizen.verified_at = timezone.now()
        citizen.full_name = clean(person.full_name) or citizen.full_name
        citizen.search_text = fold(citizen.full_name)
        if person.sex in Sex.values:
            citizen.sex = person.sex
        if not citizen.address:
            citizen.address = clean(person.current_address or person.permanent_address)
        citizen.save(update_fields=["verified_at", "full_name", "search_text", "sex", "address"])
        _sync_account_name(citizen)
        audit.record("citizen.verify", by=by, obj=citizen)
    return person


# --- profile ------------------------------------------------------------------------------------

EDITABLE_ALWAYS = {"phone", "email", "address"}
EDITABLE_UNVERIFIED = {"full_name", "birth_date", "sex"}


def update_profile(citizen: Citizen, *, by, **changes) -> Citizen:
    """Edit contact data; name, date of birth and sex only before verification (afterwards they
    come from the registry). The audit records which fields changed, not their values."""
    if not permissions.can(by, "citizen.edit", citizen):
        raise NotAllowed()
    allowed = EDITABLE_ALWAYS | (EDITABLE_UNVERIFIED if citizen.verified_at is None else set())
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(fields={k: _("Không được sửa trường này.") for k in sorted(unknown)})
    values = {k: (clean(v) if isinstance(v, str) else v) for k, v in changes.items()}
    if "phone" in values:
        values["phone"] = _normalise_phone(values["phone"])
    if "email" in values:
        values["email"] = values["email"].lower()
    errors: dict[str, str] = {}
    _check_person(
        full_name=values.get("full_name"),
        birth_date=values.get("birth_date"),
        sex=values.get("sex"),
        phone=values.get("phone", ""),
        email=values.get("email", ""),
        errors=errors,
    )
    if "address" in values and len(values["address"]) > 300:
        errors["address"] = _("Địa chỉ dài tối đa 300 ký tự.")
    if not errors and ({"birth_date", "sex"} & set(values)):
        try:
            validate_pin(
                citizen.pin,
                birth_date=values.get("birth_date", citizen.birth_date),
                sex=values.get("sex", citizen.sex),
            )
        except InvalidInput as exc:
            errors["birth_date" if "birth_date" in values else "sex"] = exc.message
    if errors:
        raise InvalidInput(_("Vui lòng sửa các ô được đánh dấu."), fields=errors)
    with transaction.atomic():
        citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
        changed = sorted(k for k, v in values.items() if getattr(citizen, k) != v)
        for k in changed:
            setattr(citizen, k, values[k])
        if changed:
            citizen.search_text = fold(citizen.full_name)
            citizen.save(update_fields=[*changed, "search_text"])
            _sync_account_name(citizen)
            audit.record("citizen.update", by=by, obj=citizen, changes={"fields": changed})
    return citizen


# --- registry data (the local adapter) ----------------------------------------------------------


def load_registry(people: Iterable[RegistryPerson], *, by=None) -> int:
    """Insert or update people of the embedded registry (demo and tests). Idempotent by number."""
    count = 0
    with transaction.atomic():
        for p in people:
            pin = validate_pin(p.pin, birth_date=p.birth_date, sex=p.sex)
            RegistryRecord.objects.update_or_create(
                pin=pin,
                defaults={
                    "full_name": clean(p.full_name),
                    "name_key": fold(p.full_name),
                    "birth_date": p.birth_date,
                    "sex": p.sex,
                    "permanent_address": clean(p.permanent_address),
                    "current_address": clean(p.current_address),
                    "ethnicity": clean(p.ethnicity) or "Kinh",
                    "nationality": clean(p.nationality) or "Việt Nam",
                },
            )
            count += 1
        audit.record("registry.load", by=by, changes={"records": count})
    return count


# --- the person's rights: access and erasure ----------------------------------------------------


def _may_manage_data(by, citizen: Citizen) -> bool:
    """The person themself, a city administrator, or the operator at the command line (``by=None``)."""
    if by is None:
        return True
    return permissions.can(by, "citizen.edit", citizen) or permissions.is_city_admin(by)


def _privacy_modules():
    """``thudo.<app>.privacy`` modules: other apps' parts of a person's export and erasure
    (``export_person(citizen) -> dict`` and ``erase_person(citizen, *, by)``)."""
    for config in apps.get_app_configs():
        if not config.name.startswith("thudo.") or config.name == __package__:
            continue
        try:
            yield config.label, importlib.import_module(f"{config.name}.privacy")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.privacy":
                raise


def export_person(citizen: Citizen, *, by) -> dict:
    """Everything the platform holds about the person, as JSON-ready data (right of access,
    Decree 13/2023/NĐ-CP, art. 9 and 14). Includes who read the record and when."""
    if not _may_manage_data(by, citizen):
        raise NotAllowed()
    user = citizen.user
    access = AuditRecord.objects.filter(object_type=Citizen._meta.label_lower, object_id=str(citizen.pk))
    data = {
        "format": "thudo.person-export/1",
        "generated_at": timezone.now().isoformat(),
        "legal_basis": "Nghị định 13/2023/NĐ-CP; Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15",
        "citizen": {
            "pin": citizen.pin or "",
            "full_name": citizen.full_name,
            "birth_date": citizen.birth_date.isoformat() if citizen.birth_date else None,
            "sex": citizen.sex,
            "phone": citizen.phone,
            "email": citizen.email,
            "address": citizen.address,
            "verified_at": citizen.verified_at.isoformat() if citizen.verified_at else None,
            "created_at": citizen.created_at.isoformat(),
            "erased_at": citizen.erased_at.isoformat() if citizen.erased_at else None,
        },
        "account": None,
        "access_log": [
            {"at": r.at.isoformat(), "verb": r.verb, "by": r.actor_label or None}
            for r in access.order_by("seq")
        ],
        "other": {},
    }
    if user is not None:
        data["account"] = {
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "phone": user.phone,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "roles": [
                {"role": g.role, "agency": g.agency.code if g.agency_id else None}
                for g in user.role_grants.select_related("agency")
            ],
        }
    for label, module in _privacy_modules():
        if hasattr(module, "export_person"):
            data["other"][label] = module.export_person(citizen)
    with transaction.atomic():
        audit.record("citizen.export", by=by, obj=citizen)
    return data


def erase_person(citizen: Citizen, *, by) -> Citizen:
    """Pseudonymise the person (right to erasure, Decree 13/2023/NĐ-CP, art. 16; Law 91/2025/QH15).

    Name, phone, e-mail and address become placeholders, the number is replaced by a keyed hash,
    the account is closed. Date of birth and sex stay for statistics. Records that another law
    requires to be kept (dossiers, archives) are handled by their apps' ``privacy`` hooks.
    """
    if not _may_manage_data(by, citizen):
        raise NotAllowed()
    with transaction.atomic():
        citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
        if citizen.erased_at is not None:
            raise Conflict(_("Dữ liệu của người này đã được xóa."))
        for _label, module in _privacy_modules():
            if hasattr(module, "erase_person"):
                module.erase_person(citizen, by=by)
        audit.record("citizen.erase", by=by, obj=citizen, changes={"pin": mask_pin(citizen.pin)})
        citizen.pin_hash = pin_hash(citizen.pin) if citizen.pin else ""
        citizen.pin = None
        citizen.full_name = ERASED_NAME
        citizen.search_text = ""
        citizen.phone = ""
        citizen.email = ""
        citizen.address = ERASED_ADDRESS
        citizen.erased_at = timezone.now()
        citizen.save()
        if citizen.user_id:
            user = User.objects.select_for_update().get(pk=citizen.user_id)
            user.username = f"da-xoa-{user.pk}"
            user.full_name = ERASED_NAME
            user.first_name = user.last_name = ""
            user.email = ""
            user.phone = ""
            user.is_active = False
            user.set_unusable_password()
            user.save()
            user.api_tokens.update(revoked_at=timezone.now())
    return citizen
