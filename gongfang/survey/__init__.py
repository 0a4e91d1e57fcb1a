"""Survey batches (测绘), drawings in (DXF/IFC), reconciliation with the registry and three-party confirmation (三方确认)."""
