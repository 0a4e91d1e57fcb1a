"""REST API of the registry (基础台账): one endpoint per model under ``/api/registry/``."""
