""" "Step Functions Execution Status Change" events, as AWS sends them to EventBridge: their shape
(status_change.py), where they go (destinations.py: webhooks, EventBridge's PutEvents) and their
delivery from the store's outbox, at least once (delivery.py). The runtime writes them in the
transaction of each change (runtime/status_outbox.py) when the server is given a destination.
"""
