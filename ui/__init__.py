"""PolicyQA web layer: the FastAPI app (API, OpenAI-compatible routes, metrics) and the Gradio chat UI."""

from rag.core.offline import apply_offline_env

# Before gradio or chromadb is imported anywhere under ui/: neither may phone home.
apply_offline_env()
