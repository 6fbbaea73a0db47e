"""The corpus manifest and DocMeta: every curated field survives, bad manifests fail loudly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rag.store.doc_meta import DocMeta
from rag.store.manifest import ManifestError, load_manifest, shorten_title, slugify

ROOT = Path(__file__).resolve().parents[2]
CORPUS_MANIFEST = ROOT / "corpus" / "manifest.json"
# Manifest keys that become DocMeta fields, and the field each one becomes.
MAPPED = {
    "title": "title",
    "short_title": "short_title",
    "publisher": "publisher",
    "date": "date",
    "original_url": "url",
    "license": "license",
    "aliases": "aliases",
}


@pytest.fixture(scope="module")
def raw_entries() -> list[dict]:
    return json.loads(CORPUS_MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest() -> dict[str, DocMeta]:
    return load_manifest(CORPUS_MANIFEST)


def test_corpus_manifest_has_sixteen_documents_keyed_by_file_stem(manifest, raw_entries):
    assert len(manifest) == 16
    assert set(manifest) == {Path(e["file"]).stem for e in raw_entries}
    for doc_id, meta in manifest.items():
        assert meta.doc_id == doc_id
        assert Path(meta.source).is_file(), meta.source
        assert Path(meta.source).name == meta.provenance["file"]


def test_every_manifest_field_is_kept(manifest, raw_entries):
    for entry in raw_entries:
        meta = manifest[Path(entry["file"]).stem]
        for key, value in entry.items():
            if key in MAPPED:
                assert getattr(meta, MAPPED[key]) == value, (entry["file"], key)
            else:
                assert meta.provenance[key] == value, (entry["file"], key)
        # Nothing invented: provenance holds exactly the unmapped keys.
        assert set(meta.provenance) == set(entry) - set(MAPPED)
        for key in ("retrieved_from", "complete", "chars", "notes"):
            assert key in meta.provenance


def test_manifest_char_counts_match_the_files(manifest):
    for meta in manifest.values():
        assert len(Path(meta.source).read_text(encoding="utf-8")) == meta.provenance["chars"], meta.doc_id


def test_manifest_dates_are_iso_prefixes(manifest):
    for meta in manifest.values():
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", meta.date), meta.date


def test_docmeta_round_trips_through_json(manifest):
    meta = manifest["eu-ai-act-regulation-2024-1689"]
    assert DocMeta.model_validate_json(meta.model_dump_json()) == meta


def _write(tmp_path: Path, payload: object) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def test_minimal_entry_gets_defaults(tmp_path):
    path = _write(
        tmp_path,
        [{"file": "some-doc.md", "title": "A very long title that goes on and on for quite a while"}],
    )
    meta = load_manifest(path)["some-doc"]
    assert meta.short_title.endswith("…") and len(meta.short_title) <= 40
    assert meta.publisher == meta.date == meta.url == ""
    assert meta.aliases == [] and meta.provenance == {"file": "some-doc.md"}
    assert meta.source == str(tmp_path / "some-doc.md")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"file": "a.md"}, "expected a JSON list"),
        (["not an object"], "expected an object"),
        ([{"title": "No file"}], "missing 'file'"),
        ([{"file": "a.md", "title": "A"}, {"file": "a.txt", "title": "B"}], "duplicate doc_id"),
        ([{"file": "a.md", "title": "A", "date": "13 June 2024"}], "date"),
        ([{"file": "a.md", "title": "A", "date": "2024-13"}], "date"),
    ],
)
def test_bad_manifests_raise_manifest_error(tmp_path, payload, message):
    with pytest.raises(ManifestError, match=message):
        load_manifest(_write(tmp_path, payload))


def test_missing_and_unparseable_manifest(tmp_path):
    with pytest.raises(ManifestError, match="not found"):
        load_manifest(tmp_path / "nope.json")
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(ManifestError, match="unreadable"):
        load_manifest(broken)


@pytest.mark.parametrize("date", ["2024", "2024-06", "2024-06-13", ""])
def test_docmeta_accepts_iso_prefixes(date):
    assert DocMeta(doc_id="x", title="X", short_title="X", date=date).date == date


@pytest.mark.parametrize("date", ["24", "2024/06/13", "2024-6", "2024-06-32", "June 2024"])
def test_docmeta_rejects_other_dates(date):
    with pytest.raises(ValidationError):
        DocMeta(doc_id="x", title="X", short_title="X", date=date)


def test_docmeta_list_defaults_are_not_shared():
    a = DocMeta(doc_id="a", title="A", short_title="A")
    a.aliases.append("alias")
    a.provenance["k"] = 1
    b = DocMeta(doc_id="b", title="B", short_title="B")
    assert b.aliases == [] and b.provenance == {}


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("eu-ai-act-regulation-2024-1689", "eu-ai-act-regulation-2024-1689"),
        ("EU AI Act (2024)", "eu-ai-act-2024"),
        ("Überschrift Café—Policy", "uberschrift-cafe-policy"),
        ("example.com/path/to/doc.pdf", "example-com-path-to-doc-pdf"),
        ("  __weird__ name!! ", "weird-name"),
        ("", "document"),
        ("日本語", "document"),
    ],
)
def test_slugify_examples(name, slug):
    assert slugify(name) == slug


@given(st.text(max_size=300))
def test_slugify_is_url_safe_bounded_and_idempotent(name):
    slug = slugify(name)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert len(slug) <= 80
    assert slugify(slug) == slug


@given(st.text(min_size=1, max_size=200).filter(str.strip))
def test_shorten_title_fits_forty_chars(title):
    short = shorten_title(title)
    assert 0 < len(short) <= 40
    if len(" ".join(title.split())) <= 40:
        assert short == " ".join(title.split())


def test_shorten_title_cuts_at_a_word_boundary():
    short = shorten_title("Regulation laying down harmonised rules on artificial intelligence")
    assert short == "Regulation laying down harmonised rules…"
