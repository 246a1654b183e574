"""Load the researched catalogue (``data/hanoi_procedures.json``) through the actions.

Idempotent: each procedure entry is fingerprinted (``Procedure.source_hash``); an entry whose
published version already has the same fingerprint is skipped, a changed entry becomes a new
version that supersedes the old one. Each loaded version is published with its default process.
Fees without validity dates apply from 1 July 2025 (two-level local government; Decree
118/2025/NĐ-CP in force); online fees of 0 đồng follow Hanoi Resolutions 07/2023/NQ-HĐND and
77/2025/NQ-HĐND as noted per fee in the data. Identity and residence papers that the commune can
read from the national population database carry ``"from_population_db": true`` (Decree
104/2022/NĐ-CP); the civil-status procedures (birth, death, marriage) carry their interactive
e-form as ``"eform"`` (a field list, see :mod:`thudo.core.eform`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from thudo.core.errors import DomainError
from thudo.core.models import Agency, AgencyKind
from thudo.core.text import clean
from thudo.procedures import actions
from thudo.procedures.models import Level, Procedure, Status

DEFAULT_FILE = Path(__file__).parent / "data" / "hanoi_procedures.json"
DEFAULT_VALID_FROM = date(2025, 7, 1)

Progress = Callable[[str, int, int], None]


def _noop(label: str, done: int, total: int) -> None:
    return None


@dataclass
class Result:
    created: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


def fingerprint(entry: dict) -> str:
    return hashlib.sha256(json.dumps(entry, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _cutoff(raw) -> time | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, int | float):
        return time(int(raw), round((raw % 1) * 60))
    return time.fromisoformat(str(raw))


def _date(raw) -> date | None:
    return date.fromisoformat(raw) if raw else None


def _agency(hint: str | None) -> Agency | None:
    hint = clean(hint)
    if not hint:
        return None
    qs = Agency.objects.exclude(kind=AgencyKind.COMMUNE_COMMITTEE)
    return qs.filter(short_name__iexact=hint).first() or qs.filter(name__iexact=hint).first()


def load_data(data: dict, *, by=None, progress: Progress = _noop) -> Result:
    result = Result()
    fields = {}
    for f in data.get("fields", []):
        fields[f["code"]] = actions.upsert_field(code=f["code"], name=f["name"], by=by)
    entries = data.get("procedures", [])
    for i, entry in enumerate(entries, 1):
        try:
            if _load_one(entry, fields, by=by, result=result):
                result.created += 1
            else:
                result.unchanged += 1
        except (DomainError, KeyError, ValueError, TypeError) as exc:
            detail = getattr(exc, "fields", None) or ""
            result.warnings.append(f"{entry.get('code')}: {exc} {detail}".strip())
        progress(_("Thủ tục hành chính"), i, len(entries))
    return result


def _load_one(entry: dict, fields: dict, *, by, result: Result) -> bool:
    code = clean(entry["code"])
    digest = fingerprint(entry)
    current = Procedure.objects.filter(code=code, status=Status.PUBLISHED).first()
    if current is not None and current.source_hash == digest:
        return False
    agency = None
    if entry.get("level") == Level.DEPARTMENT:
        agency = _agency(entry.get("agency_hint"))
        if agency is None:
            raise ValueError(
                _("không tìm thấy cơ quan “{hint}”; bỏ qua").format(hint=entry.get("agency_hint"))
            )
    field_obj = fields.get(entry["field"])
    if field_obj is None:
        raise ValueError(_("lĩnh vực {code} không có trong danh sách").format(code=entry["field"]))
    with transaction.atomic():
        procedure = actions.create_draft(
            code=code,
            by=by,
            name=entry["name"],
            field=field_obj,
            level=entry["level"],
            agency=agency,
            duration_value=entry["duration"]["value"],
            duration_unit=entry["duration"]["unit"],
            cutoff_time=_cutoff(entry.get("cutoff_hour")),
            online_level=entry.get("online_level") or "partial",
            result_type=entry.get("result_type") or "document",
            result_name=entry.get("result_name") or "",
            legal_bases=entry.get("legal_bases") or [],
            eform_schema=entry.get("eform") or [],
        )
        Procedure.objects.filter(pk=procedure.pk).update(source_hash=digest)
        actions.set_papers(
            procedure,
            by=by,
            papers=[
                {
                    "name": p["name"],
                    "mandatory": p.get("mandatory", True),
                    "copies": p.get("copies") or 1,
                    "form_name": p.get("form") or "",
                    "kind": p.get("kind") or "other",
                    "from_population_db": bool(p.get("from_population_db")),
                }
                for p in entry.get("papers", [])
            ],
        )
        actions.set_fees(
            procedure,
            by=by,
            fees=[
                {
                    "channel": f["channel"],
                    "amount": int(f.get("amount") or 0),
                    "name": f.get("name") or "",
                    "note": f.get("note") or "",
                    "valid_from": _date(f.get("valid_from")) or DEFAULT_VALID_FROM,
                    "valid_to": _date(f.get("valid_to")),
                }
                for f in entry.get("fees", [])
            ],
        )
        if entry.get("process"):
            process = actions.create_process(procedure, by=by)
            actions.set_process_steps(
                process,
                by=by,
                steps=[
                    {"name": s["name"], "role": s["role"], "duration_hours": s["hours"]}
                    for s in entry["process"]
                ],
            )
            try:
                with transaction.atomic():
                    actions.publish_process(process, by=by)
            except DomainError as exc:
                result.warnings.append(f"{code}: {_('quy trình không được công bố')}: {exc}")
        actions.publish(procedure, by=by)
    return True


def load_file(path: Path | str | None = None, *, by=None, progress: Progress = _noop) -> Result:
    with open(path or DEFAULT_FILE, encoding="utf-8") as fh:
        data = json.load(fh)
    return load_data(data, by=by, progress=progress)
