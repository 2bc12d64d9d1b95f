"""The form and its files — the one place that knows what an issue is (DESIGN §7).

    form.py      every field of the issue and family files, once
    schema.py    the pydantic models, derived from form.py (imported only to validate)
    validate.py  a parsed file → a model, or problems with their lines
    rules.py     what an issue's record means: standing refusals, open clocks, what waits on the worker
    views.py     light read-only issues built from the cache, without pydantic
    file.py      reading files, and the one edit path (`with ws.edit(id, why) as issue:`)
    cache.py     the index cache; knows no command

Arrows point down: commands import from here, never the other way.
"""
