"""Catalogue exchange and images for viewers: MARC 21 / CNMARC, Dublin Core, OAI-PMH, IIIF.

See docs/exchange.md for the field mappings and what is public.
"""
