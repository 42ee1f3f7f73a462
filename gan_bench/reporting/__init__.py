"""Reports: collect run directories into tables (pandas), plots (matplotlib) and an HTML page."""
