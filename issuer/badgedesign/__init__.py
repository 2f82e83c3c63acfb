"""Badge designer: a badge image drawn from a small, validated design record (shape, colours,
an icon from the vendored Lucide subset, the badge's name and an optional ribbon text).

Pure code: no Flask, no database. :mod:`.design` checks the record, :mod:`.svg` draws it,
:mod:`.raster` renders that SVG to PNG with CairoSVG.
"""
