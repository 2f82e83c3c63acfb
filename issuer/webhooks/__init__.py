"""Signed webhooks (Standard Webhooks): endpoints per issuer profile, events written in the
same transaction as the change they announce, and their delivery from the job queue.

Layers inside the package, pointing one way:
``signing`` / ``vault`` / ``schedule`` (pure: signatures, secret encryption, retry times) ←
``endpoints`` / ``events`` / ``delivery`` (services over the tables in ``models``) ←
``hooks`` and ``tasks`` (per-app wiring: session events, Huey) and ``issuer.web.admin``.
"""
