"""The census pages: workflow (campaigns, submission, review, corrections), imports, exports."""
