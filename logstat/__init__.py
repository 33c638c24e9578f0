"""logstat: what your HTTP status codes say, from nginx and Apache access logs."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
