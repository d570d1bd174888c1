"""Sequential models around recurrent layers with RepeatVector, Flatten, GlobalAveragePooling1D,
GlobalMaxPooling1D, BatchNormalization, LayerNormalization, Conv1D, MaxPooling1D, AveragePooling1D,
Reshape and the activation layers LeakyReLU, ELU, ReLU and Softmax (packages/conformance/fixtures/extra).

    .venv/bin/python generate.py case_lists/extra.py --out out/extra

These are this project's own fixtures, not part of the shared set.  Each case is a plain dict
(see README.md); the helpers below only shorten it.  Masks reach the layers under test through a
Masking layer (masked steps are all-zero inputs) or an Embedding with mask_zero (masked steps are
token id 0).  No row is masked at every step: GlobalAveragePooling1D would give 0/0 = NaN there,
which a fixture cannot hold.
"""


def rnn(class_name, units, **options):
    """A SimpleRNN / GRU / LSTM description; options are Keras constructor arguments."""
    return {"class": class_name, "units": units, **options}


def bidirectional(layer, merge_mode="concat"):
    return {"class": "Bidirectional", "layer": layer, "merge_mode": merge_mode}


def dense(units, **options):
    return {"class": "Dense", "units": units, **options}


def model(seed, batch, timesteps, features, layers, **extra):
    """One Sequential model case: Input(batch_shape=(None, timesteps, features)) then `layers`."""
    return {"seed": seed, "batch": batch, "timesteps": timesteps, "features": features, "model": layers, **extra}


def token_model(seed, batch, timesteps, layers, **extra):
    """A model starting with an Embedding: Input(batch_shape=(None, timesteps)) of token ids."""
    return {"seed": seed, "batch": batch, "timesteps": timesteps, "model": layers, **extra}


MASKING = {"class": "Masking", "mask_value": 0.0}
FLATTEN = {"class": "Flatten"}


def repeat_vector(n):
    return {"class": "RepeatVector", "n": n}


def global_average_pooling(**options):
    return {"class": "GlobalAveragePooling1D", **options}


def global_max_pooling(**options):
    return {"class": "GlobalMaxPooling1D", **options}


def batch_normalization(**options):
    return {"class": "BatchNormalization", **options}


def conv1d(filters, kernel_size, **options):
    """A Conv1D description; options are Keras constructor arguments (padding, strides, ...)."""
    return {"class": "Conv1D", "filters": filters, "kernel_size": kernel_size, **options}


def max_pooling(pool_size, **options):
    return {"class": "MaxPooling1D", "pool_size": pool_size, **options}


def average_pooling(pool_size, **options):
    return {"class": "AveragePooling1D", "pool_size": pool_size, **options}


def embedding(vocabulary, output_dim):
    return {"class": "Embedding", "input_dim": vocabulary, "output_dim": output_dim, "mask_zero": True}


# Masked steps of most Masking models (0 = masked): a full row, trailing padding, and a row with
# masked steps at the start and in the middle.
MIXED_PADDING = [
    [1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 0, 0],
    [0, 1, 1, 0, 1, 1],
]

