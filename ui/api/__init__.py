"""HTTP API: dependencies, schemas and routers."""
