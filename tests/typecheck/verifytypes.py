"""Fail unless ``pyright --verifytypes videosdk_async --ignoreexternal`` scores at least 95 %.

Run with the interpreter of the environment the package is installed in; prints the score and
the symbols whose types are not fully known.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

THRESHOLD = 0.95


def main() -> int:
    bin_dir = Path(sys.executable).parent
    command = [str(bin_dir / "pyright"), "--verifytypes", "videosdk_async", "--ignoreexternal"]
    # --verifytypes finds the package through the `python` on PATH: this environment's.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([*command, "--outputjson"], capture_output=True, text=True, env=env)
    report = json.loads(run.stdout)["typeCompleteness"]
    score = float(report["completenessScore"])
    for symbol in report["symbols"]:
        if not symbol["isTypeKnown"] and not symbol.get("isExternal", False):
            print(f"  not fully typed: {symbol['name']}")
    print(f"pyright {' '.join(command[1:])}: {score:.1%} (needs {THRESHOLD:.0%})")
    return 0 if score >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
