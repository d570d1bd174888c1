"""Building, weighting and calling Keras layers and models; shared by generation and checking.

Import this only after KERAS_BACKEND is set (generate.py does that first).
"""

from __future__ import annotations

import copy
from typing import Any

import keras
import numpy as np

from .case_spec import layer_kwargs

# A Bidirectional with an explicit backward_layer keeps that layer's own name.  Keras would
# auto-name it `lstm_1` (the forward layer took `lstm`); the fixtures name it like a freshly
# created layer, so it gets the class's default name unless the description sets one.
_DEFAULT_LAYER_NAMES = {"SimpleRNN": "simple_rnn", "GRU": "gru", "LSTM": "lstm"}


def build_layer(description: dict[str, Any], keras_initializer_seed: int | None = None) -> keras.layers.Layer:
    """The Keras layer of a description `{"class": ..., **kwargs}` (not built yet).

    With `keras_initializer_seed`, recurrent layers that do not name their own kernel and
    recurrent initializers get GlorotUniform(seed) and Orthogonal(seed + 1), so Keras's own
    initial weights are reproducible."""
    class_name = description["class"]
    kwargs = layer_kwargs(description)
    if class_name == "Bidirectional":
        forward = build_layer(description["layer"], keras_initializer_seed)
        backward = None
        if "backward_layer" in description:
            backward_description = dict(description["backward_layer"])
            backward_description.setdefault("name", _DEFAULT_LAYER_NAMES[backward_description["class"]])
            backward = build_layer(backward_description, keras_initializer_seed)
        return keras.layers.Bidirectional(forward, backward_layer=backward, **kwargs)
    if class_name == "TimeDistributed":
        return keras.layers.TimeDistributed(build_layer(description["layer"], keras_initializer_seed), **kwargs)
    if keras_initializer_seed is not None and class_name in _DEFAULT_LAYER_NAMES:
        kwargs.setdefault("kernel_initializer", keras.initializers.GlorotUniform(seed=keras_initializer_seed))
        kwargs.setdefault("recurrent_initializer", keras.initializers.Orthogonal(seed=keras_initializer_seed + 1))
    return getattr(keras.layers, class_name)(**kwargs)


def rebuild_layer(class_name: str, config: dict[str, Any]) -> keras.layers.Layer:
    """A layer from a stored `get_config()`, as a user loading the fixture would make it."""
    return getattr(keras.layers, class_name).from_config(copy.deepcopy(config))


def rebuild_model(class_name: str, config: dict[str, Any]) -> keras.Model:
    # from_config of a Functional model empties the dict it is given: hand it a copy.
    if class_name == "Sequential":
        return keras.Sequential.from_config(copy.deepcopy(config))
    return keras.Model.from_config(copy.deepcopy(config))


# BatchNormalization's weights are statistics, not connection weights: gamma near 1, and a
# strictly positive moving_variance (its square root divides).  The same in saturation cases.
_BATCH_NORMALIZATION_RANGES = {
    "gamma": (0.5, 1.5),
    "beta": (-0.5, 0.5),
    "moving_mean": (-0.5, 0.5),
    "moving_variance": (0.2, 1.2),
}


def weight_ranges(layer: keras.layers.Layer, saturation: bool) -> list[tuple[float, float]]:
    """(low, high) of the uniform distribution for each weight, in `layer.weights` order.

    Recurrent, Dense, Embedding and Conv1D weights: ±2 in saturation cases, else
    ±0.5 * min(1, sqrt(8 / u)) with u the units of the owning layer (an Embedding's output_dim, a
    Conv1D's filters).  BatchNormalization and LayerNormalization: the fixed ranges above."""
    if isinstance(layer, keras.layers.Bidirectional):
        return weight_ranges(layer.forward_layer, saturation) + weight_ranges(layer.backward_layer, saturation)
    if isinstance(layer, keras.Sequential):
        return [bounds for inner in layer.layers for bounds in weight_ranges(inner, saturation)]
    if isinstance(layer, keras.layers.TimeDistributed):
        return weight_ranges(layer.layer, saturation)
    if not layer.weights:
        return []
    if isinstance(layer, (keras.layers.BatchNormalization, keras.layers.LayerNormalization)):
        return [_BATCH_NORMALIZATION_RANGES[variable.name] for variable in layer.weights]
    if saturation:
        return [(-2.0, 2.0)] * len(layer.weights)
    if isinstance(layer, keras.layers.Embedding):
        units = layer.output_dim
    elif isinstance(layer, keras.layers.Conv1D):
        units = layer.filters
    else:
        units = getattr(layer, "units", None)
    if units is None:
        raise TypeError(f"layer '{layer.name}' ({type(layer).__name__}) has weights but no units to scale them by")
    bound = 0.5 * min(1.0, float(np.sqrt(8.0 / units)))
    return [(-bound, bound)] * len(layer.weights)


