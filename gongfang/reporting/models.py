"""Models of reporting."""
