"""examples/python_quickstart.py runs as a new user would run it, from a copy elsewhere."""

import os
import shutil
import subprocess
import sys

from conftest import SOURCE_DIR, python_env


def test_quickstart_runs_from_a_copy(tmp_path):
    copy = tmp_path / "quickstart.py"
    shutil.copy(os.path.join(SOURCE_DIR, "examples", "python_quickstart.py"), copy)
    env = python_env()
    env["TWAIN_SOURCE_DIR"] = SOURCE_DIR
    result = subprocess.run([sys.executable, str(copy)], env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "1. Trouser" in result.stdout and "after close: NetworkError" in result.stdout
