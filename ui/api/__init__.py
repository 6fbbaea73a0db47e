"""HTTP API: `main` assembles the app from routes, deps, schemas, errors and middleware."""
