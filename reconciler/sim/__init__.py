"""The Phoenix Admin Gateway simulator: a real HTTP API over SQLite, with fault injection.

``app.create_app`` builds the ASGI app; ``serve`` runs it with uvicorn; ``inprocess`` reaches
it through an httpx transport with no socket (the embedded default behind ``--sim``).
"""
