"""The narrow channel between district nodes and the hub.

`messages` defines the envelope and one strict payload model per message type;
`signing` signs and verifies envelopes against the agreement's `parties`;
`outbox` writes a message with the change that caused it and delivers it until it
is acknowledged; `inbox` checks, records and applies what arrives, once and in
order; `transport` carries envelopes in-process or over HTTP.
"""
