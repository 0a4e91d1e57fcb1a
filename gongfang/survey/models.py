"""Models of survey."""
