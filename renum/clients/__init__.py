"""Clients for the outside services RENUM talks to (HeyGen, Metricool); the only code that calls them.

Every client shares :mod:`renum.clients.http`: explicit timeouts, retries with backoff on 429 and 5xx,
and failures turned into :class:`~renum.clients.http.ServiceError` subclasses whose message tells the
creator what to do.
"""
