"""Plugin boundary contract: plugin code imports the host only through ``teleservices.sdk``.

Run by ``make lint``; exits 1 and lists every offending import otherwise.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {"teleservices.sdk"}


def violations(path: Path) -> list[str]:
    """Return "file:line: import" for each host import outside the SDK in one source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "teleservices":
                names = [f"teleservices.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        for name in names:
            if (name == "teleservices" or name.startswith("teleservices.")) and not any(
                name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    return found


def main() -> int:
    sources = [
        p
        for p in sorted((ROOT / "plugins").glob("*/teleservices_*/**/*.py"))
        if "tests" not in p.parts
    ]
    problems = [line for path in sources for line in violations(path)]
    for line in problems:
        print(f"frontière des plugins violée : {line}", file=sys.stderr)
    print(f"{len(sources)} fichiers de plugins vérifiés, {len(problems)} violation(s).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
