"""Report writers (JSON now; each writer is a plugin of `register_report_writers`) and the text summary."""
