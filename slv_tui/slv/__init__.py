"""slv package."""
