"""The Python examples of README.md run as written (each in a fresh
directory), except the one that needs a multi-machine cluster."""

from __future__ import annotations

import re
import warnings

import pytest
from conftest import ROOT


def examples() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("\n## Python\n") :]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    return [b for b in blocks if "tcp://scheduler" not in b]


def test_the_readme_has_python_examples():
    assert len(examples()) >= 5


@pytest.mark.parametrize("number", range(len(examples())))
def test_readme_example(number, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        exec(compile(examples()[number], f"README.md python example {number + 1}", "exec"), {})
