"""The team hub: Codat's webhooks in, NATS JetStream out (Starlette + uvicorn + nats-py; no Qt).

``receiver.py`` verifies and routes each webhook, ``publisher.py`` holds the NATS connection and
the stream, ``app.py`` puts them behind HTTP, ``nats_server.py`` runs an embedded nats-server.
"""
