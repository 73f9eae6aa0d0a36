"""The patient kiosk: intake, mood screen, risk walkthrough, comprehension check and signing.

``KioskWindow(ctx)`` is the widget; ``run_kiosk()`` starts a station straight into it, full
screen. Pass a context factory (the default) rather than an open context for the fastest start:
Welcome is shown first and the database is opened behind it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from intake.ui.kiosk.window import KioskWindow

if TYPE_CHECKING:
    from intake.services.context import AppContext

__all__ = ["KioskWindow", "run_kiosk"]


def run_kiosk(ctx: AppContext | Callable[[], AppContext] | None = None) -> int:
    """Run this station as a patient kiosk until a member of staff closes it."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    if ctx is None:
        from intake.services.context import open_context

        ctx = open_context
    window = KioskWindow(ctx, locked=True)
    window.showFullScreen()
    return app.exec()
