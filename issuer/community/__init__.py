"""Community recognition programs: members, events, award rules, awards and email.

Layers inside the package, pointing one way:
``rules`` (pure rule values and evaluation) ← ``members`` / ``events`` / ``awards`` / ``outbox``
(services over the ORM tables in ``models``) ← ``issuer.web`` blueprints and ``issuer.cli``.
Nothing here imports Flask except ``hooks`` (the per-app transactional-outbox wiring).
"""
