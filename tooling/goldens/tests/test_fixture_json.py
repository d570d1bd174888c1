"""Layout and number formatting of the fixture writer (no Keras needed)."""

import json
import unittest
from pathlib import Path

import numpy as np

from rnn_goldens import fixture_json

COMMITTED = Path(__file__).resolve().parents[3] / "packages" / "conformance" / "fixtures"


class Float32TextTest(unittest.TestCase):
    def test_shortest_text_per_float32(self):
        self.assertEqual(fixture_json.float32_text(0.1), "0.1")
        self.assertEqual(fixture_json.float32_text(1.0), "1.0")
        self.assertEqual(fixture_json.float32_text(-0.0), "-0.0")
        self.assertEqual(fixture_json.float32_text(1 / 3), "0.33333334")
        self.assertEqual(fixture_json.float32_text(np.float32(8.266123e-05)), "8.266123e-05")

    def test_text_parses_back_to_the_same_float32(self):
        values = np.random.default_rng(1).standard_normal(2000).astype(np.float32) * np.float32(1e-3)
        for value in values:
            text = fixture_json.float32_text(value)
            self.assertEqual(np.float32(float(text)).view(np.uint32), value.view(np.uint32), text)

    def test_non_finite_values_are_refused(self):
        with self.assertRaises(ValueError):
            fixture_json.float32_text(float("nan"))


class LayoutTest(unittest.TestCase):
    def test_scalar_lists_inline_data_compact_dicts_indented(self):
        document = {
            "id": "x",
            "empty": {},
            "weights": [fixture_json.encode_tensor(np.array([[0.5, -2.0]]), name="w")],
            "mask": fixture_json.encode_mask(np.array([[1, 0]])),
            "shape": [None, 2],
        }
        self.assertEqual(
            fixture_json.dumps(document),
            '{\n "id": "x",\n "empty": {},\n "weights": [\n  {\n   "name": "w",\n   "shape": [1, 2],\n'
            '   "data": [0.5,-2.0]\n  }\n ],\n "mask": {\n  "shape": [1, 2],\n  "data": [1,0]\n },\n'
            ' "shape": [null, 2]\n}\n',
        )

    @unittest.skipUnless((COMMITTED / "manifest.json").exists(), "committed fixtures not found")
    def test_committed_fixtures_render_back_byte_for_byte(self):
        files = [COMMITTED / "manifest.json", *sorted((COMMITTED / "cases").glob("*.json"))[:40],
                 *sorted((COMMITTED / "models").glob("*.json"))]
        for path in files:
            text = path.read_text(encoding="utf-8")
            self.assertEqual(fixture_json.dumps(_with_data_arrays(json.loads(text))), text, path.name)


def _with_data_arrays(node, key=None, in_mask=False):
    """A parsed fixture with its `data` lists turned back into the numpy arrays the writer takes."""
    if isinstance(node, dict):
        return {k: _with_data_arrays(v, k, in_mask or k == "mask") for k, v in node.items()}
    if isinstance(node, list):
        if key == "data":
            return np.array(node, dtype=np.int64 if in_mask else np.float32)
        return [_with_data_arrays(item, None, in_mask) for item in node]
    return node


if __name__ == "__main__":
    unittest.main()
