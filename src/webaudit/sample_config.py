"""The commented sample config that `webaudit init` writes.

Every key is present with its default value, so loading the file as written gives
the default `Settings`; the `[[sites]]`, `[[accounts]]` and `[plugin.NAME]` examples
are commented out. `tests/test_config.py` keeps this text in step with `settings.py`.
"""

from __future__ import annotations

from typing import Final

SAMPLE_CONFIG: Final = """\
# webaudit config file (TOML, UTF-8). Reference: docs/config.md
# Run: webaudit crawl webaudit.toml        (command-line flags win over this file)
# Every key below is set to its default; delete the ones you do not change.

plugins = []                 # plugin modules to load, like --plugin (e.g. ["my_plugin.checks"])
fail_on = "error"            # exit 1 at this severity or worse: veto|error|warning|notice|none
# as_of = 2026-01-01         # reference date for date checks (发布日期, 更新时效); default: today

[crawl]
max_pages = 5000             # HTML pages parsed per site (网站)
max_depth = 50               # link depth from the homepage (首页 = depth 0)
concurrency = 32             # requests in flight in all
per_host = 8                 # requests in flight per host
timeout = 15.0               # connect and read timeout, seconds
total_timeout = 60.0         # one request including body and retry waits, seconds
time_budget = 3600.0         # whole-site crawl budget, seconds
max_bytes = 5_242_880        # body bytes read per response (5 MiB); longer bodies are cut
max_decompressed = 20_971_520  # body bytes after decompression (20 MiB)
retries = 2                  # retries after a timeout, connection error, 429 or 5xx
backoff = 0.5                # first retry wait, seconds (doubles each retry)
max_retry_after = 30.0       # longest Retry-After honoured, seconds
max_redirects = 10           # redirect hops followed per request
ignore_robots = false        # true = do not obey robots.txt (only with the site owner's consent)
user_agent = "webaudit/0.1 (+https://pypi.org/project/webaudit/)"  # User-Agent header sent
prefer_ipv4 = true           # try IPv4 addresses before IPv6
http2 = true                 # offer HTTP/2 over TLS
check_external = true        # also check links to other sites (外部链接) for errors
max_url_length = 512         # longer URLs are skipped as crawler traps
max_repeated_segments = 3    # skip URLs repeating a path segment more often (/a/a/a/a/)
max_query_variants = 50      # query-string variants crawled per path (crawler trap guard)
max_referrers = 20           # referring pages kept per broken link in the report
network_backend = "asyncio"  # sockets under the HTTP client: "asyncio" (own, faster) or "httpcore"

[dns]
nameservers = []             # DNS servers, "IP", "IP:PORT" or "[IPv6]:PORT"; [] = system resolver
timeout = 5.0                # DNS query timeout, seconds
hosts = {}                   # static answers, like /etc/hosts: { "x.gov.cn" = ["127.0.0.1"] }

# One [[sites]] table per website to audit (or give URLs on the command line).
# [[sites]]
# name = "市政府门户"                     # unique; default: the URL's host
# url = "https://www.example.gov.cn/"     # homepage (首页), http or https
# department = "市政府办公室"             # owning department (主办单位), optional
# extra_hosts = ["xxgk.example.gov.cn"]   # other hosts crawled as part of this site, optional

# 政务新媒体 accounts, each belonging to a site above.
# [[accounts]]
# site = "市政府门户"                     # the [[sites]] name it belongs to
# platform = "wechat"                     # wechat, weibo, douyin, toutiao, app, ...
# name = "某某发布"                       # account name (账号名称)
# url = "https://mp.weixin.qq.com/"       # account page or profile URL

# Settings for a plugin, passed to it as plugin_config["NAME"].
# [plugin.NAME]
# key = "value"
"""
