"""The error of a request that could not complete, shared by the client and oauth2."""

from __future__ import annotations


class ClientError(Exception):
    """A request could not complete; the text never contains a credential."""
