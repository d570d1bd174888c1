"""The case list of the committed golden fixtures (packages/conformance/fixtures, /work/shared/goldens).

    .venv/bin/python generate.py case_lists/shared.py --out out/shared

regenerates all of them byte for byte (the .keras/.h5 model files carry a save date, so only
their JSON fixtures match bytes).  Each case is a plain dict; the helpers below only shorten it.
See README.md for the meaning of every key.
"""


def rnn(class_name, units, **options):
    """A SimpleRNN / GRU / LSTM description; options are Keras constructor arguments."""
    return {"class": class_name, "units": units, **options}


def bidirectional(layer, merge_mode="concat", backward_layer=None):
    description = {"class": "Bidirectional", "layer": layer, "merge_mode": merge_mode}
    if backward_layer is not None:
        description["backward_layer"] = backward_layer
    return description


def case(seed, batch, timesteps, features, layer, calls=None, **extra):
    """One layer case; `calls` lists reset_states_before for each call of a stateful layer."""
    result = {"seed": seed, "batch": batch, "timesteps": timesteps, "features": features, "layer": layer, **extra}
    if calls is not None:
        result["calls"] = [{"reset_states_before": reset} for reset in calls]
    return result


def model(seed, batch, timesteps, features, layers, **extra):
    """One Sequential model case: Input(batch_shape=(None, timesteps, features)) then `layers`."""
    return {"seed": seed, "batch": batch, "timesteps": timesteps, "features": features, "model": layers, **extra}


# The tutorial example the project started from: Bidirectional(LSTM(3, return_state=True)) with
# constant 0.1 kernels and zero bias (the forget-gate bias is 1 through unit_forget_bias).
SEED_EXAMPLE_NOTE = (
    "The seed tutorial example: Bidirectional(LSTM(3, return_state=True, kernel_initializer=Constant(0.1), "
    "recurrent_initializer=Constant(0.1), bias_initializer=Constant(0))); unit_forget_bias=True makes the "
    "forget gate bias 1.  The tutorial's printed numbers differ from these by up to 1.6e-4 because they were "
    "computed with TF32 matmuls on a GPU; these are exact float32 results."
)
SEED_EXAMPLE_INPUTS = [[
    [0.1, 4.2, 1.5, 1.1, 2.8],
    [1.0, 3.1, 2.5, 0.7, 1.1],
    [0.3, 2.1, 1.5, 2.1, 0.1],
    [2.2, 1.4, 0.5, 0.9, 1.1],
]]
CONSTANT_INITIALIZERS = {
    "kernel_initializer": {"class_name": "Constant", "config": {"value": 0.1}},
    "recurrent_initializer": {"class_name": "Constant", "config": {"value": 0.1}},
    "bias_initializer": {"class_name": "Constant", "config": {"value": 0.0}},
}


def seed_example(case_id, **options):
    # Seed 0 is never drawn from: the weights are Keras's constants and the inputs are given.
    return case(
        0, 1, 4, 5, bidirectional(rnn("LSTM", 3, **options, **CONSTANT_INITIALIZERS)),
        id=case_id, weights="keras", inputs=SEED_EXAMPLE_INPUTS, notes=SEED_EXAMPLE_NOTE, tags=["seed_example"],
    )


# Model cases: masked steps are all-zero input steps for the Masking layer.
MASKING_MODEL = [
    {"class": "Masking", "mask_value": 0.0},
    bidirectional(rnn("LSTM", 8, return_sequences=True)),
    rnn("GRU", 4),
    {"class": "Dense", "units": 2},
]
MASKING_MODEL_ZERO_STEPS = [
    [1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 0, 0],
    [1, 1, 1, 0, 1, 1],
]

