"""Shared file plumbing every app uses: images, documents, spreadsheets, bulk writes, downloads,
background jobs. Nothing here imports another app; see docs/platform.md for the public API.
"""
