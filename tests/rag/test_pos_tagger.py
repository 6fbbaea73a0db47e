"""The tagger loads without torch, and the torch embedder still loads after it (real models, a fresh
interpreter)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from rag.core.torch_import import torch_hidden


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_tagger_loads_without_importing_torch_and_torch_still_imports_after() -> None:
    out = _run(
        """
        import sys
        from rag.text.pos import verbs
        print(sorted(verbs("The two leaders welcomed the plan and agreed to join it.")))
        print("torch" in sys.modules)
        from rag.store.embedder import Embedder
        print(Embedder(onnx_cache=None).encode(["Member States shall cooperate."]).shape)
        print(sorted(verbs("Member States shall cooperate with the Commission.")))
        """
    )
    lines = out.strip().splitlines()
    assert lines[0] == "['agreed', 'join', 'welcomed']"
    assert lines[1] == "False"
    assert lines[2] == "(1, 384)"  # the document embedder imports torch after the tagger
    assert lines[3] == "['cooperate']"


def test_hiding_torch_leaves_a_loaded_torch_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    marker = object()
    monkeypatch.setitem(sys.modules, "torch", marker)
    with torch_hidden():
        assert sys.modules["torch"] is marker
    assert sys.modules["torch"] is marker


def test_hiding_torch_makes_its_import_fail_inside_and_restores_it_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    with torch_hidden():
        with pytest.raises(ImportError):
            import torch  # noqa: F401
    assert "torch" not in sys.modules


def test_warm_up_returns_with_the_tagger_loaded(services) -> None:  # type: ignore[no-untyped-def]
    """The first question that asks for a name does not wait for the tagger (it took ~0.6 s), and no
    question runs beside its loading: warm_up (before /readyz) returns with it loaded."""
    out = _run(
        f"""
        from pathlib import Path
        from rag.container import Services
        from rag.core.settings import Settings
        from rag.text import pos
        svc = Services(Settings(data_dir=Path({str(services.settings.data_dir)!r}),
                                corpus_dir=Path({str(services.settings.corpus_dir)!r}), _env_file=None))
        print(pos._tagger.cache_info().currsize)
        svc.warm_up()
        print(pos._tagger.cache_info().currsize)
        """
    )
    assert out.split() == ["0", "1"]
