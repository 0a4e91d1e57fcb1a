"""Statistics reporting up four levels (统计报送): forms as data, periods, submissions, aggregation."""
