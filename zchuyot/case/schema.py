"""The pydantic models of the files, derived from the form (`form.py`) — nothing here restates a field.

Imported only when a file is validated: pydantic costs ~0.15 s to import and build, and neither
the read commands that answer from the index cache nor a write whose file the cache holds
validated need it. Each field's validator is the form's own `form.check_value`; the rules between
fields (`form.RULES`) are checked by `validate` and by the edit path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from zchuyot.case import form
from zchuyot.case.rules import IssueQuestions


class Record(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, populate_by_name=True)


_TYPES: dict[str, Any] = {
    "text": str, "longtext": str, "choice": str, "date": dt.date, "int": int,
    "bool": bool, "ref": str | int, "number": int | float, "texts": list[str],
}


def _checker(f: form.Field) -> Any:
    """The before-validator of one field: the form's own check of a value (`form.check_value`)."""

    def check(cls: Any, v: Any) -> Any:
        return form.check_value(f, v, typed=False)

    return check


def _after(f: form.Field) -> Any:
    test, code = form.CHECKS[f.check or ""]

    def check(cls: Any, v: Any) -> Any:
        if v is not None and not test(v):
            raise ValueError(code)
        return v

    return check


def _model(name: str, fields: tuple[form.Field, ...], base: type[BaseModel] = Record) -> type[BaseModel]:
    spec: dict[str, Any] = {}
    validators: dict[str, Any] = {}
    for f in fields:
        alias = {"alias": f.key} if f.attr != f.key else {}
        if f.kind == "list":
            sub = _model(f"{name}_{f.key}", f.sub)
            spec[f.attr] = (list[sub], Field(default_factory=list, **alias))  # type: ignore[valid-type]
        elif f.kind == "map":
            sub = _model(f"{name}_{f.key}", f.sub)
            default = Field(default_factory=sub, **alias) if f.form else Field(default=None, **alias)
            spec[f.attr] = (sub if f.form else sub | None, default)
        else:
            typ = _TYPES[f.kind]
            if f.required:
                spec[f.attr] = (typ, Field(..., **alias))
            else:
                spec[f.attr] = (typ if f.default is not None else typ | None, Field(default=f.default, **alias))
        if f.kind not in ("map",):
            validators[f"_v_{f.attr}"] = field_validator(f.attr, mode="before")(classmethod(_checker(f)))
        if f.check and f.kind not in ("text", "longtext"):
            validators[f"_a_{f.attr}"] = field_validator(f.attr, mode="after")(classmethod(_after(f)))
    return create_model(name, __base__=base, __validators__=validators, **spec)  # type: ignore[call-overload]


class _IssueBase(Record, IssueQuestions):
    """What an issue is beyond its fields: the questions every command asks of it (rules.py)."""


Issue = _model("Issue", form.ISSUE, _IssueBase)
Family = _model("Family", form.FAMILY)

