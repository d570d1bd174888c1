"""Case validation, mask patterns, ids and tags (no Keras needed: configs are written out here)."""

import unittest
from pathlib import Path

from rnn_goldens.case_spec import CaseError, case_id, case_tags, is_backend_dependent, load_case_list, parse_case

HERE = Path(__file__).resolve().parent


def recurrent_config(**overrides):
    """The keys of a Keras recurrent layer config that ids and tags read, at Keras's defaults."""
    config = {"units": 3, "return_sequences": False, "return_state": False, "go_backwards": False,
              "stateful": False, "unroll": False, "use_bias": True, "activation": "tanh",
              "recurrent_activation": "sigmoid"}
    config.update(overrides)
    return config


def layer_case(layer, **extra):
    return parse_case({"layer": layer, "batch": 3, "timesteps": 7, "features": 5, "seed": 42, **extra})


class MaskPatternTest(unittest.TestCase):
    def test_named_patterns_match_the_committed_rows(self):
        expected = {
            "trailing": [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0], [1, 0, 0, 0, 0, 0, 0]],
            "leading": [[1, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 1]],
            "middle": [[1, 1, 1, 0, 0, 1, 1], [1, 0, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1, 1]],
            "fully_masked_row": [[1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0]],
        }
        for name, rows in expected.items():
            case = layer_case({"class": "LSTM", "units": 3}, mask=name)
            self.assertEqual(case.mask.tolist(), rows, name)

    def test_explicit_mask_must_match_batch_and_timesteps(self):
        with self.assertRaises(CaseError):
            layer_case({"class": "LSTM", "units": 3}, mask=[[1, 0]])


class ValidationTest(unittest.TestCase):
    def test_unknown_keys_are_refused(self):
        with self.assertRaisesRegex(CaseError, "unknown key"):
            layer_case({"class": "LSTM", "units": 3}, masks="trailing")

    def test_stateful_layers_and_calls_go_together(self):
        with self.assertRaisesRegex(CaseError, "needs a 'calls' list"):
            layer_case({"class": "GRU", "units": 3, "stateful": True})
        with self.assertRaisesRegex(CaseError, "needs a stateful layer"):
            layer_case({"class": "GRU", "units": 3}, calls=[{"reset_states_before": False}])
        case = layer_case({"class": "GRU", "units": 3, "stateful": True},
                          calls=[{"reset_states_before": False}, {"reset_states_before": True}])
        self.assertEqual(case.kind, "stateful")

    def test_model_cases_need_an_id(self):
        with self.assertRaisesRegex(CaseError, "explicit 'id'"):
            parse_case({"model": [{"class": "LSTM", "units": 2}], "batch": 1, "timesteps": 2, "features": 1, "seed": 1})

    def test_a_model_starting_with_an_embedding_takes_token_ids(self):
        embedding = {"class": "Embedding", "input_dim": 9, "output_dim": 3, "mask_zero": True}
        raw = {"id": "m", "model": [embedding, {"class": "LSTM", "units": 2}], "batch": 3, "timesteps": 4, "seed": 1}
        self.assertIsNone(parse_case({**raw, "mask": "trailing"}).features)
        with self.assertRaisesRegex(CaseError, "drop 'features'"):
            parse_case({**raw, "features": 5})
        with self.assertRaisesRegex(CaseError, "mask_zero: true"):
            parse_case({**raw, "model": [{**embedding, "mask_zero": False}], "mask": "trailing"})
        with self.assertRaisesRegex(CaseError, "positive integer"):
            parse_case({**raw, "model": [{"class": "LSTM", "units": 2}]})

    def test_explicit_inputs_must_have_the_case_shape(self):
        with self.assertRaisesRegex(CaseError, "'inputs' has shape"):
            layer_case({"class": "LSTM", "units": 3}, inputs=[[[1.0]]])


