"""Models of exchange."""
