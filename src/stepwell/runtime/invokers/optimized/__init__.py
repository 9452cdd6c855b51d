"""The optimized integrations (``arn:aws:states:::<service>:<action>[.sync|.waitForTaskToken]``):
a table of what each resource calls (table.py, rows as spec.py defines them), the parameter
adjustments Step Functions makes (requests.py), and the invoker that carries them out through
boto3, following ``.sync`` jobs (invoker.py)."""
