"""Run every benchmark of ``bench/`` and print the figures (``make bench``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}")
        module.run()
    if not names:
        print("Aucun benchmark.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
