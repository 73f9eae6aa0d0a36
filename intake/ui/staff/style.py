"""The staff screens' look: plain and dense (a desk PC, not a touch kiosk), same palette as the kiosk."""

from __future__ import annotations

STAFF_QSS = """
QWidget { font-size: 13px; color: #1b2a33; }
QMainWindow, QDialog { background: #f3f6f8; }
QFrame#topbar { background: #14424f; }
QMenuBar#menu_bar { background: #14424f; color: #ffffff; padding: 2px 8px 0 8px; }
QMenuBar#menu_bar::item { background: transparent; color: #dcecef; padding: 3px 8px; }
QMenuBar#menu_bar::item:selected { background: #1d5766; color: #ffffff; border-radius: 3px; }
QMenu { background: #ffffff; border: 1px solid #9fb3b9; }
QMenu::item { padding: 4px 24px 4px 20px; }
QMenu::item:selected { background: #1f6f80; color: #ffffff; }
QMenu::item:disabled { color: #a0aaae; }
QLabel#topbar_title { color: #ffffff; font-size: 15px; font-weight: bold; }
QLabel#topbar_text { color: #dcecef; }
QPushButton#topbar_button {
    background: #1d5766; color: #ffffff; border: 1px solid #8fb9c3; border-radius: 4px;
    padding: 4px 12px;
}
QPushButton#topbar_button:hover { background: #236577; }
QFrame#card { background: #ffffff; border: 1px solid #c9dade; border-radius: 8px; }
QFrame#panel { background: #ffffff; border: 1px solid #d5e0e3; border-radius: 6px; }
QLabel#title { font-size: 18px; font-weight: bold; color: #14424f; }
QLabel#subtitle { font-size: 14px; color: #44585f; }
QLabel#section { font-size: 14px; font-weight: bold; color: #14424f; margin-top: 4px; }
QLabel#muted { color: #5b6470; }
QLabel#big { font-size: 17px; font-weight: bold; }
QLabel#visit_code {
    color: #14424f; background: #e1f0f2; border-radius: 8px; padding: 14px 24px;
    font-size: 54px; font-weight: bold; letter-spacing: 6px;
}
QPushButton { padding: 5px 12px; border: 1px solid #9fb3b9; border-radius: 4px; background: #ffffff; }
QPushButton:hover { background: #eef5f6; }
QPushButton:disabled { color: #8c979b; background: #eef1f2; border-color: #d0d8da; }
QPushButton[primary="true"] {
    background: #1f6f80; color: #ffffff; border-color: #155462; font-weight: bold;
}
QPushButton[primary="true"]:hover { background: #155462; }
QPushButton[primary="true"]:disabled { background: #b9ccd1; color: #eef3f4; border-color: #b9ccd1; }
QLineEdit { padding: 4px 6px; border: 1px solid #9fb3b9; border-radius: 4px; background: #ffffff; }
QLineEdit:focus { border: 2px solid #c25e00; }
QTableView, QTableWidget {
    background: #ffffff; gridline-color: #e3e9eb; border: 1px solid #d5e0e3;
    selection-background-color: #1f6f80; selection-color: #ffffff;
}
QHeaderView::section {
    background: #e8eef0; border: none; border-right: 1px solid #d5e0e3; padding: 4px 6px;
    font-weight: bold;
}
QGroupBox { border: 1px solid #d5e0e3; border-radius: 6px; margin-top: 14px; background: #ffffff; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; font-weight: bold; color: #14424f; }
QTabWidget::pane { border: 1px solid #d5e0e3; background: #ffffff; }
QTabBar::tab { padding: 6px 9px; }
QTabBar::tab:selected { font-weight: bold; color: #14424f; }
QTabBar::tab:disabled { color: #a0aaae; }
"""
