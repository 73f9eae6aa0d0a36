"""Use cases: one unit of work each, callable without Qt; plain dataclasses out."""
