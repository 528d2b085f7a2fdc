"""Separate nodes on separate machines: configuration, serving, scheduled work.

`config` reads a node's TOML file and its environment (secrets come only from
the environment); `node` opens the hub or a district from it, with its inbox
and its transport to its peers; `endpoint` serves the exchange and the health
check beside the node's pages; `schedule` delivers the outbox and runs the daily
jobs inside `youthbridge serve`; `serving` puts it all behind uvicorn and TLS.
This package sits above both sides of the boundary, as `embedded` does.
"""
