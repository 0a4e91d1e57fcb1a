"""Exchange between deployments: signed report packages sent up and returns sent back."""
