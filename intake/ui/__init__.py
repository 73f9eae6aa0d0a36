"""Qt widgets only: kiosk wizard, front desk, clinician. Calls services, never SQL or PDF code."""
