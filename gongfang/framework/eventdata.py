"""How an event's data reads in the audit log: Chinese names for its keys and for the codes among
its values (roles, states, reasons), registered by the apps that write the events.

The data stay as written (the hash chain covers them); only what the audit page shows is
translated. A key without a name is shown as written, a code without a label as written.
"""

from __future__ import annotations

from typing import Any

from .changelog import stored_time

# Keys many events share; apps add theirs.
KEY_LABELS: dict[str, str] = {
    "before": "变更前",
    "after": "变更后",
    "added": "新增",
    "removed": "移除",
    "rows": "行数",
    "filters": "筛选条件",
    "format": "格式",
    "file": "文件",
    "sheet": "工作表",
    "list": "列表",
    "batch": "批次",
    "stage": "阶段",
    "objects": "对象数",
    "reason": "原因",
    "summary": "情况",
    "code": "代码",
}
# event -> key -> code -> label
VALUE_LABELS: dict[str, dict[str, dict[str, str]]] = {}


def register_event_data(
    *,
    keys: dict[str, str] | None = None,
    values: dict[str, dict[str, dict[str, str]]] | None = None,
) -> None:
    """``keys``: key -> Chinese name; ``values``: event -> key -> code -> Chinese label."""
    KEY_LABELS.update(keys or {})
    for event, by_key in (values or {}).items():
        for key, labels in by_key.items():
            VALUE_LABELS.setdefault(event, {}).setdefault(key, {}).update(labels)


def key_label(key: str) -> str:
    return KEY_LABELS.get(key, key)


def readable(event: str, key: str, value: Any) -> Any:
    """``value`` of ``key`` in ``event``'s data with its codes as labels, times local, yes/no
    in Chinese, and nested keys named."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return stored_time(value) or VALUE_LABELS.get(event, {}).get(key, {}).get(value, value)
    if isinstance(value, list):
        return [readable(event, key, v) for v in value]
    if isinstance(value, dict):
        return {key_label(k): readable(event, k, v) for k, v in value.items()}
    return value
