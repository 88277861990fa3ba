"""The Phoenix Admin Gateway simulator: a real HTTP API over SQLite, with fault injection.

An optional part (the ``sim`` extra: FastAPI and uvicorn). It imports nothing of the product
but :mod:`reconciler.model`, and the product reaches it only through
:mod:`reconciler.api.simulated`. ``app.create_app`` builds the ASGI app from ``routes``
(``/v1``), ``control`` (``/_sim``), ``auth``, ``bodies``, ``problems``, ``middleware`` (faults
and counting) and ``store`` (SQLite); ``serve`` runs it with uvicorn; ``inprocess`` reaches it
through an httpx transport with no socket (the embedded default behind ``--sim``).
"""
