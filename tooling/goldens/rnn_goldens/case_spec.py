"""Case lists: loading, validating and describing the cases to generate.

A case list is a JSON file (a list of cases, or `{"cases": [...]}`) or a Python module whose
`CASES` is such a list.  One case is a plain dict; see README.md for every key.  This module
only checks and normalises the dicts; it does not import Keras.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

RECURRENT_CLASSES = ("SimpleRNN", "GRU", "LSTM")
MERGE_MODES = ("concat", "sum", "mul", "ave", None)
WEIGHT_MODES = ("random", "saturation", "keras")
MASK_PATTERNS = ("trailing", "leading", "middle", "fully_masked_row")
MODEL_FORMATS = ("keras", "h5")
# A model whose first layer is one of these takes (batch, timesteps) token ids instead of features.
TOKEN_INPUT_CLASSES = ("Embedding",)

# Short names used in generated ids (`lstm-seq-state-masktrail-b3-t7-i5-u3-seed187`).
_ID_MASK_NAMES = {"trailing": "trail", "leading": "lead", "middle": "mid", "fully_masked_row": "full", "custom": "custom"}

_LAYER_CASE_KEYS = {"id", "layer", "batch", "timesteps", "features", "seed", "weights", "mask",
                    "initial_state", "inputs", "calls", "notes", "tags"}
_MODEL_CASE_KEYS = {"id", "model", "batch", "timesteps", "features", "seed", "weights", "mask",
                    "save_as", "notes", "tags"}


class CaseError(ValueError):
    """A case in a case list is malformed; the message names the case and the key."""


@dataclass(frozen=True)
class Call:
    """One call of a stateful layer; states carry over from the previous call unless reset."""

    reset_states_before: bool


@dataclass
class Case:
    """One normalised case.  `kind` is "layer", "stateful" or "model"."""

    kind: str
    batch: int
    timesteps: int
    # None for a model that starts with an Embedding: its inputs are (batch, timesteps) token ids.
    features: int | None
    seed: int
    weights: str = "random"
    # Layer and stateful cases: one layer description (see `layer_kwargs`).
    layer: dict[str, Any] | None = None
    # Model cases: the layers of a Sequential model, after its Input.
    model: list[dict[str, Any]] | None = None
    # (batch, timesteps) 0/1 matrix or None.  Layer cases pass it as `mask=`; model cases
    # zero the input steps where it is 0 (for a Masking layer to find, or token id 0 for an
    # Embedding with mask_zero).
    mask: np.ndarray | None = None
    mask_name: str | None = None
    initial_state: bool = False
    inputs: np.ndarray | None = None
    calls: list[Call] | None = None
    save_as: str = "keras"
    notes: str | None = None
    extra_tags: list[str] = field(default_factory=list)
    explicit_id: str | None = None

    @property
    def saturation(self) -> bool:
        return self.weights == "saturation"

    @property
    def label(self) -> str:
        return self.explicit_id or f"case with seed {self.seed}"


def load_case_list(path: str | Path) -> list[Case]:
    """Read a JSON or Python case list and return its normalised cases, in order."""
    path = Path(path)
    if path.suffix == ".py":
        raw_cases = _load_python_cases(path)
    elif path.suffix == ".json":
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
        raw_cases = document["cases"] if isinstance(document, dict) else document
    else:
        raise CaseError(f"{path}: a case list is a .json file or a .py module defining CASES")
    if not isinstance(raw_cases, list):
        raise CaseError(f"{path}: expected a list of cases, got {type(raw_cases).__name__}")
    return [parse_case(raw) for raw in raw_cases]


def _load_python_cases(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"case_list_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise CaseError(f"{path}: cannot import")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "CASES"):
        raise CaseError(f"{path}: the module defines no CASES list")
    return module.CASES


def parse_case(raw: dict[str, Any]) -> Case:
    """Validate one raw case dict and normalise it into a `Case`."""
    if not isinstance(raw, dict):
        raise CaseError(f"a case must be an object, got {raw!r}")
    label = raw.get("id") or f"case with seed {raw.get('seed')}"
    is_model = "model" in raw
    allowed = _MODEL_CASE_KEYS if is_model else _LAYER_CASE_KEYS
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise CaseError(f"{label}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")

    def need_int(key: str) -> int:
        value = raw.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < (0 if key == "seed" else 1):
            raise CaseError(f"{label}: '{key}' must be a positive integer, got {value!r}")
        return value

    batch, timesteps = need_int("batch"), need_int("timesteps")
    if is_model and _takes_token_ids(raw["model"]):
        if raw.get("features") is not None:
            raise CaseError(f"{label}: a model starting with an Embedding takes token ids; drop 'features'")
        features = None
    else:
        features = need_int("features")
    case = Case(
        kind="model" if is_model else ("stateful" if "calls" in raw else "layer"),
        batch=batch,
        timesteps=timesteps,
        features=features,
        seed=need_int("seed"),
        weights=raw.get("weights", "random"),
        notes=raw.get("notes"),
        extra_tags=list(raw.get("tags", [])),
        explicit_id=raw.get("id"),
    )
    if case.weights not in WEIGHT_MODES:
        raise CaseError(f"{label}: 'weights' must be one of {WEIGHT_MODES}, got {case.weights!r}")
    if "mask" in raw and raw["mask"] is not None:
        case.mask, case.mask_name = mask_matrix(raw["mask"], batch, timesteps, label)

    if is_model:
        _parse_model_part(raw, case, label)
    else:
        _parse_layer_part(raw, case, label)
    return case


def _parse_model_part(raw: dict[str, Any], case: Case, label: str) -> None:
    if not case.explicit_id:
        raise CaseError(f"{label}: a model case needs an explicit 'id'")
    layers = raw["model"]
    if not isinstance(layers, list) or not layers:
        raise CaseError(f"{label}: 'model' must be a non-empty list of layer descriptions")
    for layer in layers:
        check_layer_description(layer, label)
    case.model = layers
    if case.weights == "keras":
        raise CaseError(f"{label}: model cases use 'random' or 'saturation' weights")
    if case.features is None:
        if case.saturation:
            raise CaseError(f"{label}: token ids cannot be scaled; use 'random' weights with an Embedding")
        if case.mask is not None and not layers[0].get("mask_zero", False):
            raise CaseError(f"{label}: a mask becomes token id 0, which only masks with mask_zero: true")
    case.save_as = raw.get("save_as", "keras")
    if case.save_as not in MODEL_FORMATS:
        raise CaseError(f"{label}: 'save_as' must be one of {MODEL_FORMATS}, got {case.save_as!r}")


def _parse_layer_part(raw: dict[str, Any], case: Case, label: str) -> None:
    layer = raw.get("layer")
    check_layer_description(layer, label)
    if recurrent_description(layer)["class"] not in RECURRENT_CLASSES:
        raise CaseError(f"{label}: a layer case tests {RECURRENT_CLASSES} or a Bidirectional of one")
    case.layer = layer
    case.initial_state = bool(raw.get("initial_state", False))

    stateful = bool(recurrent_description(layer).get("stateful", False))
    if "calls" in raw:
        calls = raw["calls"]
        if not stateful:
            raise CaseError(f"{label}: 'calls' needs a stateful layer (stateful: true)")
        if not isinstance(calls, list) or not calls or any(set(c) != {"reset_states_before"} for c in calls):
            raise CaseError(f"{label}: 'calls' must be a non-empty list of {{\"reset_states_before\": bool}}")
        case.calls = [Call(bool(call["reset_states_before"])) for call in calls]
        if case.initial_state:
            raise CaseError(f"{label}: stateful cases start from zero states; drop 'initial_state'")
    elif stateful:
        raise CaseError(f"{label}: a stateful layer needs a 'calls' list")

    if raw.get("inputs") is not None:
        if case.calls is not None:
            raise CaseError(f"{label}: explicit 'inputs' are only supported for single-call cases")
        inputs = np.asarray(raw["inputs"], dtype=np.float32)
        expected = (case.batch, case.timesteps, case.features)
        if inputs.shape != expected:
            raise CaseError(f"{label}: 'inputs' has shape {inputs.shape}, expected {expected}")
        case.inputs = inputs


def _takes_token_ids(layers: Any) -> bool:
    return (isinstance(layers, list) and bool(layers) and isinstance(layers[0], dict)
            and layers[0].get("class") in TOKEN_INPUT_CLASSES)


def check_layer_description(layer: Any, label: str) -> None:
    """A layer description is `{"class": <keras.layers name>, **constructor keyword arguments}`;
    a Bidirectional one holds its wrapped layer under "layer" and optionally "backward_layer",
    a TimeDistributed one its wrapped layer under "layer"."""
    if not isinstance(layer, dict) or not isinstance(layer.get("class"), str):
        raise CaseError(f"{label}: a layer description is an object with a 'class' string, got {layer!r}")
    if layer["class"] == "TimeDistributed":
        check_layer_description(layer.get("layer"), label)
    if layer["class"] == "Bidirectional":
        if layer.get("merge_mode", "concat") not in MERGE_MODES:
            raise CaseError(f"{label}: 'merge_mode' must be one of {MERGE_MODES}, got {layer['merge_mode']!r}")
        check_layer_description(layer.get("layer"), label)
        if "backward_layer" in layer:
            check_layer_description(layer["backward_layer"], label)
            if not layer["backward_layer"].get("go_backwards", False):
                raise CaseError(f"{label}: an explicit backward_layer needs go_backwards: true")


def layer_kwargs(layer: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of a description: everything but "class" and the wrapped layers."""
    return {key: value for key, value in layer.items() if key not in ("class", "layer", "backward_layer")}


