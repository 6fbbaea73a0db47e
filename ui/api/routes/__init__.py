"""One router per concern; `ui.api.main.build_api` includes them all."""
