"""One router per concern; `ui.app.create_app` includes them all."""
