"""The split sentences kept beside a large store (rag/retrieval/sentence_tokens.py) are the selector's own
split, and a server that reads them answers as one that splits (the real store and models)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.chain import AskRequest
from rag.retrieval.sentence_tokens import SentenceTokens
from rag.sentence_cache import split
from rag.store.index import chunk_body


def test_the_kept_split_is_the_selectors_own_for_every_chunk(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    table = services.searcher.table
    ids = [str(d.id) for d in table.docs]
    bodies = [chunk_body(table.doc(i)) for i in range(len(ids))]
    SentenceTokens.write(tmp_path / "kept", "fp-1", ids, (split(b) for b in bodies))
    kept = SentenceTokens.load(tmp_path / "kept", "fp-1", ids)
    assert kept is not None and len(ids) > 500
    for row, body in enumerate(bodies):
        assert kept.spans(row) == (split(body) or None), ids[row]
        words = frozenset().union(*(t for _, _, t in split(body)))
        got_ids = kept.token_ids_of(row).tolist()
        assert {kept.vocab[i] for i in got_ids} == words and got_ids == sorted(set(got_ids))
    # another store's copy, or the rows in another order, is not read
    assert SentenceTokens.load(tmp_path / "kept", "fp-2", ids) is None
    assert SentenceTokens.load(tmp_path / "kept", "fp-1", ids[::-1]) is None
    (tmp_path / "kept" / "token_ids.npy").write_bytes(b"torn")
    assert SentenceTokens.load(tmp_path / "kept", "fp-1", ids) is None


def test_a_store_above_the_prefill_bound_answers_as_before_from_the_kept_split(
    services, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import rag.container
    from rag.container import Services

    monkeypatch.setattr(rag.container, "PREFILL_SENTENCES_MAX_CHUNKS", 0)
    large = Services(services.settings)
    large.warm_up()
    cache = large.selector.cache
    assert cache._kept is not None and not cache._data  # nothing split at start-up; the copy is kept
    assert (services.settings.data_dir / "sentence_tokens").is_dir()
    # its memory-mapped copies were read into the page cache before it was ready (rag/store/page_cache.py)
    assert large._page_preload is not None and not large._page_preload.is_alive()
    questions = (
        "What does Article 50(2) of the EU AI Act require?",
        "When was Japan's AI Safety Institute set up?",
        "do I have to be told when I'm chatting with a bot?",
    )
    expected = [services.chain.invoke(AskRequest(question=q, mode="extractive")).answer for q in questions]
    import rag.sentence_cache

    calls: list[str] = []
    monkeypatch.setattr(rag.sentence_cache, "split", lambda body: calls.append(body) or split(body))
    got = [large.chain.invoke(AskRequest(question=q, mode="extractive")).answer for q in questions]
    assert got == expected
    assert cache._data and not calls  # the passages read were built from the copy, none split again
    # each passage's token ids, read from the copy, are the ids its words have in the cache's vocabulary
    for got_sentences in cache._data.values():
        assert got_sentences.ids.tolist() == sorted(cache._vocab[t] for t in got_sentences.tokens)
