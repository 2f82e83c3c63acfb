"""The web layer: app factory, hosted documents, admin app. Thin: parse → service → render."""
