"""Single words' vectors for the reader's soft coverage: what counts as a word, near-synonyms counted,
the table kept beside the store and read back without embedding again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.reader.features import FEATURES, feature_matrix
from rag.reader.word_vectors import FILE_NAME, WordVectors, content_words


class CountingEncoder:
    """Orthogonal rows by word, with "kids" set near "children": the soft coverage's arithmetic alone."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.index: dict[str, int] = {}

    def __call__(self, words: list[str]) -> np.ndarray:
        self.calls.append(list(words))
        rows = np.zeros((len(words), 64), dtype=np.float32)
        for r, w in enumerate(words):
            rows[r, self.index.setdefault(w if w != "kids" else "children", len(self.index))] = 1.0
            if w == "kids":
                rows[r] = rows[r] * 0.8 + np.eye(64, dtype=np.float32)[63] * 0.6  # cosine 0.8 to "children"
        return rows


def test_content_words_drop_stop_words_and_short_words_and_keep_order() -> None:
    assert content_words("Can the AI Act ban an app for kids? Kids, AI!") == ("act", "ban", "app", "kids")


def test_a_near_synonym_counts_where_the_same_word_is_missing() -> None:
    words = WordVectors(CountingEncoder())
    got = words.soft_coverage(
        "apps for kids", ["Apps for children are covered.", "Apps must be registered.", "Nothing here."]
    )
    # "apps" is in two of three texts, "kids" in none but near "children" (cosine 0.8, floor 0.4 -> 2/3)
    assert got[0] > got[1] > got[2] == 0.0
    assert WordVectors(CountingEncoder()).soft_coverage("for the", ["anything"]) == [0.0]


def test_a_subset_of_candidates_scored_again_reuses_the_shares_and_matches_a_fresh_table() -> None:
    """The reader scores a question's pool, then the passages it chose: the second call reuses each
    text's shares, and its values, IDF over the subset included, equal a fresh table's."""
    pool = ["Apps for children are covered.", "Apps must be registered.", "Kids play.", "Nothing here."]
    fresh = WordVectors(CountingEncoder()).soft_coverage("apps for kids", pool[:2])
    words = WordVectors(CountingEncoder())
    words.soft_coverage("apps for kids", pool)
    words._matrix = np.zeros_like(words._matrix)  # recomputed shares would now all be 0
    again = words.soft_coverage("apps for kids", pool[:2])
    assert np.allclose(again, fresh) and again[0] > again[1] > 0
    assert words.soft_coverage("apps for children", pool[:2]) == [0.0, 0.0]  # another question: computed


def test_each_texts_words_are_looked_up_once_and_a_new_question_over_them_matches_a_fresh_table() -> None:
    """The evidence rerank scores ~40 whole passages a question: their words' rows are kept per text, so a
    second question over the same passages embeds nothing and gets what a fresh table would give."""
    texts = ["Apps for children are covered.", "Apps must be registered.", "Employers shall inform workers."]
    encoder = CountingEncoder()
    words = WordVectors(encoder)
    words.soft_coverage("apps for kids", texts)
    calls = len(encoder.calls)
    again = words.soft_coverage("registered children", texts)
    assert len(encoder.calls) == calls  # the asked words and every text's words were known
    assert set(words._by_text) == {hash(t) for t in texts}  # each text's rows kept from the first question
    assert again == WordVectors(CountingEncoder()).soft_coverage("registered children", texts)
    assert again[0] > 0 and again[1] > 0 and again[2] == 0.0


def test_the_table_is_kept_and_read_back_without_embedding_again(tmp_path: Path) -> None:
    path = tmp_path / "models" / FILE_NAME
    first = WordVectors(CountingEncoder(), path)
    assert first.learn(["Children shall be protected.", "Providers shall register."], "store-1") == 5
    first.save()
    again = CountingEncoder()
    second = WordVectors(again, path)
    assert len(second) == 5 and second.corpus == "store-1"
    assert np.array_equal(second.vectors(["children"]), first.vectors(["children"]))
    second.vectors(["children", "protected", "kids"])
    assert again.calls == [["kids"]]  # only the word it had not kept


def test_a_damaged_table_is_set_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(b"not a table")
    words = WordVectors(CountingEncoder(), path)
    assert len(words) == 0 and "ignoring the word vectors" in caplog.text
    assert words.soft_coverage("kids", ["children"])[0] > 0  # rebuilt as words are met


@pytest.mark.slow
def test_the_bundled_model_counts_kids_as_children(services) -> None:  # type: ignore[no-untyped-def]
    """The real path: the services' table, filled from the corpus at warm-up and kept in the data dir."""
    services.warm_up()
    path = services.settings.data_dir / "models" / FILE_NAME
    kept = WordVectors(lambda w: pytest.fail(f"embedded again: {w}"), path)
    assert path.exists() and len(kept) > 3000
    assert kept.corpus == services.searcher.corpus_version()  # the next start learns nothing
    texts = ["Children should be protected online.", "Member States shall notify the Commission."]
    soft = services.word_vectors.soft_coverage("Are kids protected?", texts)
    assert soft[0] > soft[1]
    # The evidence rerank reads the same table when Settings.soft_rerank_weight turns it on (off by default)
    assert services.settings.soft_rerank_weight == 0 and services.selector.soft is None
    from rag.container import Services

    on = Services(services.settings.model_copy(update={"soft_rerank_weight": 0.1}))
    assert on.selector.soft == on.word_vectors.soft_coverage and on.selector.soft_weight == 0.1
    evidence = services.chain.gather("Are kids protected from AI manipulation?", None, 5).evidence
    _, rows = feature_matrix("Are kids protected from AI manipulation?", evidence, services.word_vectors)
    assert rows[:, FEATURES.index("soft_coverage")].max() > 0


def test_a_questions_words_embedded_ahead_are_embedded_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    encoder = CountingEncoder()
    with ThreadPoolExecutor(1) as pool:
        words = WordVectors(encoder, submit=pool.submit)
        words.learn(["Children and apps are covered."])
        words.ahead("apps for kids")  # "kids" is new: embedded on the pool
        words.ahead("apps for kids")  # already on its way: not submitted again
        got = words.soft_coverage("apps for kids", ["Apps for children are covered."])
    assert got[0] > 0.5
    assert encoder.calls == [["children", "apps", "covered"], ["kids"]]
    assert not words._pending
