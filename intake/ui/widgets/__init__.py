"""Widgets shared by the kiosk and the staff screens: signature pad, answer buttons, entries."""
