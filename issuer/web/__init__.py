"""The web layer, cut by audience: ``public`` pages and documents, the ``admin`` app, the
JSON ``api`` for machines; ``core`` is what they share; ``app`` is the factory. Thin: parse →
service → render."""
