"""Inspections, tip-offs, findings, rectification and referral (督查、线索、整改、移交)."""
