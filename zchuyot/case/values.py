"""A typed value from what a worker wrote for a field of the form: a vocabulary's key by its key or its
Hebrew/English name, an amount in shekels. The steps (practice/) and amending (case/amend.py) read values
the same way."""

from __future__ import annotations

import re

from zchuyot.case.form import VOCABULARIES
from zchuyot.errors import InputError
from zchuyot.text.labels import choice_label, options_text


def choice(vocab: str, value: str | None, field: str) -> str:
    """A vocabulary value given by key or by its Hebrew/English name (`--domain דיור` works). `field` is
    the form field's key (dotted for a record's field): the command line names its flag."""
    v = (value or "").strip()
    if v in VOCABULARIES[vocab]:
        return v
    low = v.lower()
    for key in VOCABULARIES[vocab]:
        if low in (key.lower(), choice_label(vocab, key, "he").lower(), choice_label(vocab, key, "en").lower()):
            return key
    from zchuyot.case.validate import suggestion

    raise InputError("err.bad_choice", field=field, value=v, options=options_text(vocab, VOCABULARIES[vocab]),
                     suggest=suggestion(vocab, v))


_AMOUNT_JUNK = re.compile(r"[₪\s,]|ש\"ח|שח|nis|ils", re.I)


def parse_amount(text: str | float | int) -> float | int:
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        s = _AMOUNT_JUNK.sub("", str(text))
        try:
            value = float(s)
        except ValueError:
            raise InputError("err.bad_amount", value=text) from None
    if value < 0 or value != value or value > 1e9:
        raise InputError("err.bad_amount", value=text)
    return int(value) if value.is_integer() else round(value, 2)
