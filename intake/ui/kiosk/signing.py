"""The signature: pad, printed name, and the meaning of the signature beside it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake.domain.kinds import SignerRole
from intake.domain.wizard import KioskFlow
from intake.services.kiosk_payloads import Payload, SignatureGiven
from intake.ui.kiosk.base import CONTENT_WIDTH, KioskPage, announce, card, make_label, set_flag
from intake.ui.kiosk.review import format_date
from intake.ui.kiosk.text import message, t
from intake.ui.widgets.access import SIGN_ACTION_NAME
from intake.ui.widgets.signature_pad import SignaturePadWidget


class SignaturePage(KioskPage):
    def __init__(
        self,
        flow: KioskFlow,
        role: str,
        lang: str,
        now: dt.datetime,
        parent: QWidget | None = None,
    ):
        super().__init__(lang, parent)
        self.role = role
        self.setObjectName(f"page_sign_{role}")
        self.add_title(t(f"sign_title_{role}", lang))
        patient = f"{flow.answers.get('first_name', '')} {flow.answers.get('last_name', '')}"
        attests = flow.is_checkin and flow.reconsent is None  # a short monthly attestation
        if role == SignerRole.GUARDIAN and flow.guardian is not None:
            printed = flow.guardian.full_name
            said = "checkin_guardian" if attests else "guardian"
            heading = t(f"meaning_{said}_heading", lang)
            meaning = t(f"meaning_{said}", lang, patient=patient.strip())
        elif attests:
            printed = patient.strip()
            heading = t("meaning_checkin_heading", lang)
            meaning = t("meaning_checkin", lang)
        else:
            printed = patient.strip()
            heading = t("meaning_patient_heading", lang)
            meaning = t("meaning_patient", lang)

        name_label = make_label(t(f"printed_name_{role}", lang), "subtitle", self.body)
        self.content.addWidget(name_label)
        self.printed_name = QLineEdit(self.body)
        self.printed_name.setObjectName("printed_name")
        self.printed_name.setAccessibleName(t(f"printed_name_{role}", lang))
        self.printed_name.setMaxLength(60)
        self.printed_name.setText(printed)
        self.printed_name.textChanged.connect(self._on_input_changed)
        name_label.setBuddy(self.printed_name)
        self.content.addWidget(self.printed_name)
        self.name_error = self.add_text("", "error")
        self.name_error.hide()

        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.setSpacing(20)
        self._row = row
        left = QVBoxLayout()
        left.setSpacing(10)
        left.addWidget(make_label(t("sign_instructions", lang), "help", self.body))
        self.pad = SignaturePadWidget(self.body)
        self.pad.setObjectName("signature_pad")
        self.pad.setAccessibleName(t("signature_pad", lang))
        self.pad.setAccessibleDescription(t("signature_pad_help", lang))
        self.pad.setMinimumHeight(260)
        self.pad.signed_changed.connect(self._on_pad_signed_changed)
        self.pad.setProperty(SIGN_ACTION_NAME, t("type_signature", lang))
        self.pad.keyboard_sign_requested.connect(self._on_type_button_clicked)
        left.addWidget(self.pad)
        buttons = QHBoxLayout()
        self.clear_button = QPushButton(t("clear_signature", lang), self.body)
        self.clear_button.setObjectName("clear_signature")
        self.clear_button.setAccessibleName(t("clear_signature_name", lang))
        self.clear_button.setProperty("role", "quiet")
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.type_button = QPushButton(t("type_signature", lang), self.body)
        self.type_button.setObjectName("type_signature")
        self.type_button.setAccessibleName(t("type_signature", lang))
        self.type_button.setAccessibleDescription(t("type_signature_help", lang))
        self.type_button.setProperty("role", "quiet")
        self.type_button.clicked.connect(self._on_type_button_clicked)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.type_button)
        buttons.addStretch(1)
        left.addLayout(buttons)
        self.pad_error = make_label("", "error", self.body)
        self.pad_error.hide()
        left.addWidget(self.pad_error)
        left.addStretch(1)
        row.addLayout(left, 3)

        frame, layout = card(self.body)
        frame.setObjectName("signature_meaning")
        layout.addWidget(make_label(t("meaning_title", lang), "subtitle", frame))
        layout.addWidget(make_label(heading, "strong", frame))
        self.meaning = make_label(meaning, None, frame)
        self.meaning.setObjectName("meaning_text")
        layout.addWidget(self.meaning)
        when = f"{format_date(now.date(), lang)}, {now:%H:%M}"  # already in the clinic's time zone
        layout.addWidget(make_label(t("signed_when", lang, when=when), "help", frame))
        layout.addWidget(make_label(t("no_back_after_sign", lang), "help", frame))
        layout.addStretch(1)
        row.addWidget(frame, 2)
        self.content.addLayout(row)
        self.page_error = self.add_text("", "error")
        self.page_error.hide()
        self.finish()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._arrange()

    def _arrange(self) -> None:
        # With large text the meaning goes above the pad (read it, then sign) rather than into
        # a narrow column beside it.
        room = min(self.width(), CONTENT_WIDTH) - 56
        wide = room >= self.meaning.fontMetrics().averageCharWidth() * 75
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.BottomToTop
        if self._row.direction() != direction:
            self._row.setDirection(direction)

    def _on_input_changed(self, *_args: object) -> None:
        self.completeness_changed.emit(self.is_complete())

    def _on_pad_signed_changed(self, _has_ink: bool) -> None:
        if self.pad_error.isVisible():
            self.pad_error.hide()
        self.completeness_changed.emit(self.is_complete())

    def _on_clear_button_clicked(self) -> None:
        self.pad.clear()
        self.pad.setFocus()

    def _on_type_button_clicked(self) -> None:
        # Said at once: a screen reader user does not see the name appear in the pad.
        if self.pad.adopt_typed(self.printed_name.text(), self.font()):
            announce(self.pad, t("typed_signature_done", self.lang))
        else:
            announce(self.printed_name, t("typed_signature_no_name", self.lang))

    def is_complete(self) -> bool:
        return self.pad.has_ink() and bool(self.printed_name.text().strip())

    def signature(self) -> tuple[str, list[list[tuple[float, float]]], int, int]:
        return self.printed_name.text(), self.pad.strokes, self.pad.width(), self.pad.height()

    def payload(self) -> Payload:
        name, strokes, width, height = self.signature()
        return SignatureGiven(
            self.role,
            name,
            tuple(tuple(stroke) for stroke in strokes),
            width,
            height,
            typed=self.pad.typed,
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        name = message(errors.get("printed_name", ""), self.lang)
        self.name_error.setText(name)
        self.name_error.setVisible(bool(name))
        set_flag(self.printed_name, "invalid", bool(name))
        pad = message(errors.get("signature", ""), self.lang)
        self.pad_error.setText(pad)
        self.pad_error.setVisible(bool(pad))
        rest = [
            message(v, self.lang)
            for k, v in errors.items()
            if k not in ("printed_name", "signature")
        ]
        self.page_error.setText(" ".join(rest))
        self.page_error.setVisible(bool(rest))
        if pad:
            self.pad.clear()

    def snapshot(self) -> dict[str, Any]:
        return {"printed_name": self.printed_name.text()}

    def restore(self, snapshot: dict[str, Any]) -> None:
        if "printed_name" in snapshot:
            self.printed_name.setText(snapshot["printed_name"])

    def focus_first(self) -> None:
        self.pad.setFocus()
