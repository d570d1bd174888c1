"""Reading and writing `rnn-golden/1` JSON laid out exactly like the committed fixtures.

Layout rules (they keep diffs of regenerated fixtures readable and byte-stable):
* one-space indentation, one key per line;
* a list of scalars stays on one line, items separated by ", " (shapes, `batch_shape`, tags);
* tensor `data` (a numpy array here) is one line with "," between items: float32 values as the
  shortest decimal that parses back to the same float32 (numpy's float32 repr, e.g. `0.1`,
  `-0.0`, `8.266123e-05`), integer arrays (masks) as plain integers;
* the file ends with a newline.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np


def float32_text(value: float | np.floating) -> str:
    """Shortest decimal text that gives back exactly this float32 after a double parse."""
    single = np.float32(value)
    if not np.isfinite(single):
        raise ValueError(f"cannot write non-finite value {single!r} into a fixture")
    return str(single)


def encode_tensor(array: np.ndarray, name: str | None = None) -> dict[str, Any]:
    """`{"name"?, "shape", "data"}` with the data flattened in C order and kept as float32."""
    values = np.ascontiguousarray(array, dtype=np.float32)
    tensor: dict[str, Any] = {} if name is None else {"name": name}
    tensor["shape"] = list(values.shape)
    tensor["data"] = values.reshape(-1)
    return tensor


def encode_mask(mask: np.ndarray) -> dict[str, Any]:
    """A (batch, timesteps) 0/1 mask; 1 marks a real step."""
    values = np.asarray(mask, dtype=np.int64)
    return {"shape": list(values.shape), "data": values.reshape(-1)}


def decode_tensor(tensor: dict[str, Any]) -> np.ndarray:
    return np.asarray(tensor["data"], dtype=np.float32).reshape(tensor["shape"])


def decode_mask(mask: dict[str, Any]) -> np.ndarray:
    return np.asarray(mask["data"], dtype=bool).reshape(mask["shape"])


def dumps(document: Any) -> str:
    """The fixture text of `document` (dicts, lists, scalars and numpy data arrays)."""
    return _render(document, depth=0) + "\n"


def write(path, document: Any) -> None:
    with open(path, "w", encoding="utf-8") as file:
        file.write(dumps(document))


def read(path) -> Any:
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def plain(value: Any) -> Any:
    """`value` as json.load would return it (tuples become lists), for comparing configs."""
    return json.loads(json.dumps(value))


def _render(value: Any, depth: int) -> str:
    if isinstance(value, np.ndarray):
        return _render_data(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = " " * (depth + 1)
        items = [f"{inner}{_scalar(str(key))}: {_render(item, depth + 1)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    if isinstance(value, (list, tuple)):
        if all(_is_scalar(item) for item in value):
            return "[" + ", ".join(_scalar(item) for item in value) + "]"
        inner = " " * (depth + 1)
        items = [inner + _render(item, depth + 1) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * depth + "]"
    return _scalar(value)


def _render_data(array: np.ndarray) -> str:
    flat = array.reshape(-1)
    if np.issubdtype(flat.dtype, np.floating):
        return "[" + ",".join(float32_text(item) for item in flat) + "]"
    if np.issubdtype(flat.dtype, np.integer) or flat.dtype == np.bool_:
        return "[" + ",".join(str(int(item)) for item in flat) + "]"
    raise TypeError(f"cannot write a data array of dtype {flat.dtype}")


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _scalar(value: Any) -> str:
    if not _is_scalar(value):
        raise TypeError(f"cannot write {type(value).__name__} {value!r} into a fixture")
    return json.dumps(value, allow_nan=False)
