"""Ingestion: load → clean → chunk → index. It may import rag; rag never imports ingest."""
