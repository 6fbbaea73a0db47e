"""PolicyQA web layer: `api` (the FastAPI app: API, OpenAI-compatible routes, metrics), `web` (the Gradio
chat UI and the HTML document view), and what both share: app state, admission, question validation."""

from rag.core.offline import apply_offline_env

# Before gradio or chromadb is imported anywhere under ui/: neither may phone home.
apply_offline_env()
