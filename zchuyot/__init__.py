"""zchuyot — a Hebrew-first case tracker for active rights exhaustion (מיצוי זכויות אקטיבי)."""

__version__ = "0.1.0"
