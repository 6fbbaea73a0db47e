"""PolicyQA web layer: the FastAPI app (API, OpenAI-compatible routes, metrics) and the Gradio chat UI."""

import os

# Set before gradio or chromadb is imported anywhere under ui/: neither may phone home.
for _name, _value in (
    ("GRADIO_ANALYTICS_ENABLED", "False"),
    ("ANONYMIZED_TELEMETRY", "False"),
    ("HF_HUB_OFFLINE", "1"),
):
    os.environ.setdefault(_name, _value)
