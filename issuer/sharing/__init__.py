"""Ways to share a badge: QR codes, LinkedIn links, an embeddable HTML snippet (pure, no Flask)."""
