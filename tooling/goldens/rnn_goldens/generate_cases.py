"""Generating `rnn-golden/1` fixtures and their manifest from normalised cases.

Random draws come from `numpy.random.default_rng(case.seed)`, in this order (it is the order
the committed fixtures were made in, so regenerating them gives the same bytes):
* layer and stateful cases: inputs (of the first call), then the weights in get_weights()
  order, then the initial states, or the inputs of the later calls of a stateful case;
* model cases: the weights, then the inputs (whose masked steps are then set to zero); a
  model starting with an Embedding draws token ids instead of N(0, 1) inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np

from . import fixture_json
from .case_spec import Case, case_id, case_tags, is_backend_dependent, manifest_layer_label
from .keras_layers import (
    build_layer,
    call_layer,
    draw_initial_state,
    draw_inputs,
    draw_token_ids,
    set_random_weights,
    to_numpy,
)

FIXTURE_FORMAT = "rnn-golden/1"
MANIFEST_FORMAT = "rnn-golden-manifest/1"
BACKEND = "numpy"

BACKEND_DEPENDENT_NOTE = (
    "Backend-dependent in Keras itself: a non-zero initial state plus masked steps before the "
    "first unmasked step (in processing order; for a backward/go_backwards layer that is trailing "
    "padding).  These outputs come from the numpy backend, which (like jax) emits the carried "
    "initial h at those masked steps; the tensorflow and torch backends, and unroll=True on any "
    "backend, emit zeros there instead.  Returned states agree on all backends."
)


class GenerationError(RuntimeError):
    """Keras failed on a case; the message names the case."""


def generator_info() -> dict[str, str]:
    return {"keras": keras.__version__, "backend": BACKEND}


def generate_all(cases: list[Case], out_dir: Path, only: set[str] | None = None) -> list[str]:
    """Write every case (or those whose id is in `only`) and the manifest; return the ids written."""
    (out_dir / "cases").mkdir(parents=True, exist_ok=True)
    if any(case.kind == "model" for case in cases):
        (out_dir / "models").mkdir(parents=True, exist_ok=True)
    entries = []
    for case in cases:
        if only is not None and (case.explicit_id or _planned_id(case)) not in only:
            continue
        try:
            entry = generate_case(case, out_dir)
        except Exception as error:
            raise GenerationError(f"{case.label}: generation failed: {type(error).__name__}: {error}") from error
        entries.append(entry)
        print(f"wrote {entry['file']}", flush=True)
    manifest = {"format": MANIFEST_FORMAT, "generator": generator_info(), "count": len(entries), "cases": entries}
    fixture_json.write(out_dir / "manifest.json", manifest)
    return [entry["id"] for entry in entries]


def generate_case(case: Case, out_dir: Path) -> dict[str, Any]:
    """Run one case through Keras, write its files and return its manifest entry."""
    keras.backend.clear_session()  # fresh automatic names: lstm, bidirectional, sequential, ...
    if case.kind == "model":
        return _generate_model_case(case, out_dir)
    return _generate_layer_case(case, out_dir)


def _planned_id(case: Case) -> str:
    """The id a layer case will get, found by building (not running) its layer."""
    keras.backend.clear_session()
    layer = build_layer(case.layer)
    return case_id(case, layer.get_config())


def _generate_layer_case(case: Case, out_dir: Path) -> dict[str, Any]:
    rng = np.random.default_rng(case.seed)
    layer = build_layer(case.layer, keras_initializer_seed=case.seed if case.weights == "keras" else None)
    input_shape = (case.batch, case.timesteps, case.features)
    inputs = case.inputs if case.inputs is not None else draw_inputs(rng, input_shape, case.saturation)
    layer.build(input_shape)
    if case.weights != "keras":
        set_random_weights(layer, rng, case.saturation)
    weights = _named_weights(layer)

    initial_state = None
    sequence = None
    outputs = None
    if case.calls is None:
        if case.initial_state:
            initial_state = draw_initial_state(rng, layer, case.batch)
        outputs = call_layer(layer, inputs, case.mask, initial_state)
    else:
        call_inputs = [inputs] + [draw_inputs(rng, input_shape, case.saturation) for _ in case.calls[1:]]
        sequence = []
        for call, call_input in zip(case.calls, call_inputs):
            if call.reset_states_before:
                layer.reset_states()
            sequence.append({
                "reset_states_before": call.reset_states_before,
                "inputs": fixture_json.encode_tensor(call_input),
                "outputs": _encode_outputs(call_layer(layer, call_input, case.mask)),
            })

    config = fixture_json.plain(layer.get_config())
    fixture_id = case_id(case, config)
    notes = case.notes
    if notes is None and is_backend_dependent(case, config):
        notes = BACKEND_DEPENDENT_NOTE
    fixture = {
        "format": FIXTURE_FORMAT,
        "id": fixture_id,
        "generator": generator_info(),
        "layer": {"class_name": type(layer).__name__, "config": config},
        "weights": weights,
        "call": {
            "initial_state": None if initial_state is None else [fixture_json.encode_tensor(s) for s in initial_state],
            "mask": None if case.mask is None else fixture_json.encode_mask(case.mask),
        },
        "inputs": None if sequence is not None else fixture_json.encode_tensor(inputs),
        "outputs": None if sequence is not None else _encode_outputs(outputs),
        "sequence": sequence,
    }
    if notes is not None:
        fixture["notes"] = notes
    file = f"cases/{fixture_id}.json"
    fixture_json.write(out_dir / file, fixture)
    return _manifest_entry(case, fixture_id, file, None, config)


def _generate_model_case(case: Case, out_dir: Path) -> dict[str, Any]:
    rng = np.random.default_rng(case.seed)
    token_ids = case.features is None  # the model starts with an Embedding
    input_shape = (case.batch, case.timesteps) if token_ids else (case.batch, case.timesteps, case.features)
    model = keras.Sequential(
        [keras.Input(batch_shape=(None, *input_shape[1:]))] + [build_layer(d) for d in case.model]
    )
    set_random_weights(model, rng, case.saturation)
    if token_ids:
        inputs = draw_token_ids(rng, input_shape, case.model[0]["input_dim"])
    else:
        inputs = draw_inputs(rng, input_shape, case.saturation)
    if case.mask is not None:
        # A Masking layer turns all-zero steps into masked steps, an Embedding with mask_zero id 0.
        inputs[case.mask == 0] = 0.0
    output = to_numpy(model(inputs))

    model_file = f"{case.explicit_id}.{case.save_as}"
    model.save(out_dir / "models" / model_file)
    fixture = {
        "format": FIXTURE_FORMAT,
        "id": case.explicit_id,
        "generator": generator_info(),
        "layer": {"class_name": "Sequential", "config": fixture_json.plain(model.get_config())},
        "model_file": model_file,
        "weights": _named_weights(model),
        "call": {"initial_state": None, "mask": None},
        "inputs": fixture_json.encode_tensor(inputs),
        "outputs": _encode_outputs([("output", output)]),
        "sequence": None,
    }
    if case.notes is not None:
        fixture["notes"] = case.notes
    file = f"models/{case.explicit_id}.json"
    fixture_json.write(out_dir / file, fixture)
    return _manifest_entry(case, case.explicit_id, file, f"models/{model_file}", None)


def _named_weights(layer: keras.layers.Layer) -> list[dict[str, Any]]:
    return [
        fixture_json.encode_tensor(value, name=variable.path)
        for variable, value in zip(layer.weights, layer.get_weights())
    ]


def _encode_outputs(outputs: list[tuple[str, np.ndarray]]) -> list[dict[str, Any]]:
    return [fixture_json.encode_tensor(value, name=name) for name, value in outputs]


def _manifest_entry(case: Case, fixture_id: str, file: str, model_file: str | None, config: dict | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": fixture_id, "file": file}
    if model_file is not None:
        entry["model_file"] = model_file
    entry.update({
        "kind": case.kind,
        "layer": manifest_layer_label(case),
        "batch": case.batch,
        "timesteps": case.timesteps,
        "features": case.features,
        "units": None if case.kind == "model" else _units(case, config),
        "tags": case_tags(case, config),
    })
    return entry


def _units(case: Case, config: dict[str, Any]) -> int:
    return config["layer"]["config"]["units"] if case.layer["class"] == "Bidirectional" else config["units"]
