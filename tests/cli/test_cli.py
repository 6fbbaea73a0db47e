"""The `policyqa` command as a user runs it: exit codes, one-line errors, JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def run(data_dir: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "POLICYQA_DATA_DIR": str(data_dir), "OMP_WAIT_POLICY": "PASSIVE", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_ask_json_returns_the_result_model(services):
    out = run(services.settings.data_dir, "ask", "When was Japan's AI Safety Institute set up?", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"answer", "abstained", "mode", "citations", "sources", "sentences", "timings_ms"} <= set(data)
    assert "2024" in data["answer"] and data["citations"]


def test_ask_streams_and_lists_sources(services):
    out = run(
        services.settings.data_dir,
        "ask",
        "What does Article 50(2) of the AI Act require?",
        "--doc",
        "eu-ai-act-regulation-2024-1689",
    )
    assert out.returncode == 0, out.stderr
    assert "[1]" in out.stdout and "Sources" in out.stdout and "Article 50" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ask", "   "), "empty"),
        (("ask", "x" * 2001), "longer than"),
        (("ask", "What?", "--mode", "psychic"), "unknown mode"),
        (("ask", "What?", "--top-k", "0"), "--top-k"),
        (("docs", "rm", "no-such-doc"), "no document"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(services, args, message):
    out = run(services.settings.data_dir, *args)
    assert out.returncode != 0
    assert message in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_docs_list(services):
    out = run(services.settings.data_dir, "docs", "list", "--json")
    assert out.returncode == 0, out.stderr
    docs = json.loads(out.stdout)
    assert len(docs) == 16 and all(d["chunks"] > 0 and d["title"] for d in docs)


def test_ingest_reports_bad_files_and_exits_nonzero(tmp_path):
    good = tmp_path / "note.md"
    good.write_text("# A note\n\nThe Example Agency published a short note on AI audits in 2024.\n")
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"not a pdf at all")
    out = run(tmp_path / "data", "ingest", str(good), str(bad), "http://127.0.0.1:9/x")
    assert out.returncode == 1
    assert "Traceback" not in out.stderr + out.stdout
    assert "failed" in out.stdout and "added" in out.stdout
    again = run(tmp_path / "data", "ingest", str(good))
    assert again.returncode == 0 and "0 new embeddings" in again.stdout


def test_ingest_if_stale_skips_model_loading(services):
    out = run(services.settings.data_dir, "ingest", "--if-stale")
    assert out.returncode == 0
    assert "up to date" in out.stdout
