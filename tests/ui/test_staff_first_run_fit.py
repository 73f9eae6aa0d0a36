"""The first-run page's clinic profile is read whole at the stations' 1280x800 and 1024x768: no
line of the box is cut, and the box needs no scrolling of its own, even with the longest notice,
problems shown under the fields, and texts 30% longer (the pseudo-locale)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QGroupBox, QLabel, QScrollArea
from test_staff_support import background_work_finishes  # noqa: F401  (autouse)

from intake import i18n, secrets
from intake.ui.common import STAFF_LANG_ENV

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

SIZES = (QSize(1280, 800), QSize(1024, 768))


def cut_labels(box) -> list[str]:  # type: ignore[no-untyped-def]
    """The labels in ``box`` shown lower than their text needs."""
    bad = []
    for label in box.findChildren(QLabel):
        if not label.isVisibleTo(box):
            continue
        need = (
            label.heightForWidth(label.contentsRect().width())
            + label.contentsMargins().top()
            + label.contentsMargins().bottom()
            if label.wordWrap()
            else label.sizeHint().height()
        )
        if label.height() < need:
            bad.append(f"{label.objectName() or label.text()!r}: {label.height()} < {need}")
    return bad


@pytest.mark.parametrize("lang", ["en", "pseudo"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_the_clinic_profile_box_is_read_whole(  # type: ignore[no-untyped-def]
    qtbot, sqlite_ctx, monkeypatch: pytest.MonkeyPatch, size: QSize, lang: str
) -> None:
    from intake.ui.app import AppWindow

    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    monkeypatch.setenv(STAFF_LANG_ENV, lang)
    # The longest notice: no keyring, so the file fallback is explained.
    monkeypatch.setenv("INTAKE_SECRET_STORE", "auto")
    monkeypatch.setattr(secrets, "keyring_available", lambda: False)
    window = AppWindow(open_context=lambda: (sqlite_ctx, False))
    qtbot.addWidget(window)
    window.resize(size)
    with qtbot.waitSignal(window.context_opened, timeout=20_000):
        window.show()
    page = window.first_run_page
    assert page is not None
    qtbot.waitUntil(page.isVisible)
    page.create_button.click()  # nothing typed, the box not ticked: problems shown
    page.errors["display_name"].show_error(page.errors["display_name"].accessibleName())
    page.errors["username"].show_error(page.errors["username"].accessibleName())
    assert page.message.isVisible()
    window.resize(size)
    box = page.findChild(QGroupBox, "clinic_profile")
    scroll = page.findChild(QScrollArea)
    viewport = scroll.viewport() if scroll is not None else window
    if scroll is not None:
        scroll.ensureWidgetVisible(box, 0, 0)

    def settled() -> bool:
        """The layout has caught up with the problems shown, the box scrolled into view."""
        top_left = box.mapTo(viewport, box.rect().topLeft())
        return viewport.rect().contains(QRect(top_left, box.size())) and not cut_labels(box)

    with contextlib.suppress(qtbot.TimeoutError):  # the assertions below say what is wrong
        qtbot.waitUntil(settled, timeout=5_000)
    folder = os.environ.get("INTAKE_PSEUDO_SHOTS")
    if folder:
        window.grab().save(str(Path(folder) / f"first_run_{lang}_{size.width()}.png"))
    assert cut_labels(box) == []
    assert box.height() <= viewport.height()
    # The page fits the station's screen: it is not made taller than it (and cut by it).
    assert window.size() == size, (window.size(), window.minimumSizeHint())
