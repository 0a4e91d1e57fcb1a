"""Standards shipped as data (seeded by migrations)."""
