"""The crawl: URL rules, link extraction, charset decoding, the frontier and the scheduler."""
