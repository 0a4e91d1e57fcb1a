"""Supervision of vehicle use: anomaly rules V1-V7 on trips and their findings (违规使用线索)."""
