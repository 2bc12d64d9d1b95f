"""What goes out: the report, the managers' page and spreadsheet, letters."""
