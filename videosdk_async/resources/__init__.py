"""API resources: one class per resource, reached as attributes of the client."""

from .jobs import JobsResource

__all__ = ["JobsResource"]
