"""GNU FriBidi (the Unicode bidi algorithm, UAX #9, as GNOME, Pango and mlterm use it) through its C library,
with ctypes: the library does the whole algorithm — isolates, paired brackets (N0), mirroring (L4), marks
kept after their letter; this module only hands it a line and takes the line back in visual order.

Found where the system has it (Debian/Ubuntu `libfribidi0`, macOS Homebrew `fribidi`, a `fribidi.dll` on
the PATH); `available()` says whether it was, and `text.rtl` falls back to python-bidi where it was not.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any

_PAR = {"ltr": 0x110, "rtl": 0x111, "auto": 0x40}  # FRIBIDI_PAR_LTR, FRIBIDI_PAR_RTL, FRIBIDI_PAR_ON


@functools.cache
def _lib() -> Any:
    names = [ctypes.util.find_library("fribidi"), "libfribidi.so.0", "libfribidi.0.dylib", "libfribidi-0.dll",
             "fribidi.dll"]
    for name in names:
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            lib.fribidi_log2vis.restype = ctypes.c_int8
            lib.fribidi_log2vis.argtypes = [ctypes.POINTER(ctypes.c_uint32), ctypes.c_int,
                                            ctypes.POINTER(ctypes.c_uint32), ctypes.POINTER(ctypes.c_uint32),
                                            ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
            return lib
        except (OSError, AttributeError):
            continue
    return None


def available() -> bool:
    return _lib() is not None


def version() -> str:
    lib = _lib()
    if lib is None:
        return ""
    try:
        return ctypes.c_char_p.in_dll(lib, "fribidi_version_info").value.decode(errors="replace").split("\n")[0]
    except (ValueError, AttributeError):
        return "fribidi"


def log2vis(text: str, base: str = "rtl") -> str:
    """One line in visual order, the paragraph's direction `base` (rtl, ltr, auto). Raises RuntimeError when
    the library is missing or refuses the line."""
    lib = _lib()
    if lib is None:
        raise RuntimeError("GNU FriBidi is not installed")
    n = len(text)
    if n == 0:
        return ""
    logical = (ctypes.c_uint32 * n)(*map(ord, text))
    out = (ctypes.c_uint32 * n)()
    direction = ctypes.c_uint32(_PAR[base])
    if not lib.fribidi_log2vis(logical, n, ctypes.byref(direction), out, None, None, None):
        raise RuntimeError("fribidi_log2vis failed")
    return "".join(map(chr, out))
