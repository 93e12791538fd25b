"""The crawl: URL rules and policy, link extraction, charset decoding, the scheduler and the crawler."""