CASES = [
    seed_example("seed-bilstm-state-b1-t4-i5-u3", return_state=True),
    seed_example("seed-bilstm-seq-state-b1-t4-i5-u3", return_sequences=True, return_state=True),

    # SimpleRNN
    case(103, 3, 4, 5, rnn("SimpleRNN", 3)),
    case(104, 1, 13, 5, rnn("SimpleRNN", 8, return_state=True)),
    case(105, 3, 13, 1, rnn("SimpleRNN", 3, return_sequences=True)),
    case(106, 1, 4, 16, rnn("SimpleRNN", 8, return_sequences=True, return_state=True)),
    case(107, 3, 1, 5, rnn("SimpleRNN", 1, return_sequences=True, return_state=True, go_backwards=True)),
    case(108, 3, 4, 1, rnn("SimpleRNN", 8, return_state=True, go_backwards=True)),
    case(109, 1, 13, 16, rnn("SimpleRNN", 3, return_sequences=True, use_bias=False)),
    case(110, 3, 4, 5, rnn("SimpleRNN", 1, return_sequences=True, activation="relu")),
    case(111, 1, 1, 16, rnn("SimpleRNN", 3, return_sequences=True, return_state=True, activation="sigmoid")),
    case(112, 3, 13, 5, rnn("SimpleRNN", 8, return_sequences=True, activation="linear")),
    case(113, 1, 1, 1, rnn("SimpleRNN", 1, return_sequences=True, return_state=True)),
    case(114, 3, 13, 16, rnn("SimpleRNN", 32, return_sequences=True, return_state=True)),
    case(115, 1, 4, 5, rnn("SimpleRNN", 32)),
    case(116, 3, 4, 5, rnn("SimpleRNN", 3, return_sequences=True, return_state=True), initial_state=True),
    case(117, 3, 13, 1, rnn("SimpleRNN", 8, return_sequences=True, return_state=True, go_backwards=True), initial_state=True),
    case(118, 3, 7, 5, rnn("SimpleRNN", 3, return_sequences=True, return_state=True), mask="trailing"),
    case(119, 3, 7, 5, rnn("SimpleRNN", 4, return_sequences=True, return_state=True), mask="middle"),
    case(120, 3, 7, 2, rnn("SimpleRNN", 3, return_sequences=True, return_state=True), mask="leading"),
    case(121, 3, 13, 16, rnn("SimpleRNN", 8), mask="trailing"),
    case(122, 3, 13, 5, rnn("SimpleRNN", 8, return_sequences=True, return_state=True), weights="saturation"),
    case(123, 3, 4, 5, rnn("SimpleRNN", 4, return_sequences=True, return_state=True), weights="keras"),

    # GRU, reset_after=True (the default)
    case(124, 3, 4, 16, rnn("GRU", 1)),
    case(125, 1, 4, 1, rnn("GRU", 3, return_state=True)),
    case(126, 3, 4, 5, rnn("GRU", 3, return_sequences=True)),
    case(127, 1, 13, 5, rnn("GRU", 8, return_sequences=True, return_state=True)),
    case(128, 3, 13, 1, rnn("GRU", 3, return_sequences=True, return_state=True, go_backwards=True)),
    case(129, 1, 4, 16, rnn("GRU", 8, return_state=True, go_backwards=True)),
    case(130, 3, 1, 5, rnn("GRU", 1, return_sequences=True, use_bias=False)),
    case(131, 3, 4, 1, rnn("GRU", 8, return_sequences=True, activation="relu")),
    case(132, 1, 13, 16, rnn("GRU", 3, return_sequences=True, return_state=True, activation="sigmoid")),
    case(133, 3, 4, 5, rnn("GRU", 1, return_sequences=True, activation="linear")),
    case(134, 1, 1, 16, rnn("GRU", 3, return_sequences=True, return_state=True, recurrent_activation="hard_sigmoid")),
    # Seed 2135, not 135: the committed fixture's id says so.
    case(2135, 3, 13, 5, rnn("GRU", 8, return_sequences=True, recurrent_activation="relu")),
    case(136, 1, 1, 1, rnn("GRU", 1, return_sequences=True, return_state=True)),
    case(137, 3, 13, 16, rnn("GRU", 32, return_sequences=True, return_state=True)),
    case(138, 1, 4, 5, rnn("GRU", 32)),
    case(139, 3, 4, 5, rnn("GRU", 3, return_sequences=True, return_state=True), initial_state=True),
    case(140, 3, 13, 1, rnn("GRU", 8, return_sequences=True, return_state=True, go_backwards=True), initial_state=True),
    case(141, 3, 7, 5, rnn("GRU", 3, return_sequences=True, return_state=True), mask="trailing"),
    case(142, 3, 7, 5, rnn("GRU", 4, return_sequences=True, return_state=True), mask="middle"),
    case(143, 3, 7, 2, rnn("GRU", 3, return_sequences=True, return_state=True), mask="leading"),
    case(144, 3, 13, 16, rnn("GRU", 8), mask="trailing"),
    case(145, 3, 13, 5, rnn("GRU", 8, return_sequences=True, return_state=True), weights="saturation"),
    case(146, 3, 4, 5, rnn("GRU", 4, return_sequences=True, return_state=True), weights="keras"),

    # GRU, reset_after=False
    case(147, 3, 4, 16, rnn("GRU", 1, reset_after=False)),
    case(148, 1, 4, 1, rnn("GRU", 3, return_state=True, reset_after=False)),
    case(149, 3, 4, 5, rnn("GRU", 3, return_sequences=True, reset_after=False)),
    case(150, 1, 13, 5, rnn("GRU", 8, return_sequences=True, return_state=True, reset_after=False)),
    case(151, 3, 13, 1, rnn("GRU", 3, return_sequences=True, return_state=True, go_backwards=True, reset_after=False)),
    case(152, 1, 4, 16, rnn("GRU", 8, return_state=True, go_backwards=True, reset_after=False)),
    case(153, 3, 1, 5, rnn("GRU", 1, return_sequences=True, use_bias=False, reset_after=False)),
    case(154, 3, 4, 1, rnn("GRU", 8, return_sequences=True, activation="relu", reset_after=False)),
    case(155, 1, 13, 16, rnn("GRU", 3, return_sequences=True, return_state=True, activation="sigmoid", reset_after=False)),
    case(156, 3, 4, 5, rnn("GRU", 1, return_sequences=True, activation="linear", reset_after=False)),
    case(157, 1, 1, 16, rnn("GRU", 3, return_sequences=True, return_state=True, recurrent_activation="hard_sigmoid", reset_after=False)),
    case(158, 3, 13, 5, rnn("GRU", 8, return_sequences=True, recurrent_activation="relu", reset_after=False)),
    case(159, 1, 1, 1, rnn("GRU", 1, return_sequences=True, return_state=True, reset_after=False)),
    case(160, 3, 13, 16, rnn("GRU", 32, return_sequences=True, return_state=True, reset_after=False)),
    case(161, 1, 4, 5, rnn("GRU", 32, reset_after=False)),
    case(162, 3, 4, 5, rnn("GRU", 3, return_sequences=True, return_state=True, reset_after=False), initial_state=True),
    case(163, 3, 13, 1, rnn("GRU", 8, return_sequences=True, return_state=True, go_backwards=True, reset_after=False), initial_state=True),
    case(164, 3, 7, 5, rnn("GRU", 3, return_sequences=True, return_state=True, reset_after=False), mask="trailing"),
    case(165, 3, 7, 5, rnn("GRU", 4, return_sequences=True, return_state=True, reset_after=False), mask="middle"),
    case(166, 3, 7, 2, rnn("GRU", 3, return_sequences=True, return_state=True, reset_after=False), mask="leading"),
    case(167, 3, 13, 16, rnn("GRU", 8, reset_after=False), mask="trailing"),
    case(168, 3, 13, 5, rnn("GRU", 8, return_sequences=True, return_state=True, reset_after=False), weights="saturation"),
    case(169, 3, 4, 5, rnn("GRU", 4, return_sequences=True, return_state=True, reset_after=False), weights="keras"),

    # LSTM
    case(170, 3, 4, 16, rnn("LSTM", 1)),
    case(171, 1, 4, 1, rnn("LSTM", 3, return_state=True)),
    case(172, 3, 4, 5, rnn("LSTM", 3, return_sequences=True)),
    case(173, 1, 13, 5, rnn("LSTM", 8, return_sequences=True, return_state=True)),
    case(174, 3, 13, 1, rnn("LSTM", 3, return_sequences=True, return_state=True, go_backwards=True)),
    case(175, 1, 4, 16, rnn("LSTM", 8, return_state=True, go_backwards=True)),
    case(176, 3, 1, 5, rnn("LSTM", 1, return_sequences=True, use_bias=False)),
    case(177, 3, 4, 1, rnn("LSTM", 8, return_sequences=True, activation="relu")),
    case(178, 1, 13, 16, rnn("LSTM", 3, return_sequences=True, return_state=True, activation="sigmoid")),
    case(179, 3, 4, 5, rnn("LSTM", 1, return_sequences=True, activation="linear")),
    case(180, 1, 1, 16, rnn("LSTM", 3, return_sequences=True, return_state=True, recurrent_activation="hard_sigmoid")),
    case(181, 3, 13, 5, rnn("LSTM", 8, return_sequences=True, recurrent_activation="relu")),
    case(182, 1, 1, 1, rnn("LSTM", 1, return_sequences=True, return_state=True)),
    case(183, 3, 13, 16, rnn("LSTM", 32, return_sequences=True, return_state=True)),
    case(184, 1, 4, 5, rnn("LSTM", 32)),
    case(185, 3, 4, 5, rnn("LSTM", 3, return_sequences=True, return_state=True), initial_state=True),
    case(186, 3, 13, 1, rnn("LSTM", 8, return_sequences=True, return_state=True, go_backwards=True), initial_state=True),
    case(187, 3, 7, 5, rnn("LSTM", 3, return_sequences=True, return_state=True), mask="trailing"),
    case(188, 3, 7, 5, rnn("LSTM", 4, return_sequences=True, return_state=True), mask="middle"),
    case(189, 3, 7, 2, rnn("LSTM", 3, return_sequences=True, return_state=True), mask="leading"),
    case(190, 3, 13, 16, rnn("LSTM", 8), mask="trailing"),
    case(191, 3, 13, 5, rnn("LSTM", 8, return_sequences=True, return_state=True), weights="saturation"),
    case(192, 3, 4, 5, rnn("LSTM", 4, return_sequences=True, return_state=True), weights="keras"),
    case(193, 3, 4, 5, rnn("LSTM", 4, return_sequences=True, return_state=True, unit_forget_bias=False), weights="keras"),
    case(194, 1, 13, 5, rnn("LSTM", 3, return_sequences=True, return_state=True, unit_forget_bias=False)),

    # Feature combinations: masks with go_backwards / initial_state, fully masked rows, unroll
    case(195, 3, 7, 5, rnn("LSTM", 3, return_sequences=True, return_state=True, go_backwards=True), mask="trailing"),
    case(196, 3, 7, 5, rnn("GRU", 3, return_sequences=True, return_state=True, go_backwards=True), mask="middle"),
    case(197, 3, 7, 5, rnn("LSTM", 3, return_sequences=True, return_state=True), initial_state=True, mask="trailing"),
    case(198, 3, 7, 5, rnn("GRU", 3, return_sequences=True, return_state=True, reset_after=False), initial_state=True, mask="middle"),
    case(199, 3, 7, 5, rnn("SimpleRNN", 3, return_sequences=True, return_state=True), mask="fully_masked_row"),
    case(200, 3, 7, 5, rnn("LSTM", 3, return_sequences=True, return_state=True), mask="fully_masked_row"),
    case(201, 3, 13, 5, rnn("LSTM", 8, return_sequences=True, return_state=True, go_backwards=True, use_bias=False, activation="relu", recurrent_activation="hard_sigmoid")),
    case(202, 1, 13, 5, rnn("GRU", 3, return_sequences=True, return_state=True, activation="relu"), weights="saturation"),
    case(203, 3, 4, 16, rnn("GRU", 8, return_sequences=True, use_bias=False, recurrent_activation="hard_sigmoid", reset_after=False)),
    case(204, 3, 7, 5, rnn("SimpleRNN", 3, return_sequences=True, return_state=True, activation="relu"), initial_state=True, mask="leading"),
    case(205, 3, 7, 5, bidirectional(rnn("LSTM", 3, return_sequences=True, return_state=True)), initial_state=True, mask="trailing"),
    case(206, 3, 7, 5, rnn("LSTM", 3, return_sequences=True, return_state=True, unroll=True), mask="trailing"),
    case(207, 3, 7, 5, rnn("GRU", 3, return_sequences=True, go_backwards=True, unroll=True), mask="leading"),
    case(208, 3, 7, 5, rnn("SimpleRNN", 3, return_sequences=True, return_state=True, unroll=True), initial_state=True, mask="leading"),

    # Bidirectional
    case(209, 3, 4, 16, bidirectional(rnn("SimpleRNN", 1, return_sequences=True))),
    case(210, 1, 4, 1, bidirectional(rnn("SimpleRNN", 3, return_sequences=True), merge_mode="sum")),
    case(211, 3, 4, 5, bidirectional(rnn("SimpleRNN", 3, return_sequences=True), merge_mode="mul")),
    case(212, 1, 13, 5, bidirectional(rnn("SimpleRNN", 8, return_sequences=True), merge_mode="ave")),
    case(213, 3, 13, 1, bidirectional(rnn("SimpleRNN", 3, return_sequences=True), merge_mode=None)),
    case(214, 1, 4, 16, bidirectional(rnn("SimpleRNN", 8, return_state=True))),
    case(215, 3, 1, 5, bidirectional(rnn("SimpleRNN", 1, return_sequences=True, return_state=True))),
    case(216, 3, 4, 1, bidirectional(rnn("SimpleRNN", 8, return_sequences=True, return_state=True), merge_mode=None)),
    case(217, 1, 13, 16, bidirectional(rnn("SimpleRNN", 3), merge_mode="sum")),
    case(218, 3, 7, 5, bidirectional(rnn("SimpleRNN", 3, return_sequences=True)), mask="trailing"),
    case(219, 3, 4, 5, bidirectional(rnn("SimpleRNN", 3, return_sequences=True, return_state=True)), initial_state=True),
    case(220, 3, 13, 5, bidirectional(rnn("SimpleRNN", 8, return_sequences=True, return_state=True), merge_mode="ave"), weights="saturation"),
    case(221, 3, 4, 5, bidirectional(rnn("GRU", 1, return_sequences=True))),
    case(222, 1, 1, 16, bidirectional(rnn("GRU", 3, return_sequences=True), merge_mode="sum")),
    case(223, 3, 13, 5, bidirectional(rnn("GRU", 8, return_sequences=True), merge_mode="mul")),
    case(224, 3, 4, 16, bidirectional(rnn("GRU", 1, return_sequences=True), merge_mode="ave")),
    case(225, 1, 4, 1, bidirectional(rnn("GRU", 3, return_sequences=True), merge_mode=None)),
    case(226, 3, 4, 5, bidirectional(rnn("GRU", 3, return_state=True))),
    case(227, 1, 13, 5, bidirectional(rnn("GRU", 8, return_sequences=True, return_state=True))),
    case(228, 3, 13, 1, bidirectional(rnn("GRU", 3, return_sequences=True, return_state=True), merge_mode=None)),
    case(229, 1, 4, 16, bidirectional(rnn("GRU", 8), merge_mode="sum")),
    case(230, 3, 7, 5, bidirectional(rnn("GRU", 3, return_sequences=True)), mask="trailing"),
    case(231, 3, 4, 5, bidirectional(rnn("GRU", 3, return_sequences=True, return_state=True)), initial_state=True),
    case(232, 3, 13, 5, bidirectional(rnn("GRU", 8, return_sequences=True, return_state=True), merge_mode="ave"), weights="saturation"),
    case(233, 3, 1, 5, bidirectional(rnn("LSTM", 1, return_sequences=True))),
    case(234, 3, 4, 1, bidirectional(rnn("LSTM", 8, return_sequences=True), merge_mode="sum")),
    case(235, 1, 13, 16, bidirectional(rnn("LSTM", 3, return_sequences=True), merge_mode="mul")),
    case(236, 3, 4, 5, bidirectional(rnn("LSTM", 1, return_sequences=True), merge_mode="ave")),
    case(237, 1, 1, 16, bidirectional(rnn("LSTM", 3, return_sequences=True), merge_mode=None)),
    case(238, 3, 13, 5, bidirectional(rnn("LSTM", 8, return_state=True))),
    case(239, 3, 4, 16, bidirectional(rnn("LSTM", 1, return_sequences=True, return_state=True))),
    case(240, 1, 4, 1, bidirectional(rnn("LSTM", 3, return_sequences=True, return_state=True), merge_mode=None)),
    case(241, 3, 4, 5, bidirectional(rnn("LSTM", 3), merge_mode="sum")),
    case(242, 3, 7, 5, bidirectional(rnn("LSTM", 3, return_sequences=True)), mask="trailing"),
    case(243, 3, 4, 5, bidirectional(rnn("LSTM", 3, return_sequences=True, return_state=True)), initial_state=True),
    case(244, 3, 13, 5, bidirectional(rnn("LSTM", 8, return_sequences=True, return_state=True), merge_mode="ave"), weights="saturation"),

    # Bidirectional: reset_after=False, masks, Keras initializers, wide layers, explicit backward_layer
    case(245, 3, 4, 5, bidirectional(rnn("GRU", 3, return_sequences=True, return_state=True, reset_after=False))),
    case(246, 3, 7, 5, bidirectional(rnn("LSTM", 3, return_sequences=True, return_state=True)), mask="middle"),
    case(247, 3, 7, 5, bidirectional(rnn("GRU", 3, return_state=True), merge_mode=None), mask="leading"),
    case(248, 3, 4, 5, bidirectional(rnn("LSTM", 4, return_sequences=True, return_state=True)), weights="keras"),
    case(249, 3, 13, 16, bidirectional(rnn("LSTM", 32, return_sequences=True), merge_mode="sum")),
    case(250, 3, 4, 5, bidirectional(
        rnn("LSTM", 4, return_sequences=True, return_state=True),
        backward_layer=rnn("LSTM", 3, return_sequences=True, return_state=True, go_backwards=True, activation="relu"),
    )),
    case(251, 3, 4, 5, bidirectional(
        rnn("GRU", 4, return_sequences=True, return_state=True),
        merge_mode="sum",
        backward_layer=rnn("GRU", 4, return_sequences=True, return_state=True, go_backwards=True,
                           recurrent_activation="hard_sigmoid", reset_after=False),
    )),

    # Stateful layers: successive calls; states carry over unless reset_states_before
    case(252, 2, 4, 3, rnn("SimpleRNN", 3, return_sequences=True, stateful=True), calls=[False, False, False]),
    case(253, 2, 4, 3, rnn("GRU", 3, return_sequences=True, return_state=True, stateful=True), calls=[False, False, False]),
    case(254, 2, 4, 3, rnn("LSTM", 3, return_sequences=True, return_state=True, stateful=True), calls=[False, False, False]),
    case(255, 2, 5, 3, rnn("LSTM", 4, return_state=True, stateful=True), calls=[False, False, True]),
    case(256, 2, 4, 3, rnn("GRU", 3, return_sequences=True, go_backwards=True, stateful=True, reset_after=False), calls=[False, False, False, True]),
    case(257, 2, 4, 3, bidirectional(rnn("LSTM", 3, return_sequences=True, stateful=True)), calls=[False, False, False]),

    # Sequential models saved as .keras and legacy .h5
    model(901, 3, 6, 5, MASKING_MODEL, id="model-masking-bilstm-gru-dense-b3-t6-i5-seed901",
          mask=MASKING_MODEL_ZERO_STEPS),
    model(902, 2, 5, 3, [
        rnn("SimpleRNN", 6, return_sequences=True, activation="relu"),
        bidirectional(rnn("GRU", 5, return_sequences=True, reset_after=False), merge_mode="sum"),
        rnn("LSTM", 3, go_backwards=True),
    ], id="model-simplernn-bigru-sum-lstm-back-b2-t5-i3-seed902"),
    model(903, 3, 6, 5, MASKING_MODEL, id="model-masking-bilstm-gru-dense-h5-b3-t6-i5-seed903",
          mask=MASKING_MODEL_ZERO_STEPS, save_as="h5"),
]
