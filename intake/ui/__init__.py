"""Qt widgets only: kiosk wizard, front desk, clinician. Calls services, never SQL or PDF code.

Importing this package applies ``keep_singletons_alive`` first, so that every process that
draws a widget (the app, the tests, the benchmarks) is protected from the PySide6 6.12
reference-count bug described there.
"""

from __future__ import annotations

import sys


def keep_singletons_alive() -> None:
    """Work around a reference-count bug of PySide6 6.12 on CPython 3.11.

    Each call of a Qt method that returns nothing hands back ``None`` without a new reference,
    and signal emits do the same with ``True``/``False``. After some thousands of calls the count
    reaches zero and the interpreter aborts ("none_dealloc", "bool_dealloc"): a status board
    refreshing for a quarter of an hour would kill the station. Python 3.12 made these objects
    immortal (PEP 683); on 3.11 the same effect is had by giving them a very large count once.
    Nothing is ever freed by this; other objects (ints, strings) were measured unaffected.
    """
    if sys.version_info >= (3, 12) or getattr(sys, "_intake_singletons_guarded", False):
        return
    import ctypes

    for singleton in (None, True, False):
        # ob_refcnt is the first field of every object in a release build of CPython.
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 48
    sys._intake_singletons_guarded = True  # type: ignore[attr-defined]


keep_singletons_alive()