CASES = [
    # RepeatVector: a 2-D flow (last state) becomes n steps again, with no mask.
    model(1001, 2, 6, 4, [
        rnn("LSTM", 4),
        repeat_vector(5),
        rnn("LSTM", 3, return_sequences=True),
        {"class": "TimeDistributed", "layer": dense(2)},
    ], id="model-lstm-repeat-lstm-seq-tddense-b2-t6-i4-seed1001"),
    model(1002, 3, 6, 3, [
        MASKING,
        rnn("GRU", 4),
        repeat_vector(4),
        rnn("SimpleRNN", 3, return_sequences=True),
    ], id="model-masking-gru-repeat-simplernn-seq-b3-t6-i3-seed1002", mask=MIXED_PADDING,
        notes="The mask ends at the GRU (no return_sequences); the SimpleRNN after RepeatVector runs all 4 steps."),
    model(1003, 2, 5, 3, [
        bidirectional(rnn("GRU", 3)),
        repeat_vector(3),
        bidirectional(rnn("LSTM", 2, return_sequences=True), merge_mode="sum"),
        FLATTEN,
        dense(2),
    ], id="model-bigru-repeat-bilstm-seq-sum-flatten-dense-b2-t5-i3-seed1003"),

    # Flatten: (B, T, F) -> (B, T*F) row-major; a mask reaching it is dropped.
    model(1004, 2, 5, 3, [
        rnn("GRU", 4, return_sequences=True),
        FLATTEN,
        dense(3),
    ], id="model-gru-seq-flatten-dense-b2-t5-i3-seed1004"),
    model(1005, 3, 6, 4, [
        MASKING,
        rnn("LSTM", 3, return_sequences=True),
        FLATTEN,
        dense(2),
    ], id="model-masking-lstm-seq-flatten-dense-b3-t6-i4-seed1005", mask=MIXED_PADDING,
        notes="Flatten drops the mask: the LSTM's outputs at masked steps (its carried h) are flattened too."),

    # GlobalAveragePooling1D: the mean over steps; with a mask, the mean over the unmasked steps.
    model(1006, 2, 4, 3, [
        rnn("SimpleRNN", 4, return_sequences=True),
        global_average_pooling(keepdims=True),
        FLATTEN,
        dense(2),
    ], id="model-simplernn-seq-gap-keepdims-flatten-dense-b2-t4-i3-seed1006"),
    token_model(1007, 3, 6, [
        embedding(12, 4),
        rnn("LSTM", 5, return_sequences=True),
        global_average_pooling(),
        dense(1, activation="sigmoid"),
    ], id="model-embedding-mask-lstm-seq-gap-dense-sigmoid-b3-t6-seed1007", mask="trailing",
        notes="Post-padded token ids (0 = masked); the average counts only the real steps of each row."),
    model(1008, 3, 6, 4, [
        MASKING,
        bidirectional(rnn("GRU", 3, return_sequences=True)),
        global_average_pooling(keepdims=True),
    ], id="model-masking-bigru-seq-gap-keepdims-b3-t6-i4-seed1008", mask=MIXED_PADDING,
        notes="Output (3, 1, 6): the masked average of the Bidirectional's sequence (zeros at masked steps)."),
    token_model(1009, 3, 7, [
        embedding(9, 3),
        rnn("GRU", 4, return_sequences=True),
        dense(3),
        batch_normalization(),
        global_average_pooling(),
    ], id="model-embedding-mask-gru-seq-dense-bn-gap-b3-t7-seed1009", mask="middle",
        notes="The mask passes through Dense and BatchNormalization on 3-D flows and reaches the average."),
    model(1010, 2, 5, 4, [
        rnn("LSTM", 4, return_sequences=True),
        batch_normalization(),
        rnn("LSTM", 3, return_sequences=True),
        global_average_pooling(),
        dense(2),
    ], id="model-lstm-seq-bn-lstm-seq-gap-dense-b2-t5-i4-seed1010"),

    # GlobalMaxPooling1D: the max over steps; Keras 3 ignores a mask reaching it.
    model(1011, 2, 4, 5, [
        rnn("SimpleRNN", 4, return_sequences=True),
        global_max_pooling(keepdims=True),
        rnn("LSTM", 2),
    ], id="model-simplernn-seq-gmp-keepdims-lstm-b2-t4-i5-seed1011",
        notes="Output (2, 1, 4) of the max feeds an LSTM as a one-step sequence."),
    model(1012, 3, 6, 3, [
        MASKING,
        rnn("GRU", 4, return_sequences=True),
        global_max_pooling(),
    ], id="model-masking-gru-seq-gmp-b3-t6-i3-seed1012", mask="leading",
        notes="Pre-padded rows: GlobalMaxPooling1D ignores the mask, so the GRU's outputs at the leading masked "
              "steps (its zero initial h) take part in the max."),
    token_model(1013, 3, 6, [
        embedding(10, 4),
        global_max_pooling(),
        dense(3),
    ], id="model-embedding-mask-gmp-dense-b3-t6-seed1013", mask="leading",
        notes="Pre-padded token ids: GlobalMaxPooling1D ignores the mask, so the embedding vector of id 0 "
              "at the padded steps takes part in the max."),

    # BatchNormalization at inference: (x - moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta.
    model(1014, 3, 6, 4, [
        MASKING,
        rnn("LSTM", 4, return_sequences=True),
        batch_normalization(scale=False),
        rnn("GRU", 3),
    ], id="model-masking-lstm-seq-bn-noscale-gru-b3-t6-i4-seed1014", mask=MIXED_PADDING,
        notes="The mask passes through BatchNormalization: the GRU skips the masked steps."),
    model(1015, 3, 5, 4, [
        rnn("SimpleRNN", 5),
        batch_normalization(center=False),
        dense(2),
    ], id="model-simplernn-bn-nocenter-dense-b3-t5-i4-seed1015"),
    model(1016, 2, 4, 3, [
        bidirectional(rnn("GRU", 3)),
        batch_normalization(center=False, scale=False, epsilon=0.01),
        FLATTEN,
        dense(2),
    ], id="model-bigru-bn-plain-eps-flatten-dense-b2-t4-i3-seed1016"),

    # Conv1D: out[t] = act(bias + sum over k, c of x[t*strides + k*dilation - padBefore, c] * kernel[k, c]),
    # zero outside the input; 'same' puts the odd padded step after the input, 'causal' pads
    # (kernel_size - 1) * dilation before it.  Conv1D drops a mask reaching it.
    model(1017, 2, 7, 3, [
        conv1d(4, 3, activation="relu"),
        rnn("LSTM", 3),
        dense(2),
    ], id="model-conv1d-relu-lstm-dense-b2-t7-i3-seed1017",
        notes="Conv1D first (valid, kernel 3): the LSTM runs the 5 convolved steps."),
    model(1018, 3, 8, 2, [
        rnn("LSTM", 4, return_sequences=True),
        conv1d(3, 2, padding="causal", dilation_rate=2),
        global_max_pooling(),
    ], id="model-lstm-seq-conv1d-causal-d2-gmp-b3-t8-i2-seed1018",
        notes="Causal, dilation 2: output step t sees the LSTM's steps t-2 and t (zeros before step 0)."),
    model(1019, 2, 6, 4, [
        conv1d(3, 3, padding="same", strides=2, activation="tanh"),
        rnn("GRU", 3),
    ], id="model-conv1d-same-s2-tanh-gru-b2-t6-i4-seed1019",
        notes="Same, strides 2 over 6 steps: 3 windows, the one padded step goes after the input "
              "(windows start at steps 0, 2, 4)."),
    model(1020, 2, 9, 3, [
        conv1d(2, 3, dilation_rate=2, use_bias=False),
        rnn("SimpleRNN", 3, return_sequences=True),
    ], id="model-conv1d-d2-nobias-simplernn-seq-b2-t9-i3-seed1020",
        notes="Valid, dilation 2 (span 5) over 9 steps: 5 output steps; no bias."),
    model(1021, 3, 5, 2, [
        rnn("GRU", 4, return_sequences=True),
        conv1d(2, 1),
    ], id="model-gru-seq-conv1d-k1-b3-t5-i2-seed1021",
        notes="Kernel size 1, linear: a per-step Dense over the GRU's sequence."),
    token_model(1022, 3, 7, [
        embedding(10, 3),
        conv1d(4, 3, padding="same"),
        rnn("LSTM", 3),
        dense(2),
    ], id="model-embedding-mask-conv1d-same-lstm-dense-b3-t7-seed1022", mask="trailing",
        notes="Conv1D drops the Embedding's mask: the LSTM runs every step, the padded ones (id 0) too."),
    model(1023, 3, 6, 3, [
        MASKING,
        conv1d(3, 2, padding="causal"),
        rnn("GRU", 3),
    ], id="model-masking-conv1d-causal-gru-b3-t6-i3-seed1023", mask=MIXED_PADDING,
        notes="Conv1D drops the mask: the GRU runs every step, the convolved all-zero steps too."),

    # MaxPooling1D / AveragePooling1D: windows of pool_size steps every `strides` (default pool_size);
    # with 'same', padded places take no part (the average divides by the real steps only).  Both
    # drop a mask reaching them.
    model(1024, 2, 7, 3, [
        rnn("LSTM", 3, return_sequences=True),
        max_pooling(2),
        rnn("GRU", 2),
    ], id="model-lstm-seq-maxpool-gru-b2-t7-i3-seed1024",
        notes="Valid pool 2 over 7 steps: 3 windows, the last step is dropped."),
    model(1025, 2, 5, 3, [
        rnn("GRU", 4, return_sequences=True),
        max_pooling(2, padding="same"),
        FLATTEN,
        dense(2),
    ], id="model-gru-seq-maxpool-same-flatten-dense-b2-t5-i3-seed1025",
        notes="Same pool 2 over 5 steps: the third window holds step 4 alone (its max is step 4 even "
              "where that is negative)."),
    model(1026, 2, 6, 3, [
        rnn("SimpleRNN", 4, return_sequences=True),
        average_pooling(3, strides=1, padding="same"),
        rnn("LSTM", 2),
    ], id="model-simplernn-seq-avgpool-same-p3-s1-lstm-b2-t6-i3-seed1026",
        notes="Same pool 3, strides 1: 6 windows; the first and last hold 2 real steps and divide by 2."),
    model(1027, 3, 8, 2, [
        conv1d(4, 3, padding="same", activation="relu"),
        max_pooling(2),
        rnn("LSTM", 3),
        dense(1, activation="sigmoid"),
    ], id="model-conv1d-same-relu-maxpool-lstm-dense-sigmoid-b3-t8-i2-seed1027",
        notes="A CNN-LSTM: the LSTM runs the 4 pooled steps."),
    model(1028, 2, 8, 4, [
        conv1d(3, 2),
        average_pooling(2, padding="same"),
        FLATTEN,
        dense(2),
    ], id="model-conv1d-avgpool-same-flatten-dense-b2-t8-i4-seed1028",
        notes="Conv1D (valid, kernel 2) leaves 7 steps; same pool 2 gives 4 windows, the last one holds "
              "step 6 alone and divides by 1."),
    model(1029, 3, 7, 3, [
        MASKING,
        bidirectional(rnn("GRU", 2, return_sequences=True)),
        max_pooling(3, strides=2),
        rnn("LSTM", 2),
    ], id="model-masking-bigru-seq-maxpool-p3-s2-lstm-b3-t7-i3-seed1029", mask="middle",
        notes="Valid pool 3, strides 2 over 7 steps: 3 overlapping windows.  MaxPooling1D drops the mask: the "
              "Bidirectional's zeros at masked steps take part in the max and the LSTM runs every window."),
    model(1030, 3, 6, 3, [
        rnn("LSTM", 4, return_sequences=True),
        dense(3),
        {"class": "LeakyReLU"},
        rnn("GRU", 2),
    ], id="model-lstm-seq-dense-leakyrelu-gru-b3-t6-i3-seed1030",
        notes="LeakyReLU with its default negative_slope 0.3 (the leaky_relu function's default is 0.2)."),
    model(1031, 3, 5, 4, [
        rnn("SimpleRNN", 5),
        dense(4),
        {"class": "ELU", "alpha": 0.5},
    ], id="model-simplernn-dense-elu-a05-b3-t5-i4-seed1031"),
    model(1032, 2, 7, 3, [
        rnn("GRU", 4, return_sequences=True),
        dense(4),
        {"class": "ReLU", "max_value": 0.25, "negative_slope": 0.1},
        rnn("LSTM", 3),
    ], id="model-gru-seq-dense-relu-max025-slope01-lstm-b2-t7-i3-seed1032",
        notes="ReLU with max_value 0.25 and negative_slope 0.1: both ends of the piecewise line are reached."),
    model(1033, 3, 4, 2, [
        rnn("LSTM", 3),
        dense(4),
        {"class": "ReLU", "max_value": 6.0},
        {"class": "ReLU"},
    ], id="model-lstm-dense-relu6-relu-b3-t4-i2-seed1033"),
    model(1034, 3, 7, 3, [
        MASKING,
        rnn("LSTM", 4, return_sequences=True),
        {"class": "LeakyReLU", "negative_slope": 0.05},
        rnn("GRU", 3),
    ], id="model-masking-lstm-seq-leakyrelu-gru-b3-t7-i3-seed1034", mask="trailing",
        notes="The activation layer passes the mask on: the GRU skips the masked trailing steps."),
    model(1035, 2, 5, 3, [
        rnn("GRU", 4),
        dense(5),
        {"class": "Softmax"},
    ], id="model-gru-dense-softmax-b2-t5-i3-seed1035"),
    model(1036, 3, 6, 4, [
        rnn("LSTM", 5, return_sequences=True),
        {"class": "LayerNormalization"},
        rnn("GRU", 3),
        {"class": "LayerNormalization", "epsilon": 0.1},
    ], id="model-lstm-seq-ln-gru-ln-eps01-b3-t6-i4-seed1036",
        notes="LayerNormalization over features, on a sequence and on the last output (epsilon 0.1)."),
    model(1037, 3, 7, 3, [
        MASKING,
        bidirectional(rnn("GRU", 3, return_sequences=True)),
        {"class": "LayerNormalization", "center": False},
        rnn("LSTM", 2),
    ], id="model-masking-bigru-seq-ln-nocenter-lstm-b3-t7-i3-seed1037", mask="trailing",
        notes="LayerNormalization passes the mask on: the LSTM skips the masked trailing steps."),
    model(1038, 2, 5, 3, [
        rnn("SimpleRNN", 4),
        {"class": "LayerNormalization", "scale": False, "epsilon": 1e-5},
        dense(2),
    ], id="model-simplernn-ln-noscale-dense-b2-t5-i3-seed1038"),
    model(1039, 3, 5, 3, [
        rnn("LSTM", 6),
        {"class": "Reshape", "target_shape": (3, 2)},
        rnn("GRU", 3),
    ], id="model-lstm-reshape-3x2-gru-b3-t5-i3-seed1039",
        notes="Reshape turns the LSTM's 6 values into 3 steps of 2 features for the GRU (row-major)."),
    model(1040, 2, 6, 3, [
        rnn("GRU", 4, return_sequences=True),
        {"class": "Reshape", "target_shape": (12, 2)},
        rnn("SimpleRNN", 3, return_sequences=True),
    ], id="model-gru-seq-reshape-12x2-simplernn-seq-b2-t6-i3-seed1040",
        notes="A sequence regrouped: 6 steps of 4 features become 12 steps of 2."),
    model(1041, 3, 6, 3, [
        MASKING,
        rnn("LSTM", 4, return_sequences=True),
        {"class": "Reshape", "target_shape": (-1,)},
        dense(2),
    ], id="model-masking-lstm-seq-reshape-flat-dense-b3-t6-i3-seed1041", mask="trailing",
        notes="Reshape((-1,)) flattens; it drops the mask, so the values at masked steps take part."),
]
