"""Execution logs as Step Functions writes them to CloudWatch Logs (a machine's loggingConfiguration).

records.py      a history event's log record, the level filter, truncation (pure)
delivery.py     the observer of committed steps, and the thread that writes their records
destination.py  where they go: CloudWatch Logs (cloudwatch.py), files (files.py), or nowhere
"""