def set_random_weights(layer: keras.layers.Layer, rng: np.random.Generator, saturation: bool) -> None:
    """Replace every weight by U(low, high) draws, in get_weights() order."""
    ranges = weight_ranges(layer, saturation)
    if len(ranges) != len(layer.weights):
        raise RuntimeError(f"'{layer.name}': {len(ranges)} weight ranges for {len(layer.weights)} weights")
    values = [
        rng.uniform(low, high, size=tuple(variable.shape)).astype(np.float32)
        for variable, (low, high) in zip(layer.weights, ranges)
    ]
    layer.set_weights(values)


def draw_inputs(rng: np.random.Generator, shape: tuple[int, ...], saturation: bool) -> np.ndarray:
    """N(0, 1) inputs, scaled by 4 in saturation cases."""
    values = rng.standard_normal(shape)
    return (values * 4.0 if saturation else values).astype(np.float32)


def draw_token_ids(rng: np.random.Generator, shape: tuple[int, ...], vocabulary: int) -> np.ndarray:
    """Token ids uniform in 1 .. vocabulary-1, as float32 (the model's Input dtype); id 0 is left
    for the masked steps of an Embedding with mask_zero."""
    return rng.integers(1, vocabulary, size=shape).astype(np.float32)


def state_sizes(layer: keras.layers.Layer) -> list[int]:
    """Width of each state the layer takes as initial_state (forward then backward)."""
    if isinstance(layer, keras.layers.Bidirectional):
        return state_sizes(layer.forward_layer) + state_sizes(layer.backward_layer)
    size = layer.cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


def draw_initial_state(rng: np.random.Generator, layer: keras.layers.Layer, batch: int) -> list[np.ndarray]:
    """N(0, 0.5^2) initial states, one (batch, width) array per state."""
    return [rng.normal(0.0, 0.5, size=(batch, width)).astype(np.float32) for width in state_sizes(layer)]


def output_names(layer: keras.layers.Layer) -> list[str]:
    """Names of what calling the layer returns, in Keras's order (see the fixtures README)."""
    if isinstance(layer, keras.layers.Bidirectional):
        forward, backward = layer.forward_layer, layer.backward_layer
        names = ["output"] if layer.merge_mode is not None else ["forward_output", "backward_output"]
        if forward.return_state:
            names += ["forward_" + name for name in _state_names(forward)]
            names += ["backward_" + name for name in _state_names(backward)]
        return names
    return ["output"] + (_state_names(layer) if layer.return_state else [])


def _state_names(layer: keras.layers.Layer) -> list[str]:
    return ["h", "c"] if len(state_sizes(layer)) == 2 else ["h"]


def call_layer(
    layer: keras.layers.Layer,
    inputs: np.ndarray,
    mask: np.ndarray | None = None,
    initial_state: list[np.ndarray] | None = None,
) -> list[tuple[str, np.ndarray]]:
    """Call the layer once and return its named outputs as float32 numpy arrays."""
    kwargs: dict[str, Any] = {}
    if mask is not None:
        kwargs["mask"] = np.asarray(mask, dtype=bool)
    if initial_state is not None:
        kwargs["initial_state"] = list(initial_state)
    result = layer(inputs, **kwargs)
    results = list(result) if isinstance(result, (list, tuple)) else [result]
    names = output_names(layer)
    if len(names) != len(results):
        raise RuntimeError(f"'{layer.name}' returned {len(results)} outputs, expected {names}")
    return [(name, to_numpy(value)) for name, value in zip(names, results)]


def to_numpy(value: Any) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float32)
