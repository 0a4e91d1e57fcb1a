"""JT/T 808 (2013 and 2019): framing, header codec and message bodies, free of Django."""
