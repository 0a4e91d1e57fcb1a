"""Maintenance projects and the three-year plan (维修), property service contracts and budgets (物业、经费)."""
