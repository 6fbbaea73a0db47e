"""The web UI: the Gradio chat (`chat`, `handlers`), its HTML (`render`), the document view (`views`)."""
