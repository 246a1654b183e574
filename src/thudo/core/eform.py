"""E-forms defined as data (mẫu điện tử tương tác): a list of fields stored on a procedure.

A schema is a list of ``{"name", "label", "type", "required", "choices", "help"}`` with ``type``
one of :data:`TYPES`. :func:`check_schema` refuses a malformed one (the admin shows the message);
:func:`build_form` makes a Django form of it (the page renders and validates it on the server,
without JavaScript); :func:`clean_answers` is the same check on the write path, so the stored
answers (``form_data``) always match the schema whatever sent them. The national portal's
interactive civil-status forms (Decree 87/2020/NĐ-CP; Circular 04/2024/TT-BTP) are the model.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thudo.core.errors import InvalidInput
from thudo.core.text import clean

TYPES = ("text", "textarea", "date", "number", "choice")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 60
REQUIRED = gettext_lazy("Vui lòng nhập thông tin này.")


def check_schema(schema: Any) -> list[dict[str, Any]]:
    """The normalised schema, or :class:`InvalidInput` naming the faulty field."""
    if schema in (None, ""):
        return []
    if not isinstance(schema, list) or len(schema) > MAX_FIELDS:
        raise InvalidInput(fields={"eform_schema": _("Biểu mẫu phải là một danh sách trường (tối đa 60).")})
    out, seen = [], set()
    for i, item in enumerate(schema):
        where = f"eform_schema.{i}"
        if not isinstance(item, dict):
            raise InvalidInput(fields={where: _("Mỗi trường phải là một đối tượng.")})
        name, kind, label = item.get("name"), item.get("type", "text"), clean(str(item.get("label") or ""))
        if not isinstance(name, str) or not NAME.match(name) or name in seen:
            raise InvalidInput(fields={where: _("Tên trường không hợp lệ hoặc bị trùng.")})
        if kind not in TYPES:
            raise InvalidInput(fields={where: _("Kiểu trường không hợp lệ.")})
        if not label:
            raise InvalidInput(fields={where: _("Cần nhãn của trường.")})
        choices = item.get("choices") or []
        if kind == "choice" and (not isinstance(choices, list) or not choices):
            raise InvalidInput(fields={where: _("Trường lựa chọn cần danh sách lựa chọn.")})
        seen.add(name)
        out.append(
            {
                "name": name,
                "label": label,
                "type": kind,
                "required": bool(item.get("required", True)),
                "choices": [clean(str(c)) for c in choices] if kind == "choice" else [],
                "help": clean(str(item.get("help") or "")),
            }
        )
    return out


def _field(spec: dict[str, Any]) -> forms.Field:
    common = {
        "label": spec["label"],
        "required": spec["required"],
        "help_text": spec.get("help") or "",
        "error_messages": {"required": REQUIRED, "invalid": gettext_lazy("Giá trị không hợp lệ.")},
    }
    kind = spec["type"]
    if kind == "date":
        return forms.DateField(
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **common,
        )
    if kind == "number":
        return forms.IntegerField(
            min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"}), **common
        )
    if kind == "choice":
        common["error_messages"]["invalid_choice"] = gettext_lazy("Lựa chọn không hợp lệ.")
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in spec["choices"]]], **common)
    if kind == "textarea":
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    return forms.CharField(max_length=300, **common)


def build_form(
    schema: list[dict[str, Any]],
    data: Any = None,
    *,
    initial: dict[str, Any] | None = None,
    prefix: str = "ef",
) -> forms.Form:
    """A Django form of the schema (names prefixed so they never clash with the page's fields)."""
    form = forms.Form(data=data, initial=initial, prefix=prefix)
    for spec in check_schema(schema):
        form.fields[spec["name"]] = _field(spec)
    return form


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return clean(value)
    return value


def clean_answers(schema: list[dict[str, Any]], answers: dict[str, Any] | None) -> dict[str, Any]:
    """The answers checked against the schema (JSON-ready), or :class:`InvalidInput` with one
    message per faulty field (keys ``eform.<name>``)."""
    specs = check_schema(schema)
    answers = answers or {}
    form = build_form(specs, data={f"ef-{k}": v for k, v in answers.items()})
    if not form.is_valid():
        raise InvalidInput(
            _("Tờ khai điện tử chưa đầy đủ hoặc có thông tin không hợp lệ."),
            fields={f"eform.{k}": " ".join(str(m) for m in v) for k, v in form.errors.items()},
        )
    return {s["name"]: _plain(form.cleaned_data.get(s["name"])) for s in specs}


def shown(schema: Any, answers: dict[str, Any] | None) -> list[tuple[str, str]]:
    """``[(label, answer)]`` in the schema's order, as a reader expects them (dates dd/mm/yyyy)."""
    out = []
    for spec in check_schema(schema):
        value = (answers or {}).get(spec["name"], "")
        text = str(value) if value is not None else ""
        if spec["type"] == "date" and value:
            with contextlib.suppress(ValueError):  # a value of an older schema stays as it was
                text = date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        out.append((spec["label"], text))
    return out