def recurrent_description(layer: dict[str, Any]) -> dict[str, Any]:
    """The recurrent layer a case is about: the layer itself, or the forward layer of a Bidirectional."""
    return layer["layer"] if layer["class"] == "Bidirectional" else layer


# ---------------------------------------------------------------------------------------------
# Masks


def mask_matrix(mask: Any, batch: int, timesteps: int, label: str) -> tuple[np.ndarray, str]:
    """A named pattern or an explicit 0/1 matrix → (batch, timesteps) int matrix and its name.

    The named patterns give the three rows below, repeated over the batch (t = timesteps):
    * trailing:         all real; last 2 steps masked; only step 0 real
    * leading:          all real; first 2 steps masked; only the last step real
    * middle:           steps t//2 and t//2+1 masked; steps 1 and t-1 masked; all real
    * fully_masked_row: all real; all masked; first 3 steps real
    """
    if isinstance(mask, str):
        if mask not in MASK_PATTERNS:
            raise CaseError(f"{label}: 'mask' must be one of {MASK_PATTERNS} or a 0/1 matrix, got {mask!r}")
        if timesteps < 4:
            raise CaseError(f"{label}: mask pattern {mask!r} needs at least 4 timesteps")
        rows = _pattern_rows(mask, timesteps)
        matrix = np.array([rows[row % len(rows)] for row in range(batch)], dtype=np.int64)
        return matrix, mask
    matrix = np.asarray(mask)
    if matrix.shape != (batch, timesteps) or not np.isin(matrix, (0, 1)).all():
        raise CaseError(f"{label}: an explicit mask must be a {batch}x{timesteps} matrix of 0/1")
    return matrix.astype(np.int64), "custom"