class IdAndTagTest(unittest.TestCase):
    def test_gru_reset_before_with_mask_and_initial_state(self):
        case = layer_case({"class": "GRU", "units": 3, "return_sequences": True, "return_state": True,
                           "reset_after": False}, initial_state=True, mask="middle")
        config = recurrent_config(return_sequences=True, return_state=True, reset_after=False)
        self.assertEqual(case_id(case, config), "gru-resetbefore-seq-state-init-maskmid-b3-t7-i5-u3-seed42")
        self.assertEqual(case_tags(case, config), ["GRU", "return_sequences", "return_state", "reset_after:false",
                                                   "initial_state", "mask:middle"])

    def test_bidirectional_with_explicit_backward_layer(self):
        case = layer_case({"class": "Bidirectional", "merge_mode": None,
                           "layer": {"class": "LSTM", "units": 3, "return_state": True},
                           "backward_layer": {"class": "LSTM", "units": 2, "go_backwards": True, "return_state": True}})
        config = {"merge_mode": None, "layer": {"class_name": "LSTM",
                                                "config": recurrent_config(return_state=True, unit_forget_bias=True)}}
        self.assertEqual(case_id(case, config), "bi-lstm-mnone-bwlayer-state-b3-t7-i5-u3-seed42")
        self.assertEqual(case_tags(case, config), ["LSTM", "bidirectional", "merge_mode:none",
                                                   "explicit_backward_layer", "return_state"])

    def test_model_tags_name_the_layers_besides_recurrent_masking_and_dense(self):
        case = parse_case({"id": "m", "batch": 2, "timesteps": 4, "seed": 1, "tags": ["mine"], "model": [
            {"class": "Embedding", "input_dim": 9, "output_dim": 3, "mask_zero": True},
            {"class": "LSTM", "units": 2, "return_sequences": True},
            {"class": "BatchNormalization", "center": False},
            {"class": "GlobalAveragePooling1D", "keepdims": True},
            {"class": "Flatten"},
            {"class": "RepeatVector", "n": 3},
            {"class": "TimeDistributed", "layer": {"class": "Dense", "units": 2}},
            {"class": "GlobalMaxPooling1D"},
        ]})
        self.assertEqual(case_tags(case, {}), [
            "model", "model_file:keras", "embedding", "mask_zero", "batch_normalization",
            "batch_normalization:no_center", "global_average_pooling", "keepdims", "flatten", "repeat_vector",
            "time_distributed", "global_max_pooling", "mine",
        ])

    def test_conv1d_and_pooling_tags_name_padding_and_the_options_that_move_windows(self):
        case = parse_case({"id": "m", "batch": 2, "timesteps": 8, "features": 3, "seed": 1, "model": [
            {"class": "Conv1D", "filters": 2, "kernel_size": 3},
            {"class": "Conv1D", "filters": 2, "kernel_size": 2, "padding": "causal", "dilation_rate": [2],
             "use_bias": False, "activation": "relu"},
            {"class": "Conv1D", "filters": 2, "kernel_size": 1, "padding": "same", "strides": 2, "activation": "linear"},
            {"class": "MaxPooling1D", "pool_size": 2, "strides": 2},
            {"class": "AveragePooling1D", "pool_size": 3, "strides": 1, "padding": "same"},
        ]})
        self.assertEqual(case_tags(case, {}), [
            "model", "model_file:keras", "conv1d", "conv1d:padding:valid", "conv1d:padding:causal",
            "conv1d:dilation", "conv1d:no_bias", "conv1d:activation:relu", "conv1d:padding:same", "conv1d:strides",
            "max_pooling", "max_pooling:padding:valid", "average_pooling", "average_pooling:padding:same",
            "average_pooling:strides",
        ])

    def test_backend_dependent_needs_initial_state_and_an_early_masked_step(self):
        seq = {"class": "SimpleRNN", "units": 3, "return_sequences": True}
        config = recurrent_config(return_sequences=True)
        self.assertTrue(is_backend_dependent(layer_case(seq, initial_state=True, mask="leading"), config))
        self.assertFalse(is_backend_dependent(layer_case(seq, initial_state=True, mask="trailing"), config))
        self.assertFalse(is_backend_dependent(layer_case(seq, mask="leading"), config))
        backwards = recurrent_config(return_sequences=True, go_backwards=True)
        self.assertTrue(is_backend_dependent(layer_case({**seq, "go_backwards": True}, initial_state=True,
                                                        mask="trailing"), backwards))
        unrolled = recurrent_config(return_sequences=True, unroll=True)
        self.assertFalse(is_backend_dependent(layer_case({**seq, "unroll": True}, initial_state=True,
                                                         mask="leading"), unrolled))


class CaseListTest(unittest.TestCase):
    def test_the_shared_case_list_loads(self):
        cases = load_case_list(HERE.parent / "case_lists" / "shared.py")
        kinds = [case.kind for case in cases]
        self.assertEqual((kinds.count("layer"), kinds.count("stateful"), kinds.count("model")), (151, 6, 3))

    def test_the_extra_case_list_loads(self):
        cases = load_case_list(HERE.parent / "case_lists" / "extra.py")
        self.assertEqual([case.kind for case in cases], ["model"] * 41)
        self.assertEqual(len({case.explicit_id for case in cases}), 41)
        self.assertEqual([case.seed for case in cases], list(range(1001, 1042)))

    def test_the_json_example_loads(self):
        cases = load_case_list(HERE.parent / "case_lists" / "example.json")
        self.assertEqual([case.kind for case in cases], ["layer", "layer", "stateful", "layer", "layer", "model"])


if __name__ == "__main__":
    unittest.main()
