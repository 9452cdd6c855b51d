"""stepwell: Amazon States Language state machines, run as AWS Step Functions runs them."""

__version__ = "0.1.0"
