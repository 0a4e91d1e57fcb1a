"""Vehicle terminals: the JT/T 808 gateway, positions and trips."""
