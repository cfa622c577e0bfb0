"""The applications the benchmark serves, one module per framework or plugin section.

Every app answers the same endpoints with the same bodies, so a request-per-second ratio
compares framework overhead and nothing else.
"""
