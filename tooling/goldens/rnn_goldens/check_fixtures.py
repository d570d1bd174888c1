"""Re-running stored fixtures through real Keras and comparing with their stored outputs.

Each fixture is rebuilt the way a user of the fixture would: the layer (or model) from its
stored config, the stored weights set in order, called on the stored inputs with the stored
mask and initial state.  Model fixtures are also loaded from their saved .keras/.h5 file.
Nothing here reads the case list or draws random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np

from . import fixture_json
from .fixture_json import decode_mask, decode_tensor
from .keras_layers import call_layer, rebuild_layer, rebuild_model, to_numpy


@dataclass
class OutputDiff:
    name: str
    max_abs: float
    max_rel: float  # max |got - want| / max(1, |want|), the conformance suite's measure
    bit_exact: bool


@dataclass
class FixtureResult:
    id: str
    diffs: list[OutputDiff] = field(default_factory=list)
    config_equal: bool = True
    # None: no model file; otherwise a short verdict on loading and running it.
    model_file: str | None = None
    model_file_ok: bool = True
    expected_to_differ: bool = False
    error: str | None = None

    @property
    def max_abs(self) -> float:
        return max((diff.max_abs for diff in self.diffs), default=0.0)

    @property
    def max_rel(self) -> float:
        return max((diff.max_rel for diff in self.diffs), default=0.0)

    @property
    def bit_exact(self) -> bool:
        return all(diff.bit_exact for diff in self.diffs)


def check_directory(root: Path, backend: str, tolerance: float, only: set[str] | None = None) -> list[FixtureResult]:
    """Check every fixture listed in `root/manifest.json` (or those whose id is in `only`).

    `tolerance` bounds max |got - want| / max(1, |want|) of a saved model file's outputs; the
    outputs rebuilt from config are judged by the caller from each result's diffs."""
    manifest = fixture_json.read(root / "manifest.json")
    results = []
    for entry in manifest["cases"]:
        if only is not None and entry["id"] not in only:
            continue
        path = root / entry["file"]
        try:
            result = check_fixture(fixture_json.read(path), path.parent, entry.get("tags", []), tolerance)
        except Exception as error:  # report and go on: one broken fixture must not hide the rest
            result = FixtureResult(id=entry["id"], error=f"{type(error).__name__}: {error}")
        # The README's backend_dependent cases are defined by the numpy/jax behaviour.
        result.expected_to_differ = backend not in ("numpy", "jax") and "backend_dependent" in entry.get("tags", [])
        results.append(result)
    return results


def check_fixture(fixture: dict[str, Any], folder: Path, tags: list[str], tolerance: float) -> FixtureResult:
    keras.backend.clear_session()
    if fixture.get("model_file") is not None or fixture["layer"]["class_name"] in ("Sequential", "Functional"):
        return _check_model_fixture(fixture, folder, tags, tolerance)
    return _check_layer_fixture(fixture)


def _check_layer_fixture(fixture: dict[str, Any]) -> FixtureResult:
    result = FixtureResult(id=fixture["id"])
    class_name, config = fixture["layer"]["class_name"], fixture["layer"]["config"]
    layer = rebuild_layer(class_name, config)
    first_inputs = fixture["inputs"] if fixture["sequence"] is None else fixture["sequence"][0]["inputs"]
    layer.build(tuple(first_inputs["shape"]))
    layer.set_weights([decode_tensor(weight) for weight in fixture["weights"]])
    result.config_equal = fixture_json.plain(layer.get_config()) == config

    call = fixture["call"]
    mask = None if call["mask"] is None else decode_mask(call["mask"])
    if fixture["sequence"] is None:
        initial_state = None if call["initial_state"] is None else [decode_tensor(s) for s in call["initial_state"]]
        got = call_layer(layer, decode_tensor(fixture["inputs"]), mask, initial_state)
        result.diffs = _compare(got, fixture["outputs"])
    else:
        for index, step in enumerate(fixture["sequence"]):
            if step["reset_states_before"]:
                layer.reset_states()
            got = call_layer(layer, decode_tensor(step["inputs"]), mask)
            result.diffs += _compare(got, step["outputs"], prefix=f"call{index}.")
    return result


def _check_model_fixture(fixture: dict[str, Any], folder: Path, tags: list[str], tolerance: float) -> FixtureResult:
    result = FixtureResult(id=fixture["id"])
    class_name, config = fixture["layer"]["class_name"], fixture["layer"]["config"]
    inputs = decode_tensor(fixture["inputs"])
    weights = [decode_tensor(weight) for weight in fixture["weights"]]

    model = rebuild_model(class_name, config)
    model.set_weights(weights)
    result.config_equal = fixture_json.plain(model.get_config()) == config
    result.diffs = _compare(_named_model_outputs(model, inputs), fixture["outputs"])

    if fixture.get("model_file") is not None:
        result.model_file, result.model_file_ok = _check_model_file(folder / fixture["model_file"], weights, inputs,
                                                                    fixture["outputs"], tags, tolerance)
    return result


def _check_model_file(path: Path, weights: list[np.ndarray], inputs: np.ndarray, outputs: list[dict[str, Any]],
                      tags: list[str], tolerance: float) -> tuple[str, bool]:
    """Load the saved model file: its weights must equal the fixture's and it must give the same outputs."""
    keras.backend.clear_session()
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as error:
        if "keras2_legacy" in tags:  # the real-world README: Keras 3 cannot load these files as they are
            return "not loadable by Keras 3 (Keras 2 file, expected)", True
        return f"load failed: {type(error).__name__}: {error}", False
    file_weights = model.get_weights()
    same_weights = len(file_weights) == len(weights) and all(
        a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32))
        for a, b in zip((w.astype(np.float32) for w in file_weights), weights)
    )
    diffs = _compare(_named_model_outputs(model, inputs), outputs)
    worst = max((diff.max_rel for diff in diffs), default=0.0)
    outputs_verdict = "bit-exact" if all(diff.bit_exact for diff in diffs) else f"max rel {worst:.3g}"
    verdict = f"weights {'equal' if same_weights else 'DIFFER'}, outputs {outputs_verdict}"
    return verdict, same_weights and worst <= tolerance


def _named_model_outputs(model: keras.Model, inputs: np.ndarray) -> list[tuple[str, np.ndarray]]:
    result = model(inputs)
    results = list(result) if isinstance(result, (list, tuple)) else [result]
    if len(results) != 1:
        raise RuntimeError(f"model '{model.name}' returned {len(results)} outputs; fixtures name one 'output'")
    return [("output", to_numpy(results[0]))]


def _compare(got: list[tuple[str, np.ndarray]], want: list[dict[str, Any]], prefix: str = "") -> list[OutputDiff]:
    names = [name for name, _ in got]
    wanted_names = [tensor["name"] for tensor in want]
    if names != wanted_names:
        raise RuntimeError(f"{prefix}outputs are {names}, the fixture has {wanted_names}")
    diffs = []
    for (name, value), tensor in zip(got, want):
        expected = decode_tensor(tensor)
        if value.shape != expected.shape:
            raise RuntimeError(f"{prefix}{name}: shape {value.shape}, the fixture has {expected.shape}")
        error = np.abs(value.astype(np.float64) - expected.astype(np.float64))
        relative = error / np.maximum(1.0, np.abs(expected.astype(np.float64)))
        diffs.append(OutputDiff(
            name=prefix + name,
            max_abs=float(error.max(initial=0.0)),
            max_rel=float(relative.max(initial=0.0)),
            bit_exact=bool(np.array_equal(value.view(np.uint32), expected.view(np.uint32))),
        ))
    return diffs
