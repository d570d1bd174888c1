#!/usr/bin/env python3
"""Keras 2 HDF5 files holding CuDNNLSTM / CuDNNGRU layers, with outputs computed by real Keras 3.

    .venv/bin/python cudnn_files.py --out ../../packages/conformance/fixtures/cudnn

Keras 3 has no cuDNN-only layers, and Keras 2 needs TensorFlow with a GPU to run them.  What Keras
does have is the rule it loads such a file by (Keras 2 `saving.preprocess_weights_for_loading`,
tf.keras `hdf5_format._convert_rnn_weights`): a CuDNNLSTM file's weights become an LSTM's (tanh,
sigmoid gates) and a CuDNNGRU's a `reset_after` GRU's, with each gate's input kernel transposed
between cuDNN's and Keras's layout (`k.T.reshape(k.shape, order=...)`), each recurrent kernel
transposed, and the LSTM's input and recurrent biases summed (the GRU's become the two bias rows).

So each case is built here as the Keras 3 model that file means, with seeded random weights, and run
by Keras 3 (numpy backend) for the expected outputs; then the weights are written the way a Keras 2
CuDNN layer stores them, with Keras's own formula in the direction Keras uses for saving into a CuDNN
layer (`from_cudnn=False`: order 'C', LSTM biases split in halves), into an HDF5 file laid out as
Keras 2.2.4's `model.save()` lays it out.  Each case writes `<id>.h5` and `<id>.run.json`
(`rnn-file-run/1`, like `real-world/files`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ["KERAS_BACKEND"] = "numpy"

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

KERAS_VERSION = "3.15.1"
KERAS2_VERSION_OF_FILE = "2.2.4"

GATES = {"CuDNNLSTM": 4, "CuDNNGRU": 3}

CASES = [
    # id, seed, batch, timesteps, features, layers (CuDNN class, units, options), dense units
    {"id": "cudnn-lstm-seq-b3-t6-i5-u4", "seed": 1101, "batch": 3, "timesteps": 6, "features": 5,
     "recurrent": [("CuDNNLSTM", 4, {"return_sequences": True})], "dense": 2},
    {"id": "cudnn-gru-b3-t7-i3-u6", "seed": 1102, "batch": 3, "timesteps": 7, "features": 3,
     "recurrent": [("CuDNNGRU", 6, {})], "dense": 1},
    {"id": "cudnn-lstm-backwards-then-gru-b2-t5-i4", "seed": 1103, "batch": 2, "timesteps": 5, "features": 4,
     "recurrent": [("CuDNNLSTM", 3, {"return_sequences": True, "go_backwards": True}), ("CuDNNGRU", 5, {})], "dense": 3},
    {"id": "cudnn-bilstm-concat-b3-t6-i2-u3", "seed": 1104, "batch": 3, "timesteps": 6, "features": 2,
     "recurrent": [("CuDNNLSTM", 3, {"bidirectional": "concat"})], "dense": 1},
    {"id": "cudnn-bigru-sum-seq-b2-t4-i6-u5", "seed": 1105, "batch": 2, "timesteps": 4, "features": 6,
     "recurrent": [("CuDNNGRU", 5, {"bidirectional": "sum", "return_sequences": True})], "dense": 2},
]


def keras3_layer(class_name: str, units: int, options: dict) -> keras.layers.Layer:
    """The Keras 3 layer a CuDNN layer of a Keras 2 file loads as."""
    common = {"units": units, "activation": "tanh", "recurrent_activation": "sigmoid",
              "return_sequences": options.get("return_sequences", False),
              "go_backwards": options.get("go_backwards", False)}
    layer = keras.layers.LSTM(**common) if class_name == "CuDNNLSTM" else keras.layers.GRU(reset_after=True, **common)
    mode = options.get("bidirectional")
    return keras.layers.Bidirectional(layer, merge_mode=mode) if mode else layer


def to_cudnn(class_name: str, kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray) -> list[np.ndarray]:
    """Keras LSTM / reset_after GRU weights → the layout a Keras 2 CuDNN layer stores (Keras's rule)."""
    gates = GATES[class_name]
    kernel = np.hstack([k.T.reshape(k.shape, order="C") for k in np.hsplit(kernel, gates)])
    recurrent = np.hstack([k.T for k in np.hsplit(recurrent, gates)])
    bias = np.tile(0.5 * bias, 2) if class_name == "CuDNNLSTM" else bias.reshape(-1)
    return [kernel.astype(np.float32), recurrent.astype(np.float32), bias.astype(np.float32)]


def keras2_layer_config(class_name: str, name: str, units: int, options: dict, input_shape: tuple | None) -> dict:
    config = {"name": name, "trainable": True, "return_sequences": options.get("return_sequences", False),
              "return_state": False, "go_backwards": options.get("go_backwards", False), "stateful": False,
              "units": units,
              "kernel_initializer": {"class_name": "VarianceScaling",
                                     "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}},
              "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
              "bias_initializer": {"class_name": "Zeros", "config": {}},
              "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
              "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None,
              "bias_constraint": None}
    if class_name == "CuDNNLSTM":
        config["unit_forget_bias"] = True
    if input_shape is not None and not options.get("bidirectional"):
        config["batch_input_shape"] = [None, *input_shape]
        config["dtype"] = "float32"
    return {"class_name": class_name, "config": config}


def build_case(case: dict) -> tuple[dict, list[tuple[str, list[tuple[str, np.ndarray]]]], np.ndarray, np.ndarray]:
    """The Keras 2 model config, the file's weights per layer, the inputs and Keras 3's outputs."""
    rng = np.random.default_rng(case["seed"])
    timesteps, features = case["timesteps"], case["features"]
    inputs = keras.Input(shape=(timesteps, features))
    x = inputs
    keras2_layers, weights_per_layer = [], []
    counters = {"CuDNNLSTM": 0, "CuDNNGRU": 0, "Bidirectional": 0}
    built = []
    for class_name, units, options in case["recurrent"]:
        layer = keras3_layer(class_name, units, options)
        x = layer(x)
        built.append((class_name, units, options, layer))
    dense = keras.layers.Dense(case["dense"])
    outputs = dense(x)
    model = keras.Model(inputs, outputs)

    for position, (class_name, units, options, layer) in enumerate(built):
        for variable in layer.weights:
            low, high = (-0.6, 0.6)
            variable.assign(rng.uniform(low, high, size=tuple(variable.shape)).astype(np.float32))
        counters[class_name] += 1
        name = f"cu_dnn{class_name[5:].lower()}_{counters[class_name]}"
        input_shape = (timesteps, features) if position == 0 else None
        inner = keras2_layer_config(class_name, name, units, options, input_shape)
        if options.get("bidirectional"):
            counters["Bidirectional"] += 1
            wrapper = f"bidirectional_{counters['Bidirectional']}"
            config = {"name": wrapper, "trainable": True, "layer": inner, "merge_mode": options["bidirectional"]}
            if input_shape is not None:
                config["batch_input_shape"] = [None, *input_shape]
                config["dtype"] = "float32"
            keras2_layers.append({"class_name": "Bidirectional", "config": config})
            forward, backward = layer.forward_layer, layer.backward_layer
            stored = []
            for direction, sub in (("forward", forward), ("backward", backward)):
                k, r, b = (np.asarray(v.numpy()) for v in sub.weights)
                for label, array in zip(("kernel", "recurrent_kernel", "bias"), to_cudnn(class_name, k, r, b)):
                    stored.append((f"{wrapper}/{direction}_{name}/{label}:0", array))
            weights_per_layer.append((wrapper, stored))
        else:
            keras2_layers.append(inner)
            k, r, b = (np.asarray(v.numpy()) for v in layer.weights)
            stored = [(f"{name}/{label}:0", array)
                      for label, array in zip(("kernel", "recurrent_kernel", "bias"), to_cudnn(class_name, k, r, b))]
            weights_per_layer.append((name, stored))

    dense_weights = [rng.uniform(-0.6, 0.6, size=tuple(v.shape)).astype(np.float32) for v in dense.weights]
    for variable, value in zip(dense.weights, dense_weights):
        variable.assign(value)
    keras2_layers.append({"class_name": "Dense", "config": {
        "name": "dense_1", "trainable": True, "units": case["dense"], "activation": "linear", "use_bias": True,
        "kernel_initializer": {"class_name": "VarianceScaling",
                               "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}})
    weights_per_layer.append(("dense_1", [("dense_1/kernel:0", dense_weights[0]), ("dense_1/bias:0", dense_weights[1])]))

    x_values = rng.uniform(-1.0, 1.0, size=(case["batch"], timesteps, features)).astype(np.float32)
    expected = np.asarray(model(x_values), dtype=np.float32)
    config = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": keras2_layers}}
    return config, weights_per_layer, x_values, expected


def write_h5(path: Path, config: dict, weights_per_layer: list) -> None:
    """A Keras 2.2.4 `model.save()` file: model_config, and model_weights with layer_names / weight_names."""
    with h5py.File(path, "w") as file:
        file.attrs["keras_version"] = np.bytes_(KERAS2_VERSION_OF_FILE)
        file.attrs["backend"] = np.bytes_("tensorflow")
        file.attrs["model_config"] = np.bytes_(json.dumps(config))
        group = file.create_group("model_weights")
        group.attrs["layer_names"] = np.array([np.bytes_(name) for name, _ in weights_per_layer])
        group.attrs["backend"] = np.bytes_("tensorflow")
        group.attrs["keras_version"] = np.bytes_(KERAS2_VERSION_OF_FILE)
        for name, stored in weights_per_layer:
            layer_group = group.create_group(name)
            layer_group.attrs["weight_names"] = np.array([np.bytes_(weight_name) for weight_name, _ in stored])
            for weight_name, array in stored:
                layer_group.create_dataset(weight_name, data=array)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder for <id>.h5 and <id>.run.json")
    args = parser.parse_args(argv)
    if keras.__version__ != KERAS_VERSION:
        print(f"error: these files are generated with Keras {KERAS_VERSION}; this is Keras {keras.__version__}",
              file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        config, weights_per_layer, x_values, expected = build_case(case)
        write_h5(out / f"{case['id']}.h5", config, weights_per_layer)
        run = {
            "format": "rnn-file-run/1",
            "id": case["id"],
            "model_file": f"{case['id']}.h5",
            "inputs": {"shape": list(x_values.shape), "data": [float(v) for v in x_values.reshape(-1)]},
            "outputs": [{"name": "output", "shape": list(expected.shape), "data": [float(v) for v in expected.reshape(-1)]}],
            "notes": (f"A Keras {KERAS2_VERSION_OF_FILE}-style file with {', '.join(c for c, _, _ in case['recurrent'])}; "
                      f"outputs from Keras {KERAS_VERSION} (numpy) running the LSTM/GRU(reset_after) it loads as."),
        }
        (out / f"{case['id']}.run.json").write_text(json.dumps(run) + "\n")
        print(f"wrote {case['id']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
