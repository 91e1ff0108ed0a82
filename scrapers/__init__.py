"""Built-in scrapers, one module per source."""
