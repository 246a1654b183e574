"""CSV checks with Frictionless: UTF-8, a header row, and each cell of the declared type
(a Frictionless table schema). The report is for people: one Vietnamese line per problem."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from frictionless import Resource as TableResource
from frictionless import Schema

MAX_PROBLEMS = 20
TYPES = ("string", "integer", "number", "boolean", "date", "datetime", "year")


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str


def schema_problems(descriptor: Any) -> list[str]:
    """What is wrong with a declared table schema (empty: it is usable)."""
    if descriptor in (None, "", {}):
        return []
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list):
        return [_("Lược đồ bảng phải là một đối tượng JSON có danh sách “fields”.")]
    out = []
    for position, item in enumerate(descriptor["fields"], start=1):
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            out.append(_("Cột thứ %(n)s của lược đồ không có tên.") % {"n": position})
        elif item.get("type", "string") not in TYPES:
            out.append(
                _("Cột “%(name)s”: kiểu “%(type)s” không được hỗ trợ.")
                % {"name": item["name"], "type": item.get("type")}
            )
    return out


def check_csv(content: bytes, schema: dict[str, Any] | None) -> list[Problem]:
    """Problems of ``content`` against ``schema`` (without a schema: encoding and header only)."""
    if not content.strip():
        return [Problem(None, None, _("Tệp rỗng: cần ít nhất một dòng tiêu đề."))]
    if content.startswith(b"\xef\xbb\xbf"):  # UTF-8 with a byte-order mark (as Excel writes it)
        content = content[3:]
    options: dict[str, Any] = {"format": "csv", "encoding": "utf-8"}
    if schema:
        options["schema"] = Schema.from_descriptor(schema)
    report = TableResource(content, **options).validate(limit_errors=MAX_PROBLEMS)
    problems = []
    for task in report.tasks:
        for error in task.errors:
            problems.append(_problem(error, schema))
    for error in report.errors:
        problems.append(_problem(error, schema))
    return problems[:MAX_PROBLEMS]


def _problem(error: Any, schema: dict[str, Any] | None) -> Problem:
    kind = getattr(error, "type", "")
    row = getattr(error, "row_number", None)
    column = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    if kind == "encoding-error":
        text = _("Tệp không ở bảng mã UTF-8. Hãy lưu lại tệp CSV với bảng mã UTF-8.")
    elif kind in ("blank-header", "missing-label"):
        text = _("Dòng tiêu đề thiếu tên cột.")
    elif kind in ("incorrect-label", "extra-label"):
        text = _("Tên cột “%(label)s” không khớp với lược đồ đã khai báo.") % {
            "label": getattr(error, "label", "")
        }
    elif kind == "duplicate-label":
        text = _("Dòng tiêu đề có tên cột trùng nhau.")
    elif kind == "type-error":
        wanted = _field_type(schema, column)
        text = _("Dòng %(row)s, cột “%(column)s”: giá trị “%(cell)s” không phải %(type)s.") % {
            "row": row,
            "column": column,
            "cell": cell,
            "type": _type_name(wanted),
        }
    elif kind in ("extra-cell", "missing-cell"):
        text = _("Dòng %(row)s có số ô khác với dòng tiêu đề.") % {"row": row}
    elif kind == "blank-row":
        text = _("Dòng %(row)s để trống.") % {"row": row}
    elif kind == "constraint-error":
        text = _("Dòng %(row)s, cột “%(column)s”: giá trị “%(cell)s” không thỏa ràng buộc.") % {
            "row": row,
            "column": column,
            "cell": cell,
        }
    else:
        text = _("Tệp CSV không đọc được (%(kind)s).") % {"kind": kind or "?"}
    return Problem(row, column, text)


def _field_type(schema: dict[str, Any] | None, column: str | None) -> str:
    for item in (schema or {}).get("fields", []):
        if item.get("name") == column:
            return str(item.get("type", "string"))
    return "string"


def _type_name(kind: str) -> str:
    names = {
        "integer": _("số nguyên"),
        "number": _("số"),
        "boolean": _("giá trị đúng/sai"),
        "date": _("ngày (YYYY-MM-DD)"),
        "datetime": _("thời điểm"),
        "year": _("năm"),
    }
    return names.get(kind, kind)


def report_text(problems: list[Problem]) -> str:
    return "\n".join(p.message for p in problems)
