"""Official vehicles (公务用车): registry, standards, quotas, vehicle cases, dispatch and running costs."""