def _pattern_rows(name: str, t: int) -> list[list[int]]:
    def real_except(masked: set[int]) -> list[int]:
        return [0 if step in masked else 1 for step in range(t)]

    every = real_except(set())
    if name == "trailing":
        return [every, real_except({t - 2, t - 1}), real_except(set(range(1, t)))]
    if name == "leading":
        return [every, real_except({0, 1}), real_except(set(range(t - 1)))]
    if name == "middle":
        return [real_except({t // 2, t // 2 + 1}), real_except({1, t - 1}), every]
    return [every, real_except(set(range(t))), real_except(set(range(3, t)))]


# ---------------------------------------------------------------------------------------------
# Ids and tags.  Both read the layer's final Keras config (so Keras decides every default) plus
# the case facts that are not in a config (mask, initial state, weights, calls).


def case_id(case: Case, config: dict[str, Any]) -> str:
    """The explicit id, or one built from the case: `[bi-]<class>[-parts]-b<B>-t<T>-i<F>-u<U>-seed<S>`."""
    if case.explicit_id:
        return case.explicit_id
    recurrent, class_name = _recurrent_config(case, config)
    parts = ["bi"] if case.layer["class"] == "Bidirectional" else []
    parts.append(class_name.lower())
    if class_name == "GRU" and not recurrent["reset_after"]:
        parts.append("resetbefore")
    if case.layer["class"] == "Bidirectional":
        parts.append("m" + str(config["merge_mode"]).lower())
        if "backward_layer" in case.layer:
            parts.append("bwlayer")
    flags = [
        ("stateful", recurrent["stateful"]),
        ("seq", recurrent["return_sequences"]),
        ("state", recurrent["return_state"]),
        ("back", recurrent["go_backwards"]),
        ("nobias", not recurrent["use_bias"]),
    ]
    parts += [name for name, on in flags if on]
    if recurrent["activation"] != "tanh":
        parts.append("act" + recurrent["activation"].replace("_", ""))
    if recurrent.get("recurrent_activation", "sigmoid") != "sigmoid":
        parts.append("ract" + recurrent["recurrent_activation"].replace("_", ""))
    if recurrent.get("unit_forget_bias") is False:
        parts.append("noufb")
    if case.initial_state:
        parts.append("init")
    if case.mask_name:
        parts.append("mask" + _ID_MASK_NAMES[case.mask_name])
    if case.saturation:
        parts.append("sat")
    if case.weights == "keras":
        parts.append("kinit")
    if recurrent["unroll"]:
        parts.append("unroll")
    if case.calls and any(call.reset_states_before for call in case.calls):
        parts.append("reset")
    shape = f"b{case.batch}-t{case.timesteps}-i{case.features}-u{recurrent['units']}"
    return "-".join(parts + [shape, f"seed{case.seed}"])


def case_tags(case: Case, config: dict[str, Any]) -> list[str]:
    """Manifest tags naming the features the case exercises (vocabulary in the fixtures README)."""
    if case.kind == "model":
        tags = ["model", f"model_file:{case.save_as}"]
        if any(layer["class"] == "Masking" for layer in case.model):
            tags.append("masking_layer")
        for layer in case.model:
            tags += [tag for tag in _model_layer_tags(layer) if tag not in tags]
        return tags + [tag for tag in case.extra_tags if tag not in tags]

    recurrent, class_name = _recurrent_config(case, config)
    tags = [class_name]
    if case.layer["class"] == "Bidirectional":
        merge_mode = config["merge_mode"]
        tags += ["bidirectional", f"merge_mode:{'none' if merge_mode is None else merge_mode}"]
        if "backward_layer" in case.layer:
            tags.append("explicit_backward_layer")
    for option in ("return_sequences", "return_state", "go_backwards", "stateful", "unroll"):
        if recurrent[option]:
            tags.append(option)
    if not recurrent["use_bias"]:
        tags.append("no_bias")
    if recurrent["activation"] != "tanh":
        tags.append(f"activation:{recurrent['activation']}")
    if recurrent.get("recurrent_activation", "sigmoid") != "sigmoid":
        tags.append(f"recurrent_activation:{recurrent['recurrent_activation']}")
    if recurrent.get("unit_forget_bias") is False:
        tags.append("unit_forget_bias:false")
    if class_name == "GRU":
        tags.append(f"reset_after:{str(recurrent['reset_after']).lower()}")
    if case.calls and any(call.reset_states_before for call in case.calls):
        tags.append("reset_states")
    if case.initial_state:
        tags.append("initial_state")
    if case.mask_name:
        tags.append(f"mask:{case.mask_name}")
    if case.saturation:
        tags.append("saturation")
    if case.weights == "keras":
        tags.append("constant_initializers" if _uses_constant_initializers(recurrent) else "keras_initializers")
    tags += [tag for tag in case.extra_tags if tag not in tags]
    if is_backend_dependent(case, config):
        tags.append("backend_dependent")
    return tags


# Tags for the layers of a model case other than Masking, Dense and the recurrent ones (those
# are named in the model's id).  The committed shared models use none of these classes, so
# their tags are unchanged.
_MODEL_LAYER_TAGS = {
    "Embedding": "embedding",
    "TimeDistributed": "time_distributed",
    "RepeatVector": "repeat_vector",
    "Flatten": "flatten",
    "GlobalAveragePooling1D": "global_average_pooling",
    "GlobalMaxPooling1D": "global_max_pooling",
    "BatchNormalization": "batch_normalization",
    "Conv1D": "conv1d",
    "MaxPooling1D": "max_pooling",
    "AveragePooling1D": "average_pooling",
}


def _model_layer_tags(layer: dict[str, Any]) -> list[str]:
    """Tags of one layer description of a model: its class, then the options that change its math."""
    class_name = layer["class"]
    if class_name not in _MODEL_LAYER_TAGS:
        return []
    tags = [_MODEL_LAYER_TAGS[class_name]]
    if class_name == "Embedding" and layer.get("mask_zero", False):
        tags.append("mask_zero")
    if class_name.startswith("Global") and layer.get("keepdims", False):
        tags.append("keepdims")
    if class_name == "BatchNormalization":
        tags += [f"batch_normalization:no_{option}" for option in ("center", "scale") if not layer.get(option, True)]
    if class_name == "Conv1D":
        tags += _conv1d_tags(layer)
    if class_name in ("MaxPooling1D", "AveragePooling1D"):
        tags += _pooling1d_tags(tags[0], layer)
    return tags


def _conv1d_tags(layer: dict[str, Any]) -> list[str]:
    """`conv1d:padding:<p>` always (Keras's default is valid), then the options that move or change
    the windows: strides, dilation_rate, no bias, an activation other than linear."""
    tags = [f"conv1d:padding:{layer.get('padding', 'valid')}"]
    if _single(layer.get("strides", 1)) != 1:
        tags.append("conv1d:strides")
    if _single(layer.get("dilation_rate", 1)) != 1:
        tags.append("conv1d:dilation")
    if not layer.get("use_bias", True):
        tags.append("conv1d:no_bias")
    if layer.get("activation") not in (None, "linear"):
        tags.append(f"conv1d:activation:{layer['activation']}")
    return tags


def _pooling1d_tags(name: str, layer: dict[str, Any]) -> list[str]:
    """`<name>:padding:<p>` always, and `<name>:strides` when the windows do not tile (Keras's
    default strides are the pool size)."""
    tags = [f"{name}:padding:{layer.get('padding', 'valid')}"]
    pool_size = _single(layer.get("pool_size", 2))
    strides = layer.get("strides")
    if strides is not None and _single(strides) != pool_size:
        tags.append(f"{name}:strides")
    return tags


def _single(value: Any) -> Any:
    """A 1-D window option given as `n` or `[n]` / `(n,)` → n."""
    return value[0] if isinstance(value, (list, tuple)) and len(value) == 1 else value


def is_backend_dependent(case: Case, config: dict[str, Any]) -> bool:
    """True where Keras's own backends disagree (see the fixtures README): a non-zero initial
    state and a masked step before the first real step in processing order (or a fully masked
    row), on a non-unrolled layer whose masked outputs are not forced to zero."""
    if case.kind != "layer" or not case.initial_state or case.mask is None:
        return False
    recurrent, _ = _recurrent_config(case, config)
    if recurrent["unroll"]:
        return False
    bidirectional = case.layer["class"] == "Bidirectional"
    if bidirectional and recurrent["return_sequences"]:
        return False  # Bidirectional forces zero_output_for_mask: masked steps are zeros everywhere
    directions = (False, True) if bidirectional else (recurrent["go_backwards"],)
    for backwards in directions:
        for row in case.mask:
            in_processing_order = row[::-1] if backwards else row
            if not in_processing_order.any():
                return True
            if recurrent["return_sequences"] and not in_processing_order[0]:
                return True
    return False


def manifest_layer_label(case: Case) -> str:
    if case.kind == "model":
        return "Sequential"
    if case.layer["class"] == "Bidirectional":
        return f"Bidirectional({case.layer['layer']['class']})"
    return case.layer["class"]


def _recurrent_config(case: Case, config: dict[str, Any]) -> tuple[dict[str, Any], str]:
    if case.layer["class"] == "Bidirectional":
        return config["layer"]["config"], config["layer"]["class_name"]
    return config, case.layer["class"]


def _uses_constant_initializers(recurrent: dict[str, Any]) -> bool:
    initializers = [recurrent[key] for key in ("kernel_initializer", "recurrent_initializer")]
    return all(isinstance(init, dict) and init.get("class_name") == "Constant" for init in initializers)
