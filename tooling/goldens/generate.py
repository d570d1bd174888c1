#!/usr/bin/env python3
"""Generate or check `rnn-golden/1` fixtures with real Keras (see README.md).

    generate.py CASE_LIST --out DIR [--only ID ...]      write DIR/cases, DIR/models, DIR/manifest.json
    generate.py --check DIR [--backend B] [--tolerance T] [--only ID ...]
                                                         re-run DIR's fixtures and compare
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# The fixtures are pinned to this Keras release; generating with another one is refused.
KERAS_VERSION = "3.15.1"
# The conformance suite's pass rule; used by --check on backends other than numpy.
SUITE_TOLERANCE = 1e-5


def main(argv: list[str]) -> int:
    args = _parse_args(argv)
    backend = args.backend if args.check else "numpy"
    # Keras reads KERAS_BACKEND once, at import: set it before anything imports keras.
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    if keras.backend.backend() != backend:
        print(f"error: Keras runs on '{keras.backend.backend()}', expected '{backend}'", file=sys.stderr)
        return 2
    from rnn_goldens.case_spec import CaseError
    from rnn_goldens.generate_cases import GenerationError

    only = set(args.only) if args.only else None
    try:
        if args.check:
            return _check(Path(args.check), backend, args.tolerance, only)
        if keras.__version__ != KERAS_VERSION:
            print(f"error: fixtures are generated with Keras {KERAS_VERSION}; this is Keras {keras.__version__}",
                  file=sys.stderr)
            return 2
        return _generate(Path(args.case_list), Path(args.out), only)
    except (CaseError, GenerationError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case_list", nargs="?", help="case list: a .json file or a .py module defining CASES")
    parser.add_argument("--out", help="output folder for cases/, models/ and manifest.json")
    parser.add_argument("--check", metavar="DIR", help="re-run the fixtures listed in DIR/manifest.json")
    parser.add_argument("--backend", default="numpy", choices=["numpy", "jax", "tensorflow", "torch"],
                        help="Keras backend for --check (generation always uses numpy)")
    parser.add_argument("--tolerance", type=float,
                        help="largest |got-want|/max(1,|want|) --check accepts "
                             f"(default: 0, bit-exact, on numpy; {SUITE_TOLERANCE} on other backends)")
    parser.add_argument("--only", nargs="+", metavar="ID", help="only these fixture ids")
    args = parser.parse_args(argv)
    if args.check:
        if args.case_list or args.out:
            parser.error("--check takes no case list and no --out")
        if args.tolerance is None:
            args.tolerance = 0.0 if args.backend == "numpy" else SUITE_TOLERANCE
    else:
        if not args.case_list or not args.out:
            parser.error("give a case list and --out DIR (or --check DIR)")
        if args.backend != "numpy" or args.tolerance is not None:
            parser.error("--backend and --tolerance only apply to --check")
    return args


def _generate(case_list: Path, out_dir: Path, only: set[str] | None) -> int:
    from rnn_goldens.case_spec import load_case_list
    from rnn_goldens.generate_cases import generate_all

    written = generate_all(load_case_list(case_list), out_dir, only)
    missing = sorted(only - set(written)) if only else []
    print(f"{len(written)} fixtures and manifest.json written to {out_dir}")
    if missing:
        print(f"error: no case has id {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


def _check(root: Path, backend: str, tolerance: float, only: set[str] | None) -> int:
    from rnn_goldens.check_fixtures import check_directory

    results = check_directory(root, backend, tolerance, only)
    failures = 0
    for result in results:
        failed = result.error is not None or not result.config_equal or not result.model_file_ok or (
            result.max_rel > tolerance and not result.expected_to_differ)
        failures += failed
        if result.error is not None:
            verdict = f"ERROR {result.error}"
        else:
            verdict = "bit-exact" if result.bit_exact else f"max abs {result.max_abs:.3g}, max rel {result.max_rel:.3g}"
            if not result.config_equal:
                verdict += ", config DIFFERS after from_config"
            if result.model_file is not None:
                verdict += f"; model file: {result.model_file}"
            if result.expected_to_differ and result.max_rel > tolerance:
                verdict += " (tagged backend_dependent: expected)"
        print(f"{'FAIL' if failed else 'ok  '}  {result.id}: {verdict}", flush=True)

    checked = [result for result in results if result.error is None]
    print(
        f"\n{len(results)} fixtures on Keras {_keras_version()} ({backend}): "
        f"{sum(r.bit_exact for r in checked)} bit-exact, "
        f"max abs error {max((r.max_abs for r in checked), default=0.0):.3g}, "
        f"max rel error {max((r.max_rel for r in checked), default=0.0):.3g}; "
        f"configs equal after from_config: {sum(r.config_equal for r in checked)}/{len(checked)}; "
        f"model files ok: {sum(r.model_file_ok for r in checked if r.model_file)}"
        f"/{sum(1 for r in checked if r.model_file)}; "
        f"{failures} failed (tolerance {tolerance:g})"
    )
    if only:
        missing = sorted(only - {result.id for result in results})
        if missing:
            print(f"error: the manifest has no id {', '.join(missing)}", file=sys.stderr)
            return 1
    return 1 if failures else 0


def _keras_version() -> str:
    import keras

    return keras.__version__


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main(sys.argv[1:]))
