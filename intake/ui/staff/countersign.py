"""The prescriber's countersignature: drawn, named, dated, with its meaning shown."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from intake.domain.flags import review_token, worded
from intake.domain.records import SIGNATURE_MEANINGS, Flag
from intake.services.clinician import Review
from intake.services.context import Actor, AppContext
from intake.services.errors import InvalidInput
from intake.ui.common import (
    BusyBar,
    describe_error,
    named,
    primary,
    problem_text,
    staff_lang,
)
from intake.ui.operations import Operation
from intake.ui.staff.packets import document_service
from intake.ui.staff.signing_words import message_label, problem_label, said, said_or
from intake.ui.widgets.signature_pad import SignaturePadWidget

FLAG_COLOURS = {"alert": "#b42318", "warning": "#8a5a00"}


def shown_attestations(review: Review) -> tuple[tuple[str, str], ...]:
    """The review's prescriber attestations as (id, text in the staff language). Only the ids go
    back to the service, which records each attestation's English text by its id."""
    texts = review.attestation_texts
    if len(texts) != len(review.attestations):
        return review.attestations
    lang = staff_lang()
    return tuple(
        (ident, text.get(lang)) for (ident, _), text in zip(review.attestations, texts, strict=True)
    )


class CountersignDialog(QDialog):
    """Sign on the pad; the consent is re-issued with this signature and linked to the earlier one."""

    countersigned = Signal(object)  # DocumentInfo of the new consent issue

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        visit_id: str,
        patient_name: str,
        parent: QWidget | None = None,
        flags: Sequence[Flag] = (),
        first_signing: bool = True,
        attestations: Sequence[tuple[str, str]] = (),
    ):
        super().__init__(parent)
        self._ctx, self._actor, self.visit_id = ctx, actor, visit_id
        self.setWindowTitle(said("countersign_title"))
        named(self, said("countersign_title"), "countersign_dialog")
        self.tasks = Operation(self, "countersign")
        self.setMinimumWidth(620)

        meaning = said_or("meaning_clinician", SIGNATURE_MEANINGS["clinician"])
        heading = QLabel(said("countersign_heading", name=html.escape(patient_name)), self)
        heading.setWordWrap(True)
        attestation = named(
            QLabel(said("attestation"), self), said("attestation_name"), "attestation"
        )
        attestation.setWordWrap(True)
        self.meaning = named(
            QLabel(said("meaning", meaning=meaning), self),
            said("meaning_name"),
            "signature_meaning",
        )
        self.meaning.setWordWrap(True)
        self.flags_box = self._flag_list(flags)
        self.attestations_box = self._attestation_list(attestations)
        form = QFormLayout()
        self.printed_name = named(QLineEdit(actor.name, self), said("printed_name"), "printed_name")
        self.name_error = problem_label("printed_name", "printed_name_problem", self)
        form.addRow(said("printed_name"), self.printed_name)
        form.addRow("", self.name_error)
        # The PIN is asked again for each signature (21 CFR 11.200): an unlocked station is
        # not enough to sign as this clinician.
        # The first signing after sign-in needs every part of the identity: username and PIN.
        self.username: QLineEdit | None = None
        if first_signing:
            self.username = named(QLineEdit(self), said("username"), "your_username")
            self.username.setPlaceholderText(said("username_hint"))
            self.username_error = problem_label("username_subject", "username_problem", self)
            form.addRow(said("username"), self.username)
            form.addRow("", self.username_error)
        self.secret = named(QLineEdit(self), said("pin"), "your_pin")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText(said("pin_hint"))
        self.secret_error = problem_label("pin_subject", "pin_problem", self)
        form.addRow(said("pin"), self.secret)
        form.addRow("", self.secret_error)
        self.pad = SignaturePadWidget(self)
        named(self.pad, said("signature_pad"), "signature_pad")
        self.pad.setMinimumSize(560, 180)
        self.signature_error = problem_label("signature_subject", "signature_problem", self)
        self.clear_button = named(
            QPushButton(said("clear"), self), said("clear_name"), "clear_signature"
        )
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.sign_button = named(
            QPushButton(said("countersign"), self), said("countersign"), "countersign"
        )
        primary(self.sign_button)
        self.sign_button.setEnabled(False)
        self.sign_button.clicked.connect(self._on_sign_button_clicked)
        self.cancel_button = named(
            QPushButton(said("cancel"), self), said("cancel_name"), "cancel_countersigning"
        )
        self.cancel_button.clicked.connect(self.reject)
        self.message = message_label("countersign", "countersign_message", self)
        self.busy = BusyBar(self)
        self.tasks.busy_changed.connect(self.busy._on_tasks_busy_changed)
        self.pad.signed_changed.connect(self._on_pad_signed_changed)

        when = QLabel(said("countersign_when"), self)
        when.setWordWrap(True)
        when.setObjectName("muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(attestation)
        layout.addWidget(self.attestations_box)
        self.attestations_box.setVisible(bool(attestations))
        layout.addWidget(self.flags_box)
        layout.addWidget(self.meaning)
        layout.addLayout(form)
        layout.addWidget(QLabel(said("sign_here"), self))
        layout.addWidget(self.pad, 1)
        layout.addWidget(self.signature_error)
        layout.addWidget(when)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)

    def _flag_list(self, flags: Sequence[Flag]) -> QWidget:
        """Every open flag with its detail; each serious one is a box to tick as reviewed."""
        self.review_boxes: dict[str, QCheckBox] = {}
        self._tokens: dict[str, str] = {f.id: review_token(f) for f in flags}
        inner = QWidget(self)
        rows = QVBoxLayout(inner)
        rows.setContentsMargins(8, 6, 8, 6)
        title = said("flags_open" if flags else "flags_none")
        heading = named(QLabel(title, inner), said("flags_name"), "open_flags")
        heading.setWordWrap(True)
        rows.addWidget(heading)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setColumnStretch(1, 1)
        for n, flag in enumerate(flags):
            kind = "alert" if flag.severity == "alert" else "warning"
            # Shown in the staff language; the stored English (flag.text) stays the widget's
            # objectName and the review token sent with the signature is unchanged.
            shown = worded(flag, staff_lang())
            text = said(f"flag_{kind}", colour=FLAG_COLOURS[kind], text=html.escape(shown))
            name = said(f"flag_{kind}_name", text=shown)
            english = f"{kind.capitalize()}: {flag.text}"
            label = named(QLabel(text, inner), name, english.lower().replace(" ", "_"))
            label.setWordWrap(True)
            if flag.must_review:
                box = named(QCheckBox(said("reviewed"), inner), said("reviewed_name", flag=name))
                box.setObjectName(f"review_{flag.id}")
                box.toggled.connect(self._on_review_box_toggled)
                self.review_boxes[flag.id] = box
                grid.addWidget(box, n, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, n, 1)
        rows.addLayout(grid)
        if self.review_boxes:
            note = QLabel(said("reviewed_note"), inner)
            note.setWordWrap(True)
            note.setObjectName("muted")
            rows.addWidget(note)
        self.review_error = problem_label("reviewed_subject", "reviewed_flags_problem", inner)
        rows.addWidget(self.review_error)
        scroll = QScrollArea(self)
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumHeight(min(260, 40 + 34 * max(1, len(flags))))
        scroll.setMaximumHeight(300)
        named(scroll, said("flags_name"), "open_flags")
        return scroll

    def _attestation_list(self, attestations: Sequence[tuple[str, str]]) -> QWidget:
        """What the programme rule set asks the prescriber to confirm, a box for each."""
        self.attestation_boxes: dict[str, QCheckBox] = {}
        box = QFrame(self)
        box.setFrameShape(QFrame.Shape.StyledPanel)
        rows = QVBoxLayout(box)
        rows.setContentsMargins(8, 6, 8, 6)
        intro = named(QLabel(said("confirm_intro"), box), said("confirm_intro_name"), "confirm")
        intro.setWordWrap(True)
        rows.addWidget(intro)
        for ident, text in attestations:
            check = named(QCheckBox(text, box), said("confirm_name", text=text))
            check.setObjectName(f"attest_{ident}")
            check.toggled.connect(self._on_review_box_toggled)
            self.attestation_boxes[ident] = check
            rows.addWidget(check)
        self.attest_error = problem_label("confirmations_subject", "confirmations_problem", box)
        rows.addWidget(self.attest_error)
        named(box, said("confirmations_name"), "prescriber_confirmations")
        return box

    @property
    def attested(self) -> tuple[str, ...]:
        """Ids of the attestations the clinician confirmed."""
        return tuple(i for i, box in self.attestation_boxes.items() if box.isChecked())

    @property
    def reviewed(self) -> tuple[str, ...]:
        """Tokens of the flags ticked, each bound to the text the clinician saw."""
        return tuple(self._tokens[fid] for fid, box in self.review_boxes.items() if box.isChecked())

    def _can_sign(self, busy: bool | None = None) -> bool:
        boxes = (*self.review_boxes.values(), *self.attestation_boxes.values())
        ticked = all(box.isChecked() for box in boxes)
        busy = self.tasks.busy if busy is None else busy
        return ticked and self.pad.has_ink() and not busy

    @Slot(bool)
    def _on_review_box_toggled(self, _checked: bool) -> None:
        self.sign_button.setEnabled(self._can_sign())

    @Slot(bool)
    def _on_pad_signed_changed(self, has_ink: bool) -> None:
        self.sign_button.setEnabled(self._can_sign())

    @Slot()
    def _on_clear_button_clicked(self) -> None:
        self.pad.clear()
        self.signature_error.clear_message()

    @Slot()
    def _on_sign_button_clicked(self) -> None:
        self.sign()

    def sign(self) -> None:
        """Countersign off the GUI thread (the consent is rendered and sealed again)."""
        if self.username is not None:
            self.username_error.clear_message()
        for label in (
            self.name_error,
            self.signature_error,
            self.secret_error,
            self.review_error,
            self.attest_error,
            self.message,
        ):
            label.clear_message()
        strokes = self.pad.strokes
        reviewed = self.reviewed
        attested = self.attested
        width, height = float(self.pad.width()), float(self.pad.height())
        name = self.printed_name.text()
        secret = self.secret.text()
        username = self.username.text() if self.username is not None else None
        self.secret.clear()  # never kept on screen longer than needed
        self.sign_button.setEnabled(False)
        self.clear_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.message.show_message(said("countersigning"), "info")
        self.tasks.run(
            lambda: document_service(self._ctx).countersign(
                self._actor,
                self.visit_id,
                name,
                strokes,
                width,
                height,
                secret=secret,
                username=username,
                reviewed=reviewed,
                attested=attested,
            ),
            self._on_countersign_done,
            self._on_countersign_failed,
        )

    def _on_countersign_done(self, info: Any) -> None:
        self.countersigned.emit(info)
        self.accept()

    def _on_countersign_failed(self, exc: BaseException) -> None:
        self.message.clear_message()
        self.clear_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.sign_button.setEnabled(self._can_sign(busy=False))
        if isinstance(exc, InvalidInput):
            if "reviewed" in exc.errors:
                self.review_error.show_error(exc.errors["reviewed"])
            if "attested" in exc.errors:
                self.attest_error.show_error(exc.errors["attested"])
            if "printed_name" in exc.errors:
                self.name_error.show_error(exc.errors["printed_name"])
            if "signature" in exc.errors:
                self.signature_error.show_error(exc.errors["signature"])
            if "username" in exc.errors and self.username is not None:
                self.username_error.show_error(exc.errors["username"])
            if "secret" in exc.errors:
                self.secret_error.show_error(exc.errors["secret"])
                self.secret.setFocus()
            shown = ("printed_name", "signature", "secret", "reviewed", "attested", "username")
            other = {k: v for k, v in exc.errors.items() if k not in shown}
            if other:
                # Each worded by its own code: a joined string would lose them.
                self.message.show_error("; ".join(problem_text(v) for v in other.values()))
            return
        self.message.show_error(describe_error(exc))

    def reject(self) -> None:
        if self.tasks.busy:
            return  # the countersignature is being saved: wait for it
        super().reject()
